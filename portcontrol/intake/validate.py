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
from datetime import date, datetime
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

Problem = tuple[Severity, str, str, str]  # severity, code, message, message in Russian
Check = tuple[str, Problem | None]  # normalised value, problem
# Identifiers and names the database stores in columns of a fixed width.
LENGTH_LIMITS = {"voyage.voyage_id": 40, "voyage.carrier": 40, "voyage.vessel_name": 120,
                 "bl_number": 40, "freight_terms": 10}
VGM_TOLERANCE_KG = 500.0
VGM_TOLERANCE_SHARE = 0.05
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", ""})
PARTY_ROLES = ("shipper", "consignee", "notify")
_MEMO_LIMIT = 200_000
_VOYAGE_MEMO_LIMIT = 1024
_INF = math.inf
_TEXT_OR_NONE = frozenset({str, type(None)})
VOYAGE_FIELDS = ("voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier",
                 "port_of_call", "eta")
# The days a bill's boxes arrived at and left their last transshipment port (the dwell there
# is what the hub_dwell indicator reads).
TRANSSHIPMENT_DATES = ("transshipment_arrival", "transshipment_departure")
# A value's Python type as the Russian messages name it.
_TYPE_RU = {"str": "текст", "int": "целое число", "float": "число", "bool": "значение «да/нет»",
            "list": "список", "dict": "объект", "NoneType": "пустое значение"}


def type_ru(value: Any) -> str:
    name = type(value).__name__
    return _TYPE_RU.get(name, name)


def _eta(raw: str) -> str:
    try:
        datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"Date {raw!r} is not an ISO 8601 date and time "
                           "(for example 2026-11-24T06:00:00Z).", code="date",
                           message_ru=f"Дата {raw!r} не в формате ISO 8601 (дата и время, "
                                      "например 2026-11-24T06:00:00Z).") from None
    return raw


def _day(raw: str) -> str:
    """A calendar day as YYYY-MM-DD; an ISO date and time gives its date (the day the box
    arrived at or left a port is what the dwell needs, not the hour)."""
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        return datetime.fromisoformat(raw).date().isoformat()
    except ValueError:
        raise InvalidValue(f"Date {raw!r} is not an ISO 8601 date (for example 2026-11-24).",
                           code="date", message_ru=f"Дата {raw!r} не в формате ISO 8601 "
                           "(например 2026-11-24).") from None


def _is_day(value: str) -> bool:
    """Empty, or a day as _day writes it."""
    return not value or (len(value) == 10 and value[4] == "-" and value[7] == "-"
                         and value.replace("-", "").isdigit())


class Reference:
    """The reference lists validation needs, as sets, plus a memo of checked values."""

    def __init__(self, ports: frozenset[str], hs: frozenset[str], countries: frozenset[str],
                 size_types: frozenset[str], currencies: frozenset[str]):
        self.ports, self.hs, self.countries = ports, hs, countries
        self.size_types, self.currencies = size_types, currencies
        self._memo: dict[tuple[str, str], Check] = {}
        # voyage values -> (clean voyage, problems): see _Validator.voyage_memo
        self._voyages: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[Any, ...]]] = {}
        self._checks: dict[str, Callable[[str], Check]] = {
            "locode": self._locode, "country": self._country, "hs": self._hs,
            "currency": self._currency, "size_type": self._size_type,
            "imo": lambda raw: (normalize_imo(raw), None), "eta": lambda raw: (_eta(raw), None),
            "day": lambda raw: (_day(raw), None),
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
                found = (raw, (ERROR, exc.code, exc.message, exc.message_ru))
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
                          f"UN/LOCODE {code} is not in the reference list (which is partial).",
                          f"Кода UN/LOCODE {code} нет в справочнике (справочник неполный).")
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
                               code="unknown",
                               message_ru=f"Кода типоразмера {code} нет в перечне ISO 6346.")
        return code, None


@lru_cache(maxsize=1)
def _default_reference() -> Reference:
    return Reference(frozenset(vendored.ports()), vendored.hs_codes(),
                     frozenset(vendored.countries()), frozenset(vendored.size_types()),
                     vendored.currencies())


