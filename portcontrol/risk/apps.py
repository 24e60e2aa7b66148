from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "portcontrol.risk"
    label = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from portcontrol.manifests.signals import manifests_stored

        from .tasks import on_manifests_stored

        manifests_stored.connect(on_manifests_stored, dispatch_uid="risk.score_on_intake")
