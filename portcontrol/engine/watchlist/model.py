"""Plain values the watchlist engine passes around: entries, screened parties, matches, issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    COMPANY = "company"
    PERSON = "person"
    VESSEL = "vessel"
    CONTAINER = "container"
    ADDRESS = "address"


# Spellings accepted in the CSV `kind` column (FtM schemas are mapped in loaders).
KIND_ALIASES: dict[str, Kind] = {
    "company": Kind.COMPANY, "organisation": Kind.COMPANY, "organization": Kind.COMPANY,
    "legalentity": Kind.COMPANY, "entity": Kind.COMPANY,
    "person": Kind.PERSON, "individual": Kind.PERSON,
    "vessel": Kind.VESSEL, "ship": Kind.VESSEL,
    "container": Kind.CONTAINER,
    "address": Kind.ADDRESS,
}


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    """One listed company, person, vessel, container or address.

    `names` holds the primary name first, then the aliases. Vessels carry their IMO numbers
    and containers their ISO 6346 numbers, both already validated and normalised.
    """

    id: str
    kind: Kind
    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    imo_numbers: tuple[str, ...] = ()
    container_numbers: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""


@dataclass(frozen=True, slots=True)
class Party:
    """A name to screen: a shipper, consignee or notify party (or a vessel / container)."""

    id: str
    name: str
    country: str | None = None
    imo_number: str | None = None
    container_number: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureResult:
    """What one feature says about one pair: a value and why, in English and Russian.

    An empty explanation means the feature had nothing to say (e.g. no country on one side)."""

    name: str
    value: float
    en: str = ""
    ru: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """A watchlist hit for one party, with the score (0-1) and its explanation."""

    name_id: str
    watchlist_id: str
    score: float
    kind: Kind
    matched_name: str
    features: tuple[FeatureResult, ...] = field(default=())

    @property
    def explanation_en(self) -> str:
        return "; ".join(f.en for f in self.features if f.en)

    @property
    def explanation_ru(self) -> str:
        return "; ".join(f.ru for f in self.features if f.ru)


@dataclass(frozen=True, slots=True)
class LoadIssue:
    """A row that could not be loaded: where, which field, what is wrong."""

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source} line {self.line}, field '{self.field}': {self.message}"


class WatchlistInputError(Exception):
    """A whole input cannot be used (missing file, missing columns, wrong format)."""