class _Validator:
    """Walks one record, building the clean copy and collecting findings.

    The record walk reads a value of the expected type (text that is a str, a mass that is
    a positive float, a list of str) inline, and builds a field's name only when that field
    has a problem; every other value goes through the general methods (text, code, number,
    ...), which say what is wrong. Both ways give the same clean record and the same problems
    in the same order (tests/test_validate_fast.py compares them with the plain walk)."""

    def __init__(self, ref: Reference):
        self.ref = ref
        # field, severity, code, message, message in Russian
        self.problems: list[tuple[str, Severity, str, str, str]] = []
        self.errors = 0
        # Reference.check's memo, read directly when check is Reference's own.
        memo = getattr(ref, "_memo", None)
        own = getattr(getattr(ref, "check", None), "__func__", None) is Reference.check
        self._known = memo.get if own and isinstance(memo, dict) else None

    def add(self, field: str, severity: Severity, code: str, message: str,
            message_ru: str = "") -> None:
        self.problems.append((field, severity, code, message, message_ru))
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
            self.add(field, ERROR, "type", f"Expected text, not {type(value).__name__}.",
                     f"Ожидался текст, а не {type_ru(value)}.")
            return ""
        if required and not out:
            self.add(field, ERROR, "missing", "This field is required and is empty.",
                     "Обязательное поле не заполнено.")
        return out

    def code(self, kind: str, value: Any, field: str, *, required: bool = False) -> str:
        raw = self.text(value, field, required=required)
        if not raw:
            return ""
        code, problem = self.ref.check(kind, raw)
        if problem:
            self.add(field, *problem)
        return code

    def code_at(self, kind: str, value: Any, prefix: str, name: str) -> str:
        """code(kind, value, f"{prefix}.{name}") (not required), naming the field only
        when it has a problem."""
        if type(value) is str:
            raw = value.strip()
            if not raw:
                return ""
            found = self._known((kind, raw)) if self._known is not None else None
            code, problem = found if found is not None else self.ref.check(kind, raw)
            if problem:
                self.add(f"{prefix}.{name}" if prefix else name, *problem)
            return code
        return self.code(kind, value, f"{prefix}.{name}" if prefix else name)

    def number(self, value: Any, field: str) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.add(field, ERROR, "type", f"Expected a number, not {type(value).__name__}.",
                     f"Ожидалось число, а не {type_ru(value)}.")
            return None
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (ValueError, OverflowError):
            self.add(field, ERROR, "type", f"{str(value)[:40]!r} is not a number.",
                     f"{str(value)[:40]!r} — не число.")
            return None
        if not math.isfinite(number) or number <= 0:
            self.add(field, ERROR, "range", f"Must be a number greater than zero, not {value!r}.",
                     f"Нужно число больше нуля, а не {value!r}.")
            return None
        return number

    def number_at(self, value: Any, prefix: str, name: str) -> float | None:
        """number(value, f"{prefix}.{name}"); a positive finite float is taken as it is."""
        if type(value) is float and 0.0 < value < _INF:
            return value
        if value is None:
            return None
        return self.number(value, f"{prefix}.{name}")

    def integer(self, value: Any, field: str) -> int | None:
        number = self.number(value, field)
        if number is None:
            return None
        if not number.is_integer():
            self.add(field, ERROR, "type", f"Expected a whole number, not {value!r}.",
                     f"Ожидалось целое число, а не {value!r}.")
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
        self.add(field, ERROR, "type", f"{str(value)[:20]!r} is not a yes/no value.",
                 f"{str(value)[:20]!r} — не значение «да/нет».")
        return False

    def strings(self, value: Any, field: str) -> list[str]:
        """A list of strings; a string is split on ';' (the flat formats' separator)."""
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(";")
        if not isinstance(value, list):
            self.add(field, ERROR, "type", f"Expected a list, not {type(value).__name__}.",
                     f"Ожидался список, а не {type_ru(value)}.")
            return []
        return [s for s in (self.text(v, field) for v in value) if s]

    def strings_at(self, value: Any, prefix: str, name: str) -> list[str]:
        """strings(value, f"{prefix}.{name}") for a list of str without building the name."""
        if type(value) is list:
            out = []
            for v in value:
                if type(v) is not str:
                    return self.strings(value, f"{prefix}.{name}" if prefix else name)
                v = v.strip()
                if v:
                    out.append(v)
            return out
        return self.strings(value, f"{prefix}.{name}" if prefix else name)

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if value is not None:
            self.add(field, ERROR, "type", f"Expected an object, not {type(value).__name__}.",
                     f"Ожидался объект, а не {type_ru(value)}.")
        return {}

    def items(self, value: Any, field: str) -> list[Any]:
        if isinstance(value, list):
            return value
        if value is not None:
            self.add(field, ERROR, "type", f"Expected a list, not {type(value).__name__}.",
                     f"Ожидался список, а не {type_ru(value)}.")
        return []

    # --- the record ---------------------------------------------------------------------

    def record(self, rec: Any) -> dict[str, Any]:
        rec = self.mapping(rec, "")
        voyage = self.voyage_memo(self.mapping(rec.get("voyage"), "voyage"))
        bl = rec.get("bl_number")
        out: dict[str, Any] = {"voyage": voyage,
                               "bl_number": bl.strip() if type(bl) is str and bl.strip()
                               else self.text(bl, "bl_number", required=True)}
        code_at = self.code_at
        out["place_of_receipt"] = code_at("locode", rec.get("place_of_receipt"), "",
                                          "place_of_receipt")
        out["port_of_loading"] = code_at("locode", rec.get("port_of_loading"), "",
                                         "port_of_loading")
        out["transshipment_ports"] = [
            p for p in (code_at("locode", s, "", "transshipment_ports")
                        for s in self.strings_at(rec.get("transshipment_ports"), "",
                                                 "transshipment_ports")) if p]
        for name in TRANSSHIPMENT_DATES:
            out[name] = code_at("day", rec.get(name), "", name)
        self.transshipment_dates(out, voyage)
        out["port_of_discharge"] = code_at("locode", rec.get("port_of_discharge"), "",
                                           "port_of_discharge")
        out["final_destination"] = code_at("locode", rec.get("final_destination"), "",
                                           "final_destination")
        terms = rec.get("freight_terms")
        out["freight_terms"] = (terms.strip() if type(terms) is str
                                else self.text(terms, "freight_terms")).upper()
        out["parties"] = self.parties(self.mapping(rec.get("parties"), "parties"))
        for field, limit in LENGTH_LIMITS.items():
            value = voyage[field[7:]] if field.startswith("voyage.") else out[field]
            if len(value) > limit:
                self.add(field, ERROR, "too_long",
                         f"At most {limit} characters; this value has {len(value)}.",
                         f"Не более {limit} знаков; в этом значении знаков: {len(value)}.")
        boxes = self.items(rec.get("containers"), "containers")
        out["containers"] = [self.container(c, f"containers[{i}]") for i, c in enumerate(boxes)]
        if not boxes:
            self.add("containers", WARNING, "no_containers", "The bill of lading lists no "
                     "containers.", "В коносаменте не указано ни одного контейнера.")
        return out

    def transshipment_dates(self, out: dict[str, Any], voyage: dict[str, Any]) -> None:
        """The days the boxes arrived at and left their (last) transshipment port: left
        before they arrived is an error (one of the two is wrong); left after this port's
        arrival, or dates for a bill routed through no transshipment port, are warnings."""
        arrived, left = out["transshipment_arrival"], out["transshipment_departure"]
        if not (arrived or left):
            return
        if not (_is_day(arrived) and _is_day(left)):
            return  # the date's own error says what is wrong
        if arrived and left and left < arrived:
            self.add("transshipment_departure", ERROR, "transshipment_order",
                     f"Left the transshipment port on {left}, before arriving there on "
                     f"{arrived}.", f"Убытие из порта перевалки {left} раньше прибытия туда "
                     f"{arrived}.")
        eta_day = voyage.get("eta", "")[:10]
        latest = max(arrived, left)
        if eta_day and len(eta_day) == 10 and latest > eta_day:
            field = "transshipment_departure" if latest == left else "transshipment_arrival"
            self.add(field, WARNING, "transshipment_after_arrival",
                     f"Transshipment date {latest} is after the ship's arrival here "
                     f"({eta_day}).", f"Дата перевалки {latest} позже прибытия судна сюда "
                     f"({eta_day}).")
        if not out["transshipment_ports"]:
            self.add("transshipment_ports", WARNING, "transshipment_dates_without_port",
                     "Transshipment dates are given but no transshipment port.",
                     "Указаны даты перевалки, но не указан порт перевалки.")

    def voyage_memo(self, v: dict[str, Any]) -> dict[str, Any]:
        """voyage(v), remembered per Reference for a voyage of plain text values: every bill
        of lading of a message carries the same one."""
        memo = getattr(self.ref, "_voyages", None)
        if memo is None or self._known is None or type(v) is not dict:
            return self.voyage(v)
        key = tuple([v.get(name) for name in VOYAGE_FIELDS])
        if not _TEXT_OR_NONE.issuperset(map(type, key)):
            return self.voyage(v)  # 1 == 1.0 == True: only text makes a safe key
        found = memo.get(key)
        if found is None:
            start = len(self.problems)
            clean = self.voyage(v)
            if len(memo) >= _VOYAGE_MEMO_LIMIT:
                memo.clear()
            memo[key] = found = (clean, tuple(self.problems[start:]))
            return dict(clean)
        clean, problems = found
        for problem in problems:
            self.add(*problem)
        return dict(clean)

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
            if not isinstance(p, dict):
                p = self.mapping(p, field)
            name = p.get("name")
            name = name.strip() if type(name) is str else self.text(name, f"{field}.name")
            if not name:
                out[str(role)] = None
                continue
            address = p.get("address")
            party = {"name": name,
                     "address": address.strip() if type(address) is str
                     else self.text(address, f"{field}.address"),
                     "country": self.code_at("country", p.get("country"), field, "country")}
            if p.get("identifier"):
                party["identifier"] = self.text(p["identifier"], f"{field}.identifier")
            out[str(role)] = party
        return out

    def container(self, c: Any, prefix: str) -> dict[str, Any]:
        if not isinstance(c, dict):
            c = self.mapping(c, prefix)
        number = c.get("container_number")
        number = number.strip() if type(number) is str \
            else self.text(number, f"{prefix}.container_number")
        if not is_clean_container_number(number):  # core (stdnum) decides, and says why
            try:
                number = validate_container_number(number)
            except InvalidValue as exc:
                self.add(f"{prefix}.container_number", ERROR, exc.code, exc.message,
                         exc.message_ru)
        size_type = self.code_at("size_type", c.get("size_type"), prefix, "size_type")
        gross = self.number_at(c.get("gross_mass_kg"), prefix, "gross_mass_kg")
        vgm = self.number_at(c.get("vgm_kg"), prefix, "vgm_kg")
        if gross and vgm and abs(gross - vgm) > max(VGM_TOLERANCE_KG,
                                                    gross * VGM_TOLERANCE_SHARE):
            self.add(f"{prefix}.vgm_kg", WARNING, "vgm_far",
                     f"VGM {vgm:g} kg is far from the declared gross mass {gross:g} kg.",
                     f"VGM (подтверждённая масса брутто) {vgm:g} кг сильно отличается от "
                     f"заявленной массы брутто {gross:g} кг.")
        load = c.get("full_empty")
        load = (load.strip() if type(load) is str
                else self.text(load, f"{prefix}.full_empty")).upper() or "F"
        if load != "F" and load != "E":
            self.add(f"{prefix}.full_empty", WARNING, "unknown",
                     f"Full/empty indicator {load[:10]!r} is neither F nor E; taken as full.",
                     f"Признак «гружёный/порожний» {load[:10]!r} — не F и не E; контейнер "
                     "считается гружёным.")
            load = "F"
        goods = c.get("goods")
        if not isinstance(goods, list):
            goods = self.items(goods, f"{prefix}.goods")
        seals = self.strings_at(c.get("seals"), prefix, "seals")
        reefer = c.get("reefer")
        if reefer is not True and reefer is not False:
            reefer = self.boolean(reefer, f"{prefix}.reefer")
        return {
            "container_number": number, "size_type": size_type, "seals": seals,
            "gross_mass_kg": gross, "vgm_kg": vgm, "full_empty": load,
            "reefer": reefer or is_reefer_type(size_type),
            "goods": [self.goods(g, f"{prefix}.goods[{j}]") for j, g in enumerate(goods)],
        }

    def goods(self, g: Any, prefix: str) -> dict[str, Any]:
        if not isinstance(g, dict):
            g = self.mapping(g, prefix)
        gross = self.number_at(g.get("gross_kg"), prefix, "gross_kg")
        net = self.number_at(g.get("net_kg"), prefix, "net_kg")
        if gross and net and net > gross:
            self.add(f"{prefix}.net_kg", WARNING, "net_above_gross",
                     f"Net mass {net:g} kg is above the gross mass {gross:g} kg.",
                     f"Масса нетто {net:g} кг больше массы брутто {gross:g} кг.")
        value = self.number_at(g.get("value"), prefix, "value")
        currency = self.code_at("currency", g.get("currency"), prefix, "currency")
        if value and not currency:
            self.add(f"{prefix}.currency", WARNING, "missing", "A value is given without "
                     "its currency.", "Стоимость указана без валюты.")
        hs_code = self.code_at("hs", g.get("hs_code"), prefix, "hs_code")
        description = g.get("description")
        description = description.strip() if type(description) is str \
            else self.text(description, f"{prefix}.description")
        packages = g.get("packages")
        if type(packages) is str and packages.isascii() and packages.isdigit() and \
                0.0 < (count := float(packages)) < _INF:
            packages = int(count)  # what integer() makes of a plain count
        else:
            packages = self.integer(packages, f"{prefix}.packages")
        package_type = g.get("package_type")
        package_type = package_type.strip() if type(package_type) is str \
            else self.text(package_type, f"{prefix}.package_type")
        return {
            "hs_code": hs_code, "description": description, "packages": packages,
            "package_type": package_type, "gross_kg": gross, "net_kg": net, "value": value,
            "currency": currency,
            "origin_country": self.code_at("country", g.get("origin_country"), prefix,
                                           "origin_country"),
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
                        severity, message_ru)
                for field, severity, code, message, message_ru in checker.problems]
    return (None if checker.errors else clean), findings
