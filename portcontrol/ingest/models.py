"""Intake jobs and the quarantine of rejected records.

The pure readers in portcontrol.intake turn bytes into records and findings; this app runs
them for the three doors (command line, upload page, API), keeps what was rejected with its
raw text and reasons, and lets a unit correct and replay it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portcontrol.accounts.models import Unit
from portcontrol.web.language import in_reader_language


class IntakeJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    door = models.CharField(_("received through"), max_length=10,
                            choices=[("cli", _("command line")), ("web", _("upload page")),
                                     ("api", _("API"))])
    files = models.JSONField(_("files"), default=list)
    format = models.CharField(_("format"), max_length=10, default="auto")
    mapping = models.CharField(_("column mapping"), max_length=200, blank=True)
    profile = models.CharField(_("message profile"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    records_seen = models.PositiveIntegerField(_("records read"), default=0)
    bytes_total = models.BigIntegerField(default=0)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(_("error"), blank=True)
    report_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intake job")
        verbose_name_plural = _("intake jobs")
        indexes = [models.Index(fields=["unit", "created_at"], name="intakejob_unit_created_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {', '.join(f['name'] for f in self.files)}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def error_display(self) -> str:
        """Why files could not be read, in the reader's language when the job kept it."""
        russian = (self.counts or {}).get("unreadable_ru")
        return in_reader_language(self.error, "\n".join(russian)[:2000] if russian else None)


class QuarantinedRecord(models.Model):
    """A rejected record with its raw content and reasons, waiting for correction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for correction")
        REPLAYED = "replayed", _("Corrected and loaded")
        DISCARDED = "discarded", _("Discarded")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"))
    job = models.ForeignKey(IntakeJob, on_delete=models.CASCADE, related_name="quarantined")
    source = models.CharField(_("file"), max_length=200)
    location = models.CharField(_("line or segment"), max_length=60, blank=True)
    record_key = models.CharField(_("bill of lading"), max_length=60, blank=True,
                                  db_index=True)
    raw = models.JSONField(_("record as read"), null=True, blank=True)
    raw_text = models.TextField(_("raw text"), blank=True,
                                help_text=_("The lines or segments of the file, as received."))
    findings = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("quarantined"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("quarantined record")
        verbose_name_plural = _("quarantined records")
        indexes = [models.Index(fields=["unit", "status"], name="quarantine_unit_status_idx")]

    @property
    def location_display(self) -> str:
        """Where in the file, in the reader's language ("line 12" is stored as the readers
        write it, in English)."""
        unit, _sep, number = self.location.partition(" ")
        if unit in _LOCATIONS and number.isdigit():
            return _LOCATIONS[unit] % {"number": number}
        return self.location

    def __str__(self) -> str:
        return f"{self.source} {self.location} {self.record_key}"


class StowagePlan(models.Model):
    """A vessel's stowage plan (BAPLIE) as received: what is on board and where each box is
    discharged. Kept so that it can be compared again when its voyage's manifests arrive or
    change (ingest.stowage)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"))
    job = models.ForeignKey(IntakeJob, on_delete=models.CASCADE, related_name="stowage_plans")
    source = models.CharField(_("file"), max_length=200)
    voyage = models.ForeignKey("manifests.Voyage", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    voyage_ref = models.CharField(_("voyage"), max_length=40)
    vessel_imo = models.CharField(_("vessel IMO number"), max_length=7, blank=True)
    vessel_name = models.CharField(_("vessel name"), max_length=120, blank=True)
    next_port = models.CharField(_("next port of call"), max_length=5, blank=True)
    containers = models.JSONField(_("containers on board"), default=list,
                                  help_text=_("Number, port of discharge, mass and size-type of each "
                                              "box."))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    compared_at = models.DateTimeField(_("compared"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("stowage plan")
        verbose_name_plural = _("stowage plans")
        indexes = [models.Index(fields=["unit", "received_at"], name="stowageplan_unit_idx")]

    def __str__(self) -> str:
        return f"{self.vessel_name} {self.voyage_ref}".strip()


class StowageDiscrepancy(models.Model):
    """A container on board (BAPLIE) that no manifest declares, or declared but not on board:
    what the latest plan of a voyage says against the voyage's manifests as they stand."""

    class Kind(models.TextChoices):
        NOT_MANIFESTED = "not_manifested", _("On board, on no manifest")
        NOT_ON_BOARD = "not_on_board", _("On a manifest, not on board")
        MASS_DIFFERS = "mass_differs", _("Mass on board differs from the manifest")
        TYPE_DIFFERS = "type_differs", _("Stowed as another kind of box than declared")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"))
    job = models.ForeignKey(IntakeJob, on_delete=models.CASCADE, related_name="discrepancies")
    plan = models.ForeignKey(StowagePlan, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="discrepancies")
    voyage = models.ForeignKey("manifests.Voyage", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    voyage_ref = models.CharField(_("voyage"), max_length=40)
    container_number = models.CharField(
        _("container number"), max_length=20, db_index=True,
        help_text=_("As the stowage plan writes it, when it is not a valid number."))
    kind = models.CharField(_("discrepancy"), max_length=20, choices=Kind.choices)
    plan_mass_kg = models.FloatField(_("mass on the stowage plan (kg)"), null=True, blank=True)
    declared_mass_kg = models.FloatField(_("mass declared (kg)"), null=True, blank=True)
    plan_size_type = models.CharField(_("size-type on the stowage plan"), max_length=4,
                                      blank=True)
    declared_size_type = models.CharField(_("size-type declared"), max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["voyage_ref", "kind", "container_number"]
        verbose_name = _("stowage discrepancy")
        verbose_name_plural = _("stowage discrepancies")
        indexes = [models.Index(fields=["unit", "voyage"], name="stowage_unit_voyage_idx")]

    def __str__(self) -> str:
        return f"{self.container_number} {self.kind}"


# how the readers name a place in a file: CSV lines, XLSX rows, EDIFACT segments, JSON records
_LOCATIONS = {"line": _("line %(number)s"), "row": _("row %(number)s"),
              "segment": _("segment %(number)s"), "record": _("record %(number)s")}
