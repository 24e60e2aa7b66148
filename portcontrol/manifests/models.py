"""Voyages, bills of lading, containers, goods and parties: what carriers declare.

Sized for ten million containers a year on PostgreSQL: every operational row carries the
unit that received it (denormalised) so that scoping is one indexed filter, and codes are
plain strings checked against reference data at intake rather than foreign keys.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portcontrol.accounts.models import Unit


class Party(models.Model):
    """A shipper, consignee or notify party as named on manifests received by a unit."""

    # Foreign keys that lead a composite index or constraint carry no index of their own
    # (db_index=False here and below): one index fewer to maintain per row at intake.
    # The tables intake writes in bulk carry no database-level foreign key constraint
    # (db_constraint=False): see docs/decisions/0004-bulk-intake-path.md.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"), db_index=False, db_constraint=False)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    identifier = models.CharField(_("identifier"), max_length=60, blank=True,
                                  help_text=_("Tax or trader number (EORI, TIN, …) if declared."))
    key = models.CharField(_("match key"), max_length=64,
                           help_text=_("Normalised name, address and country: one row per party."))
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        # Parties are found by their key; no query looks them up by name (see consignment).
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="party_unique_key")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})" if self.country else self.name


class Voyage(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    voyage_ref = models.CharField(_("voyage reference"), max_length=40)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    vessel_imo = models.CharField(_("vessel IMO number"), max_length=7, blank=True,
                                  db_index=True)
    vessel_name = models.CharField(_("vessel name"), max_length=120, blank=True)
    vessel_flag = models.CharField(_("flag"), max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voyage")
        verbose_name_plural = _("voyages")
        constraints = [models.UniqueConstraint(fields=["unit", "carrier", "voyage_ref"],
                                               name="voyage_unique_ref")]

    def __str__(self) -> str:
        return f"{self.vessel_name} {self.voyage_ref}"


class PortCall(models.Model):
    voyage = models.ForeignKey(Voyage, on_delete=models.CASCADE, related_name="port_calls")
    locode = models.CharField(_("port"), max_length=5)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    eta = models.DateTimeField(_("expected arrival"), null=True, blank=True)
    ata = models.DateTimeField(_("actual arrival"), null=True, blank=True)

    class Meta:
        ordering = ["voyage", "sequence"]
        verbose_name = _("port call")
        verbose_name_plural = _("port calls")
        indexes = [models.Index(fields=["locode", "eta"], name="portcall_port_eta_idx")]
        constraints = [models.UniqueConstraint(fields=["voyage", "locode"],
                                               name="portcall_unique_port")]

    def __str__(self) -> str:
        return f"{self.voyage} @ {self.locode}"


class Consignment(models.Model):
    """One bill of lading on one voyage. `version` counts amendments received."""

    class FreightTerms(models.TextChoices):
        PREPAID = "PREPAID", _("Prepaid")
        COLLECT = "COLLECT", _("Collect")
        OTHER = "OTHER", _("Other")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"), db_index=False, db_constraint=False)
    voyage = models.ForeignKey(Voyage, on_delete=models.CASCADE, related_name="consignments",
                               db_index=False, db_constraint=False)
    bl_number = models.CharField(_("bill of lading"), max_length=40)
    place_of_receipt = models.CharField(_("place of receipt"), max_length=5, blank=True)
    port_of_loading = models.CharField(_("port of loading"), max_length=5, blank=True)
    transshipment_ports = models.JSONField(_("transshipment ports"), default=list, blank=True)
    # The days the bill's boxes arrived at and left their last transshipment port, when the
    # manifest says: the dwell there (rip-on/rip-off exposure) is a risk indicator.
    transshipment_arrival = models.DateField(_("arrived at transshipment port"), null=True,
                                             blank=True)
    transshipment_departure = models.DateField(_("left transshipment port"), null=True,
                                               blank=True)
    port_of_discharge = models.CharField(_("port of discharge"), max_length=5, blank=True)
    final_destination = models.CharField(_("final destination"), max_length=5, blank=True)
    shipper = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("shipper"), db_index=False,
                                db_constraint=False)
    consignee = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("consignee"), db_index=False,
                                  db_constraint=False)
    notify_party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("notify party"),
                                     db_index=False, db_constraint=False)
    freight_terms = models.CharField(_("freight terms"), max_length=10, blank=True,
                                     choices=FreightTerms.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    content_hash = models.CharField(max_length=64, blank=True,
                                    help_text=_("Checksum of the declared content: an identical "
                                                "message changes nothing."))
    message_date = models.DateTimeField(_("message date"), null=True, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("consignment")
        verbose_name_plural = _("consignments")
        # The one index besides the key: bills are found by voyage and number. No query
        # looks consignments up by party, unit or receipt time (scoring reaches them through
        # containers), so no index is kept for those: each cost a write per bill at intake
        # (docs/decisions/0004-bulk-intake-path.md).
        constraints = [models.UniqueConstraint(fields=["voyage", "bl_number"],
                                               name="consignment_unique_bl")]

    def __str__(self) -> str:
        return self.bl_number

    @property
    def dwell_days(self) -> int | None:
        """Days between arriving at and leaving the last transshipment port, when both are
        known."""
        if self.transshipment_arrival and self.transshipment_departure:
            return (self.transshipment_departure - self.transshipment_arrival).days
        return None

    @property
    def route(self) -> list[tuple[str, str]]:
        """(role, locode) in order, without empty or repeated legs."""
        legs = [("receipt", self.place_of_receipt), ("loading", self.port_of_loading)]
        legs += [("transshipment", p) for p in self.transshipment_ports or []]
        legs += [("discharge", self.port_of_discharge), ("destination", self.final_destination)]
        out: list[tuple[str, str]] = []
        for role, code in legs:
            if code and (not out or out[-1][1] != code):
                out.append((role, code))
        return out


class Container(models.Model):
    """One container (equipment) on one voyage, as declared to the receiving unit."""

    class Load(models.TextChoices):
        FULL = "F", _("Full")
        EMPTY = "E", _("Empty")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"), db_index=False, db_constraint=False)
    voyage = models.ForeignKey(Voyage, on_delete=models.CASCADE, related_name="containers",
                               db_index=False, db_constraint=False)
    number = models.CharField(_("container number"), max_length=11)
    number_valid = models.BooleanField(_("valid ISO 6346 number"), default=True)
    size_type = models.CharField(_("size-type"), max_length=4, blank=True)
    seals = models.JSONField(_("seals"), default=list, blank=True)
    gross_mass_kg = models.DecimalField(_("gross mass (kg)"), max_digits=10, decimal_places=1,
                                        null=True, blank=True)
    vgm_kg = models.DecimalField(_("VGM (kg)"), max_digits=10, decimal_places=1, null=True,
                                 blank=True)
    load = models.CharField(_("full or empty"), max_length=1, choices=Load.choices,
                            default=Load.FULL)
    reefer = models.BooleanField(_("reefer"), default=False)
    seals_changed = models.BooleanField(_("seals changed between messages"), default=False)
    clone_suspect = models.BooleanField(
        _("possible clone"), default=False,
        help_text=_("The same number is declared on another voyage arriving at the same time."))
    consignments = models.ManyToManyField(Consignment, related_name="containers",
                                          through="ConsignmentContainer")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("container")
        verbose_name_plural = _("containers")
        constraints = [models.UniqueConstraint(fields=["voyage", "number"],
                                               name="container_unique_per_voyage")]
        indexes = [
            # Scoped search filters unit_id IN (...) AND number = ...: the number index is
            # selective enough, and clone detection needs it across units.
            models.Index(fields=["number"], name="container_number_idx"),
            # No (unit, created_at) index: searches start from the number, a voyage's boxes
            # from the (voyage, number) constraint, and scoring from the port calls; it was
            # a write per container at intake for no query (docs/decisions/0004, item 8).
        ]

    def __str__(self) -> str:
        return self.number


class ConsignmentContainer(models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, db_index=False,
                                    db_constraint=False)
    container = models.ForeignKey(Container, on_delete=models.CASCADE, db_index=False,
                                  db_constraint=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consignment", "container"],
                                               name="consignment_container_unique")]
        indexes = [models.Index(fields=["container"], name="cons_cont_container_idx")]


class GoodsItem(models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="goods",
                                    db_constraint=False)
    container = models.ForeignKey(Container, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="goods", db_constraint=False)
    sequence = models.PositiveIntegerField(_("item number"), default=1)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    description = models.TextField(_("description"), blank=True)
    packages = models.PositiveIntegerField(_("packages"), null=True, blank=True)
    package_type = models.CharField(_("package type"), max_length=3, blank=True)
    gross_kg = models.DecimalField(_("gross mass (kg)"), max_digits=12, decimal_places=2,
                                   null=True, blank=True)
    net_kg = models.DecimalField(_("net mass (kg)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True,
                                blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    origin_country = models.CharField(_("origin"), max_length=2, blank=True)

    class Meta:
        ordering = ["consignment", "sequence"]
        verbose_name = _("goods item")
        verbose_name_plural = _("goods items")

    def __str__(self) -> str:
        return f"{self.hs_code} {self.description[:40]}"


class ConsignmentVersion(models.Model):
    """An earlier version of a consignment, kept when an amended message replaces it."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE,
                                    related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(max_length=64, blank=True)
    data = models.JSONField(_("content"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    message_date = models.DateTimeField(_("message date"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)

    class Meta:
        ordering = ["consignment", "-version"]
        verbose_name = _("earlier consignment version")
        verbose_name_plural = _("earlier consignment versions")
        constraints = [models.UniqueConstraint(fields=["consignment", "version"],
                                               name="consignment_version_unique")]

    def __str__(self) -> str:
        return f"{self.consignment_id} v{self.version}"
