"""Reference lists vendored in reference/data/: read-mostly, replaced whole on reload.

Operational tables store codes as plain strings, not foreign keys: a manifest may name a port
missing from the (partial) UN/LOCODE list, which is a warning, and reloading reference data
must never touch a manifest.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portcontrol.web.language import in_reader_language


class Country(models.Model):
    code = models.CharField(_("ISO alpha-2"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("ISO alpha-3"), max_length=3, blank=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    subregion = models.CharField(_("sub-region"), max_length=60, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return in_reader_language(self.name_en, self.name_ru)


class Port(models.Model):
    locode = models.CharField(_("UN/LOCODE"), max_length=5, primary_key=True)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    functions = models.CharField(_("functions"), max_length=8, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        ordering = ["locode"]
        verbose_name = _("port or place")
        verbose_name_plural = _("ports and places")

    def __str__(self) -> str:
        return f"{self.locode} {self.name}"

    @property
    def is_seaport(self) -> bool:
        return self.functions[:1] == "1"


class HsCode(models.Model):
    code = models.CharField(_("HS code"), max_length=6, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.CharField(_("parent"), max_length=6, blank=True)
    section = models.CharField(_("section"), max_length=5)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS 2022 code")
        verbose_name_plural = _("HS 2022 codes")

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class ContainerType(models.Model):
    code = models.CharField(_("size-type code"), max_length=4, primary_key=True)
    description = models.CharField(_("description"), max_length=120)
    length_ft = models.CharField(_("length (ft)"), max_length=10, blank=True)
    height_ft = models.CharField(_("height (ft)"), max_length=10, blank=True)
    group = models.CharField(_("group"), max_length=8, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("container size-type")
        verbose_name_plural = _("container size-types")

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Currency(models.Model):
    code = models.CharField(_("ISO 4217 code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=80)
    numeric = models.CharField(_("numeric"), max_length=3, blank=True)
    minor_unit = models.CharField(_("minor unit"), max_length=2, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReferenceDataset(models.Model):
    """Which version (checksum) of each vendored file is loaded, so `init` can skip it."""

    name = models.CharField(max_length=60, primary_key=True)
    checksum = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loaded reference dataset")
        verbose_name_plural = _("loaded reference datasets")

    def __str__(self) -> str:
        return f"{self.name} ({self.rows})"
