"""Validate one canonical record (a bill of lading) and return it clean, or reject it.

An error anywhere rejects the whole record and names the field; warnings are kept with the
accepted record. The rules are issue 3's: ISO 6346 container numbers (via core), size-types
that exist, UN/LOCODE form (error) and existence (warning: our list is partial), HS 2022 at the
level given, ISO 3166 countries, ISO 4217 currencies, ISO 8601 dates, positive masses and
values, VGM near the gross mass and net mass not above gross (warnings).

This is the hot path for a million lines, so every code check goes through Reference.check,
which remembers the outcome per raw value: ports, countries, HS codes and dates repeat
endlessly, and a remembered answer costs one dict look-up and raises nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from portcontrol.core.codes import (
    normalize_country,
    normalize_currency,
    normalize_hs,
    normalize_imo,
    normalize_locode,
)
from portcontrol.core.containers import (
    is_reefer_type,
    normalize_size_type,
    validate_container_number,
)
from portcontrol.core.errors import InvalidValue
from portcontrol.reference import vendored

from .fastchecks import is_clean_container_number
from .findings import ERROR, WARNING, Finding, Severity

Problem = tuple[Severity, str, str]  # severity, code, message
Check = tuple[str, Problem | None]  # normalised value, problem
VGM_TOLERANCE_KG = 500.0
VGM_TOLERANCE_SHARE = 0.05
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", ""})
PARTY_ROLES = ("shipper", "consignee", "notify")
_MEMO_LIMIT = 200_000


def _eta(raw: str) -> str:
    try:
        datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"Date {raw!r} is not an ISO 8601 date and time "
                           "(for example 2026-11-24T06:00:00Z).", code="date") from None
    return raw


class Reference:
    """The reference lists validation needs, as sets, plus a memo of checked values."""

    def __init__(self, ports: frozenset[str], hs: frozenset[str], countries: frozenset[str],
                 size_types: frozenset[str], currencies: frozenset[str]):
        self.ports, self.hs, self.countries = ports, hs, countries
        self.size_types, self.currencies = size_types, currencies
        self._memo: dict[tuple[str, str], Check] = {}
        self._checks: dict[str, Callable[[str], Check]] = {
            "locode": self._locode, "country": self._country, "hs": self._hs,
            "currency": self._currency, "size_type": self._size_type,
            "imo": lambda raw: (normalize_imo(raw), None), "eta": lambda raw: (_eta(raw), None),
        }

    @classmethod
    def load(cls) -> Reference:
        return _default_reference()

    def check(self, kind: str, raw: str) -> Check:
        """(normalised value, problem or None) for a non-empty raw code; never raises."""
        key = (kind, raw)
        found = self._memo.get(key)
        if found is None:
            try:
                found = self._checks[kind](raw)
            except InvalidValue as exc:
                found = (raw, (ERROR, exc.code, exc.message))
            if len(self._memo) >= _MEMO_LIMIT:  # bound memory on hostile input
                self._memo.clear()
            self._memo[key] = found
        return found

    def is_clean(self, kind: str, raw: str) -> bool:
        """True when raw is already in its normalised form and has no problem at all."""
        value, problem = self.check(kind, raw)
        return problem is None and value == raw

    def _locode(self, raw: str) -> Check:
        code = normalize_locode(raw)
        if code not in self.ports:
            return code, (WARNING, "unknown_locode",
                          f"UN/LOCODE {code} is not in the reference list (which is partial).")
        return code, None

    def _country(self, raw: str) -> Check:
        return normalize_country(raw, known=self.countries), None

    def _hs(self, raw: str) -> Check:
        return normalize_hs(raw, known=self.hs), None

    def _currency(self, raw: str) -> Check:
        return normalize_currency(raw, known=self.currencies), None

    def _size_type(self, raw: str) -> Check:
        code = normalize_size_type(raw)
        if code not in self.size_types:
            raise InvalidValue(f"Size-type code {code} is not in the ISO 6346 list.",
                               code="unknown")
        return code, None


@lru_cache(maxsize=1)
def _default_reference() -> Reference:
    return Reference(frozenset(vendored.ports()), vendored.hs_codes(),
                     frozenset(vendored.countries()), frozenset(vendored.size_types()),
                     vendored.currencies())


class _Validator:
    """Walks one record, building the clean copy and collecting findings."""

    def __init__(self, ref: Reference):
        self.ref = ref
        self.problems: list[tuple[str, Severity, str, str]] = []  # field, severity, code, msg
        self.errors = 0

    def add(self, field: str, severity: Severity, code: str, message: str) -> None:
        self.problems.append((field, severity, code, message))
        if severity == ERROR:
            self.errors += 1

    def text(self, value: Any, field: str, *, required: bool = False) -> str:
        if isinstance(value, str):
            out = value.strip()
        elif value is None:
            out = ""
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out = str(value)
        else:
            self.add(field, ERROR, "type", f"Expected text, not {type(value).__name__}.")
            return ""
        if required and not out:
            self.add(field, ERROR, "missing", "This field is required and is empty.")
        return out

    def code(self, kind: str, value: Any, field: str, *, required: bool = False) -> str:
        raw = self.text(value, field, required=required)
        if not raw:
            return ""
        code, problem = self.ref.check(kind, raw)
        if problem:
            self.add(field, *problem)
        return code

    def number(self, value: Any, field: str) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.add(field, ERROR, "type", f"Expected a number, not {type(value).__name__}.")
            return None
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (ValueError, OverflowError):
            self.add(field, ERROR, "type", f"{str(value)[:40]!r} is not a number.")
            return None
        if not math.isfinite(number) or number <= 0:
            self.add(field, ERROR, "range", f"Must be a number greater than zero, not {value!r}.")
            return None
        return number

    def integer(self, value: Any, field: str) -> int | None:
        number = self.number(value, field)
        if number is None:
            return None
        if not number.is_integer():
            self.add(field, ERROR, "type", f"Expected a whole number, not {value!r}.")
            return None
        return int(number)

    def boolean(self, value: Any, field: str) -> bool:
        if isinstance(value, bool) or value is None:
            return bool(value)
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        word = str(value).strip().lower() if isinstance(value, (str, int, float)) else "?"
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        self.add(field, ERROR, "type", f"{str(value)[:20]!r} is not a yes/no value.")
        return False

    def strings(self, value: Any, field: str) -> list[str]:
        """A list of strings; a string is split on ';' (the flat formats' separator)."""
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(";")
        if not isinstance(value, list):
            self.add(field, ERROR, "type", f"Expected a list, not {type(value).__name__}.")
            return []
        return [s for s in (self.text(v, field) for v in value) if s]

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if value is not None:
            self.add(field, ERROR, "type", f"Expected an object, not {type(value).__name__}.")
        return {}

    def items(self, value: Any, field: str) -> list[Any]:
        if isinstance(value, list):
            return value
        if value is not None:
            self.add(field, ERROR, "type", f"Expected a list, not {type(value).__name__}.")
        return []

    # --- the record ---------------------------------------------------------------------

    def record(self, rec: Any) -> dict[str, Any]:
        rec = self.mapping(rec, "")
        voyage = self.voyage(self.mapping(rec.get("voyage"), "voyage"))
        out: dict[str, Any] = {"voyage": voyage,
                               "bl_number": self.text(rec.get("bl_number"), "bl_number",
                                                      required=True)}
        for name in ("place_of_receipt", "port_of_loading"):
            out[name] = self.code("locode", rec.get(name), name)
        out["transshipment_ports"] = [
            p for p in (self.code("locode", s, "transshipment_ports")
                        for s in self.strings(rec.get("transshipment_ports"),
                                              "transshipment_ports")) if p]
        for name in ("port_of_discharge", "final_destination"):
            out[name] = self.code("locode", rec.get(name), name)
        out["freight_terms"] = self.text(rec.get("freight_terms"), "freight_terms").upper()
        out["parties"] = self.parties(self.mapping(rec.get("parties"), "parties"))
        boxes = self.items(rec.get("containers"), "containers")
        out["containers"] = [self.container(c, f"containers[{i}]") for i, c in enumerate(boxes)]
        if not boxes:
            self.add("containers", WARNING, "no_containers", "The bill of lading lists no "
                     "containers.")
        return out

    def voyage(self, v: dict[str, Any]) -> dict[str, Any]:
        return {
            "voyage_id": self.text(v.get("voyage_id"), "voyage.voyage_id", required=True),
            "vessel_imo": self.code("imo", v.get("vessel_imo"), "voyage.vessel_imo"),
            "vessel_name": self.text(v.get("vessel_name"), "voyage.vessel_name"),
            "vessel_flag": self.code("country", v.get("vessel_flag"), "voyage.vessel_flag"),
            "carrier": self.text(v.get("carrier"), "voyage.carrier"),
            "port_of_call": self.code("locode", v.get("port_of_call"), "voyage.port_of_call",
                                      required=True),
            "eta": self.code("eta", v.get("eta"), "voyage.eta"),
        }

    def parties(self, parties: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {role: None for role in PARTY_ROLES}
        for role, p in parties.items():
            field = f"parties.{role}"
            p = self.mapping(p, field)
            name = self.text(p.get("name"), f"{field}.name")
            if not name:
                out[str(role)] = None
                continue
            party = {"name": name, "address": self.text(p.get("address"), f"{field}.address"),
                     "country": self.code("country", p.get("country"), f"{field}.country")}
            if p.get("identifier"):
                party["identifier"] = self.text(p["identifier"], f"{field}.identifier")
            out[str(role)] = party
        return out

    def container(self, c: Any, prefix: str) -> dict[str, Any]:
        c = self.mapping(c, prefix)
        number = self.text(c.get("container_number"), f"{prefix}.container_number")
        if not is_clean_container_number(number):  # core (stdnum) decides, and says why
            try:
                number = validate_container_number(number)
            except InvalidValue as exc:
                self.add(f"{prefix}.container_number", ERROR, exc.code, exc.message)
        size_type = self.code("size_type", c.get("size_type"), f"{prefix}.size_type")
        gross = self.number(c.get("gross_mass_kg"), f"{prefix}.gross_mass_kg")
        vgm = self.number(c.get("vgm_kg"), f"{prefix}.vgm_kg")
        if gross and vgm and abs(gross - vgm) > max(VGM_TOLERANCE_KG,
                                                    gross * VGM_TOLERANCE_SHARE):
            self.add(f"{prefix}.vgm_kg", WARNING, "vgm_far",
                     f"VGM {vgm:g} kg is far from the declared gross mass {gross:g} kg.")
        load = self.text(c.get("full_empty"), f"{prefix}.full_empty").upper() or "F"
        if load not in ("F", "E"):
            self.add(f"{prefix}.full_empty", WARNING, "unknown",
                     f"Full/empty indicator {load[:10]!r} is neither F nor E; taken as full.")
            load = "F"
        goods = self.items(c.get("goods"), f"{prefix}.goods")
        return {
            "container_number": number, "size_type": size_type,
            "seals": self.strings(c.get("seals"), f"{prefix}.seals"),
            "gross_mass_kg": gross, "vgm_kg": vgm, "full_empty": load,
            "reefer": self.boolean(c.get("reefer"), f"{prefix}.reefer")
            or is_reefer_type(size_type),
            "goods": [self.goods(g, f"{prefix}.goods[{j}]") for j, g in enumerate(goods)],
        }

    def goods(self, g: Any, prefix: str) -> dict[str, Any]:
        g = self.mapping(g, prefix)
        gross = self.number(g.get("gross_kg"), f"{prefix}.gross_kg")
        net = self.number(g.get("net_kg"), f"{prefix}.net_kg")
        if gross and net and net > gross:
            self.add(f"{prefix}.net_kg", WARNING, "net_above_gross",
                     f"Net mass {net:g} kg is above the gross mass {gross:g} kg.")
        value = self.number(g.get("value"), f"{prefix}.value")
        currency = self.code("currency", g.get("currency"), f"{prefix}.currency")
        if value and not currency:
            self.add(f"{prefix}.currency", WARNING, "missing", "A value is given without "
                     "its currency.")
        return {
            "hs_code": self.code("hs", g.get("hs_code"), f"{prefix}.hs_code"),
            "description": self.text(g.get("description"), f"{prefix}.description"),
            "packages": self.integer(g.get("packages"), f"{prefix}.packages"),
            "package_type": self.text(g.get("package_type"), f"{prefix}.package_type"),
            "gross_kg": gross, "net_kg": net, "value": value, "currency": currency,
            "origin_country": self.code("country", g.get("origin_country"),
                                        f"{prefix}.origin_country"),
        }


def locate(field: str, locations: dict[str, str], default: str) -> str:
    """The location of the most specific prefix of `field` ("containers[1].goods[0].x"
    tries "containers[1].goods[0]", then "containers[1]", then "")."""
    while field:
        if field in locations:
            return locations[field]
        field = field.rpartition(".")[0]
    return locations.get("", default)


def record_key(rec: Any) -> str:
    if isinstance(rec, dict):
        bl = rec.get("bl_number")
        if isinstance(bl, (str, int)) and not isinstance(bl, bool):
            return str(bl).strip()[:60]
    return ""


def validate_record(rec: Any, ref: Reference | None = None, *, source: str = "",
                    location: str = "", locations: dict[str, str] | None = None,
                    ) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Return (clean record or None when an error rejects it, findings).

    `location` is where the record starts; `locations` may refine it per field prefix
    (e.g. {"containers[1]": "line 14"}) so a finding points at the line or segment to fix.
    """
    checker = _Validator(ref or _default_reference())
    clean = checker.record(rec)
    if not checker.problems:
        return clean, []
    key = record_key(rec)
    where = locations or {}
    findings = [Finding(source, locate(field, where, location), key, field, code, message,
                        severity) for field, severity, code, message in checker.problems]
    return (None if checker.errors else clean), findings
