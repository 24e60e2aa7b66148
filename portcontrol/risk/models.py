"""Risk configuration and results: rules (four-eyes), unit capacities, scoring runs, the
assessment of each container with its reasons, and the labelled outcomes that feed backtests
and the model. The scoring itself is portcontrol.engine (polars, no Django)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portcontrol.accounts.models import Unit
from portcontrol.manifests.models import Container
from portcontrol.web.language import in_reader_language


class UnitRiskSettings(models.Model):
    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="risk_settings")
    red_capacity = models.PositiveIntegerField(_("physical or scanner inspections a day"),
                                               default=20)
    yellow_capacity = models.PositiveIntegerField(_("documentary checks a day"), default=60)
    exploration_share = models.FloatField(
        _("share chosen at random"), default=0.02,
        help_text=_("Of the remaining containers, the share selected at random so that hit "
                    "rates can be estimated without selection bias."))

    class Meta:
        verbose_name = _("unit risk settings")
        verbose_name_plural = _("unit risk settings")

    def __str__(self) -> str:
        return str(self.unit)


class Rule(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owning unit"))
    code = models.SlugField(_("rule id"), max_length=64)
    description = models.CharField(_("description (English)"), max_length=300)
    description_ru = models.CharField(_("description (Russian)"), max_length=300, blank=True)
    expression = models.TextField(_("expression"))
    weight = models.FloatField(_("weight"), default=0.5)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    last_backtest = models.JSONField(_("last backtest"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "code"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="rule_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    @property
    def localized_description(self) -> str:
        """The description in the reader's language (Russian when written, else English)."""
        return in_reader_language(self.description, self.description_ru)


class ScoringRun(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    containers = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"run {self.pk} {self.unit}"


class Assessment(models.Model):
    """The latest risk assessment of a container: score, channel and why."""

    class Channel(models.TextChoices):
        RED = "red", _("Red: physical or scanner inspection")
        YELLOW = "yellow", _("Yellow: documentary check")
        GREEN = "green", _("Green: release")

    # the channel in one word, for tables (the full label is its tooltip)
    CHANNEL_SHORT = {Channel.RED: _("Red"), Channel.YELLOW: _("Yellow"),
                     Channel.GREEN: _("Green")}

    container = models.OneToOneField(Container, on_delete=models.CASCADE,
                                     related_name="assessment")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    run = models.ForeignKey(ScoringRun, on_delete=models.SET_NULL, null=True, related_name="+")
    arrival_date = models.DateField(_("arrival date"), null=True)
    risk = models.FloatField(_("risk"))
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    selection_reason = models.CharField(_("selected by"), max_length=10, blank=True)
    selection_probability = models.FloatField(_("selection probability"), null=True)
    reasons = models.JSONField(_("reasons"), default=list)
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["unit", "arrival_date", "channel"],
                                name="assessment_queue_idx")]

    def __str__(self) -> str:
        return f"{self.container_id} {self.channel} {self.risk:.2f}"

    @property
    def channel_short(self) -> str:
        return str(self.CHANNEL_SHORT.get(self.channel, self.get_channel_display()))


class Outcome(models.Model):
    """What an inspection found: the labelled history behind backtests and the model."""

    container = models.OneToOneField(Container, on_delete=models.CASCADE,
                                     related_name="outcome")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    inspected = models.BooleanField(_("inspected"), default=True)
    seizure = models.BooleanField(_("something found"), default=False)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    # The day of the inspection when known (an imported history names it; recorded_at is
    # only when PortControl learnt the result).
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection outcome")
        verbose_name_plural = _("inspection outcomes")

    def __str__(self) -> str:
        return f"{self.container_id} {'found' if self.seizure else 'nothing'}"


class Watchlist(models.Model):
    """A list imported by a unit (CSV or FollowTheMoney JSON); every party is screened
    against its unit's lists when containers are scored."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owning unit"))
    name = models.CharField(_("name"), max_length=120)
    source_file = models.CharField(_("imported from"), max_length=200, blank=True)
    entries_count = models.PositiveIntegerField(_("entries"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The latest import, which replaced all entries; no user when it ran on the command line.
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("last imported by"))
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="watchlist_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class WatchlistEntry(models.Model):
    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(_("id in the list"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    names = models.JSONField(_("name and aliases"), default=list)
    countries = models.JSONField(_("countries"), default=list)
    imo_numbers = models.JSONField(_("IMO numbers"), default=list)
    container_numbers = models.JSONField(_("container numbers"), default=list)

    class Meta:
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist entries")

    def __str__(self) -> str:
        return self.names[0] if self.names else self.entry_id


class ModelVersion(models.Model):
    """A learned model trained on one unit's inspection history, with its figures on a
    time-ordered holdout, approved by a second supervisor (four eyes) before it scores.

    The artifact (the engine's model directory packed into one zip archive) is stored in the
    database with its SHA-256: see docs/decisions/0003-model-versions.md."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owning unit"))
    label = models.CharField(_("version"), max_length=40)
    artifact = models.BinaryField(_("model artifact"))
    artifact_sha256 = models.CharField(_("artifact checksum (SHA-256)"), max_length=64)
    artifact_size = models.PositiveIntegerField(_("artifact size in bytes"), default=0)
    features = models.JSONField(_("feature list"), default=list)
    input_columns = models.JSONField(_("input columns"), default=list)
    training_from = models.DateField(_("history from"))
    training_until = models.DateField(_("history until"))
    holdout_from = models.DateField(
        _("holdout from"), help_text=_("Containers that arrived from this day to the end of "
                                       "the history were held out: the model never saw them."))
    rows = models.PositiveIntegerField(_("labelled containers learned from"), default=0)
    positives = models.PositiveIntegerField(_("finds among them"), default=0)
    holdout_rows = models.PositiveIntegerField(_("labelled containers held out"), default=0)
    holdout_positives = models.PositiveIntegerField(_("finds among the held out"), default=0)
    metrics = models.JSONField(_("figures on the holdout"), default=dict)
    training = models.JSONField(_("training summary"), default=dict)
    comparison = models.JSONField(_("comparison with the active version"), null=True,
                                  blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("trained by"))
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit", "-created_at", "-id"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(fields=["unit", "label"], name="modelversion_unique_label"),
            # The four-eyes approval retires the previous version in the same transaction.
            models.UniqueConstraint(fields=["unit"], condition=models.Q(status="active"),
                                    name="modelversion_one_active_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"


class ModelTraining(models.Model):
    """A request to train a model version of a unit, carried out by a task worker: on a
    large history, training takes longer than a web request may last."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Training")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("owning unit"))
    days = models.PositiveIntegerField(_("days of history"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    version = models.ForeignKey(ModelVersion, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("version"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("model training")
        verbose_name_plural = _("model trainings")

    @property
    def open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
