"""Country → Agency → Unit, and the people who work in units with their roles."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portcontrol.reference.models import Country


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    ANALYST = "analyst", _("Analyst")
    SUPERVISOR = "supervisor", _("Supervisor")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    PROGRAMME_ADMIN = "programme_admin", _("Programme administrator")


#: Roles whose holders work on their own unit's operational data.
UNIT_ROLES = frozenset({Role.OFFICER, Role.ANALYST, Role.SUPERVISOR})


class Agency(models.Model):
    class Kind(models.TextChoices):
        CUSTOMS = "customs", _("Customs")
        POLICE = "police", _("Police")
        BORDER_GUARD = "border_guard", _("Border guard")
        OTHER = "other", _("Other")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="agencies",
                                verbose_name=_("country"))
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["country_id", "name"]
        constraints = [models.UniqueConstraint(fields=["country", "name"],
                                               name="agency_unique_name_per_country")]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"


class Unit(models.Model):
    class Kind(models.TextChoices):
        SEAPORT_PCU = "seaport_pcu", _("Seaport or dry-port PCU")
        AIR_CARGO_ACCU = "air_cargo_accu", _("Air-cargo ACCU")
        HEADQUARTERS = "headquarters", _("Headquarters / intelligence")
        PROGRAMME_OFFICE = "programme_office", _("Programme office")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units",
                               verbose_name=_("agency"))
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ports = models.CharField(
        _("ports served"), max_length=200, blank=True,
        help_text=_("UN/LOCODEs of the ports whose manifests this unit receives, comma separated."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def country_id(self) -> str:
        return self.agency.country_id

    @property
    def port_list(self) -> list[str]:
        return [p.strip().upper() for p in self.ports.split(",") if p.strip()]


class User(AbstractUser):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="members", verbose_name=_("unit"))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="userrole_unique")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the clear value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
