"""validate_record's record walk against the plain walk it replaced.

_Validator.record reads values of the expected type inline (and remembers a voyage's
outcome per Reference); PlainValidator below is the walk as first written, every field
through text/code/number/..., kept here as the oracle. Both must give the same clean record
and the same problems, in the same order, for any input.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portcontrol.core.containers import (
    is_reefer_type,
    validate_container_number,
)
from portcontrol.core.errors import InvalidValue
from portcontrol.intake.fastchecks import is_clean_container_number
from portcontrol.intake.findings import ERROR, WARNING
from portcontrol.intake.validate import (
    LENGTH_LIMITS,
    PARTY_ROLES,
    TRANSSHIPMENT_DATES,
    VGM_TOLERANCE_KG,
    VGM_TOLERANCE_SHARE,
    Reference,
    _Validator,
    validate_record,
)
from portcontrol.testing.records import sample_records

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class PlainValidator(_Validator):
    """The record walk as first written (with the column-width rule added since): the
    oracle. A new rule in _Validator.record belongs here too."""

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
        for name in TRANSSHIPMENT_DATES:
            out[name] = self.code("day", rec.get(name), name)
        self.transshipment_dates(out, voyage)
        for name in ("port_of_discharge", "final_destination"):
            out[name] = self.code("locode", rec.get(name), name)
        out["freight_terms"] = self.text(rec.get("freight_terms"), "freight_terms").upper()
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
                self.add(f"{prefix}.container_number", ERROR, exc.code, exc.message,
                         exc.message_ru)
        size_type = self.code("size_type", c.get("size_type"), f"{prefix}.size_type")
        gross = self.number(c.get("gross_mass_kg"), f"{prefix}.gross_mass_kg")
        vgm = self.number(c.get("vgm_kg"), f"{prefix}.vgm_kg")
        if gross and vgm and abs(gross - vgm) > max(VGM_TOLERANCE_KG,
                                                    gross * VGM_TOLERANCE_SHARE):
            self.add(f"{prefix}.vgm_kg", WARNING, "vgm_far",
                     f"VGM {vgm:g} kg is far from the declared gross mass {gross:g} kg.",
                     f"VGM (подтверждённая масса брутто) {vgm:g} кг сильно отличается от "
                     f"заявленной массы брутто {gross:g} кг.")
        load = self.text(c.get("full_empty"), f"{prefix}.full_empty").upper() or "F"
        if load not in ("F", "E"):
            self.add(f"{prefix}.full_empty", WARNING, "unknown",
                     f"Full/empty indicator {load[:10]!r} is neither F nor E; taken as full.",
                     f"Признак «гружёный/порожний» {load[:10]!r} — не F и не E; контейнер "
                     "считается гружёным.")
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
                     f"Net mass {net:g} kg is above the gross mass {gross:g} kg.",
                     f"Масса нетто {net:g} кг больше массы брутто {gross:g} кг.")
        value = self.number(g.get("value"), f"{prefix}.value")
        currency = self.code("currency", g.get("currency"), f"{prefix}.currency")
        if value and not currency:
            self.add(f"{prefix}.currency", WARNING, "missing", "A value is given without "
                     "its currency.", "Стоимость указана без валюты.")
        return {
            "hs_code": self.code("hs", g.get("hs_code"), f"{prefix}.hs_code"),
            "description": self.text(g.get("description"), f"{prefix}.description"),
            "packages": self.integer(g.get("packages"), f"{prefix}.packages"),
            "package_type": self.text(g.get("package_type"), f"{prefix}.package_type"),
            "gross_kg": gross, "net_kg": net, "value": value, "currency": currency,
            "origin_country": self.code("country", g.get("origin_country"),
                                        f"{prefix}.origin_country"),
        }


def walk(validator_class: type[_Validator], rec: Any, ref: Reference) -> Any:
    checker = validator_class(ref)
    clean = checker.record(copy.deepcopy(rec))
    return repr(clean), checker.problems, checker.errors


def same(rec: Any, ref: Reference | None = None) -> None:
    ref = ref or Reference.load()
    plain = walk(PlainValidator, rec, ref)
    assert walk(_Validator, rec, ref) == plain
    assert walk(_Validator, rec, ref) == plain  # again: now from the voyage memo


VALUES = [None, "", " ", " x ", 0, 1, -1, 2.5, 0.0, -3.0, math.nan, math.inf, -math.inf, True,
          False, [], {}, ["a", 1], {"a": 1}, "GEPTI", " ge pti ", "XXXXX", "zz", "US", "usd",
          "USD", "EUR1", "080390", "0803.90", "99", "1,5", "1e400", "12", "0012", "\u00b2",
          "\u0661\u0662", "1_000", " 5 ", "5.0", "5.5", "-4", "F", "e", "E", "X", "yes", "no",
          "2026-11-24T06:00:00Z", "2026-13-01", "9321483", "IMO 9321483", "MSCU1234566",
          "mscu 123456-6", "MSCU1234567", "45R1", "22G1", "ZZZZ", "a;b; ;GEPTI", ";", "0",
          "9" * 400, 7, 7.0, 1e300, 2 ** 70, "nan", "inf", "PREPAID", " collect "]


def mutated(draw: Any, value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            roll = draw(st.integers(0, 99))
            if roll < 8:
                out[key] = draw(st.sampled_from(VALUES))
            elif roll < 11:
                continue
            else:
                out[key] = mutated(draw, inner, depth + 1)
        if draw(st.integers(0, 99)) < 5:
            out[draw(st.sampled_from(["identifier", "extra", "reefer", "seals", "goods"]))] = \
                draw(st.sampled_from(VALUES))
        return out
    if isinstance(value, list):
        out_list = [mutated(draw, inner, depth + 1) for inner in value]
        if draw(st.integers(0, 99)) < 8:
            out_list.append(draw(st.sampled_from(VALUES)))
        return out_list
    return value


def cuscar_shaped(rec: dict[str, Any]) -> dict[str, Any]:
    """A record as the CUSCAR reader hands it to validation: masses as floats, package
    counts as text."""
    out = json.loads(json.dumps(rec))
    for box in out["containers"]:
        for key in ("gross_mass_kg", "vgm_kg"):
            box[key] = float(box[key]) if box.get(key) is not None else None
        for goods in box["goods"]:
            for key in ("gross_kg", "net_kg", "value"):
                goods[key] = float(goods[key]) if goods.get(key) is not None else None
            goods["packages"] = str(goods["packages"])
    return out


BASES = [json.loads(json.dumps(r)) for r in sample_records()]
BASES += [cuscar_shaped(r) for r in BASES]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


def test_every_field_with_every_odd_value_walks_as_the_plain_walk():
    ref = Reference.load()
    for base in BASES[3:]:
        for path in leaves(base):
            for value in VALUES:
                rec = copy.deepcopy(base)
                target = rec
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                same(rec, ref)


@st.composite
def records(draw: Any) -> Any:
    return mutated(draw, draw(st.sampled_from(BASES)))


@FUZZ
@given(records())
def test_the_record_walk_is_the_plain_walk(rec):
    same(rec)


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(
                        ["voyage", "bl_number", "containers", "goods", "parties", "shipper",
                         "seals", "hs_code", "gross_mass_kg", "reefer", "packages", "eta",
                         "port_of_call", "container_number", "transshipment_ports", "name",
                         "country", "vgm_kg", "full_empty", "value", "currency",
                         "transshipment_arrival", "transshipment_departure"]),
                        inner, max_size=6), max_leaves=30))
def test_the_record_walk_is_the_plain_walk_on_any_shape(value):
    same(value)


def test_the_record_walk_is_the_plain_walk_on_generated_records(generated_records):
    ref = Reference.load()
    for rec in generated_records[:500]:
        same(rec, ref)


def test_voyage_memo_tells_text_from_numbers_and_copies_its_answer():
    ref = Reference.load()
    base = json.loads(json.dumps(sample_records()[0]))
    for value in ["7", 7, 7.0, True, " 7 ", None, "", [7]]:
        rec = copy.deepcopy(base)
        rec["voyage"]["voyage_id"] = value
        rec["voyage"]["vessel_imo"] = value
        same(rec, ref)
    for calls in range(3):  # the first answer (stored), then the remembered ones
        fresh = Reference(ref.ports, ref.hs, ref.countries, ref.size_types, ref.currencies)
        for _ in range(calls):
            validate_record(base, fresh)
        clean, _ = validate_record(base, fresh)
        assert clean is not None
        clean["voyage"]["voyage_id"] = "CHANGED"  # a caller may change what it was given
        again, _ = validate_record(base, fresh)
        assert again is not None and again["voyage"]["voyage_id"] == "MSCU-9321483-001E"


def test_a_reference_with_its_own_check_is_asked_every_time():
    class Counting(Reference):
        calls = 0

        def check(self, kind: str, raw: str) -> Any:
            Counting.calls += 1
            return super().check(kind, raw)

    base = Reference.load()
    ref = Counting(base.ports, base.hs, base.countries, base.size_types, base.currencies)
    rec = sample_records()[0]
    validate_record(rec, ref)
    first = Counting.calls
    validate_record(rec, ref)
    assert first > 0 and Counting.calls == 2 * first
    same(rec, ref)
