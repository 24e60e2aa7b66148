"""CUSCAR (customs cargo report) messages -> canonical records, one per bill of lading.

Where each field sits is the message profile's business (profiles/*.yaml); this module only
walks the segments with a little context: before the first bill of lading a segment speaks
about the voyage (TDT, LOC port of call, DTM arrival), after it about the current bill of
lading, goods item (after GID) or container (after EQD). A bill of lading is complete when
the next one opens or the message ends; then it is validated and yielded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portcontrol.core.containers import normalize_container_number

from .edifact import Elements, Header, comp, run
from .findings import WARNING, Finding, Outcome
from .profiles import load_profile, parse_path
from .validate import TRANSSHIPMENT_DATES, Reference, validate_record

_DTM = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S", "101": "%y%m%d",
        "201": "%y%m%d%H%M"}
_DTM_BY_LENGTH = {8: "102", 12: "203", 14: "204"}
Path_ = tuple[int, int | None]


def pick(elements: Elements, path: Path_) -> str:
    element, component = path
    if component is not None:
        return comp(elements, element, component).strip()
    if element < len(elements):
        return " ".join(p.strip() for p in elements[element] if p.strip())
    return ""


def dtm_iso(value: str, fmt: str, timezone: str) -> str:
    """An EDIFACT date/time (DTM C507) as ISO 8601; unreadable ones pass through unchanged
    so that validation rejects them with the value in the message."""
    pattern = _DTM.get(fmt or _DTM_BY_LENGTH.get(len(value), ""))
    if not pattern:
        return value
    try:
        moment = datetime.strptime(value, pattern)
    except ValueError:
        return value
    if fmt in ("102", "101") or (not fmt and len(value) == 8):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + timezone


def aware(iso: str) -> datetime | None:
    """An ISO date/time as an aware datetime (UTC when it carries no zone)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def amount(value: str, factor: float = 1.0) -> float | str | None:
    """A number (either decimal mark) times `factor`; text that is not a number is kept as
    it is, so that validation rejects it naming the value."""
    text = value.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", ".")) * factor
    except ValueError:
        return text


class _Rules:
    """The profile, turned into sets and paths once."""

    def __init__(self, p: dict[str, Any]):
        v, c, g = p["voyage"], p["consignment"], p["goods"]
        m, e = p["measurements"], p["containers"]
        self.message_types = tuple(str(t).upper() for t in p.get("message_types", ["CUSCAR"]))
        self.timezone = str(p.get("timezone") or "")
        t = v["transport"]
        self.tdt, self.stages = t["segment"], set(map(str, t.get("stages", [])))
        self.tdt_paths = {k: parse_path(t[k], f"voyage.transport.{k}")
                          for k in ("voyage_id", "carrier", "vessel_imo", "vessel_name",
                                    "vessel_flag") if k in t}
        self.voyage_refs = set(v.get("voyage_references", []))
        self.poc = (v["port_of_call"]["segment"], set(map(str, v["port_of_call"]["qualifiers"])),
                    parse_path(v["port_of_call"].get("path", "1.0"), "voyage.port_of_call"))
        self.eta = (v["eta"]["segment"], set(map(str, v["eta"]["qualifiers"])))
        sent = v.get("message_date") or {"qualifiers": []}
        self.message_date = set(map(str, sent["qualifiers"]))
        self.bl_sources = [(s["segment"], set(map(str, s.get("qualifiers", []))),
                            parse_path(s["path"], "consignment.bill_of_lading"))
                           for s in c["bill_of_lading"]]
        self.ports = (c["ports"]["segment"], parse_path(c["ports"]["path"], "consignment.ports"),
                      {str(k): str(f) for k, f in c["ports"]["qualifiers"].items()})
        self.poc_from = c.get("port_of_call_from")
        days = c.get("transshipment_days") or {}
        # qualifier -> (field, rank): the first qualifier listed wins over the later ones
        self.ts_days_tag = days.get("segment")
        self.ts_days = {str(q): (field, rank) for key, field in (
            ("arrival", "transshipment_arrival"), ("departure", "transshipment_departure"))
            for rank, q in enumerate(days.get(key) or [])}
        ft = c.get("freight_terms") or {}
        self.freight = (ft.get("segment"), parse_path(ft.get("path", "2.0"), "freight_terms"),
                        {str(k): str(x) for k, x in (ft.get("values") or {}).items()})
        pa = c["parties"]
        self.nad, self.roles = pa["segment"], {str(k): str(r) for k, r in pa["roles"].items()}
        self.name_from = str(pa.get("name", "C080")).upper()
        self.gid = g["segment"]
        self.packages = parse_path(g["packages"], "goods.packages")
        self.package_type = parse_path(g["package_type"], "goods.package_type")
        self.desc = (g["description"]["segment"], set(g["description"]["qualifiers"]),
                     parse_path(g["description"]["path"], "goods.description"))
        self.pia, self.code_types = g["commodity"]["segment"], set(g["commodity"]["code_types"])
        self.moa, self.moa_quals = g["value"]["segment"], set(map(str, g["value"]["qualifiers"]))
        self.origin = (g["origin"]["segment"], set(map(str, g["origin"]["qualifiers"])),
                       parse_path(g["origin"]["path"], "goods.origin"))
        self.sgp = (g["container"]["segment"], parse_path(g["container"]["path"],
                                                          "goods.container"))
        self.mea, self.mea_quals = m["segment"], set(m["qualifiers"])
        self.gross, self.net, self.vgm = set(m["gross"]), set(m["net"]), set(m["vgm"])
        self.units = {str(k).upper(): float(f) for k, f in m["units"].items()}
        self.eqd, self.eqd_quals = e["segment"], set(e["qualifiers"])
        self.eqd_number = parse_path(e["number"], "containers.number")
        self.eqd_size = parse_path(e["size_type"], "containers.size_type")
        fe = e.get("full_empty") or {}
        self.full_empty = (parse_path(fe.get("path", "5.0"), "containers.full_empty"),
                           {str(k): str(x) for k, x in (fe.get("values") or {}).items()})
        self.container_refs = set(e.get("references") or [])
        self.sel = (e["seals"]["segment"], parse_path(e["seals"]["path"], "containers.seals"))
        self.reefer_tags = set(e.get("reefer_segments") or [])
        used = {self.tdt, self.poc[0], self.eta[0], self.ports[0], self.nad, self.gid,
                self.desc[0], self.pia, self.moa, self.origin[0], self.sgp[0], self.mea,
                self.eqd, self.sel[0], self.freight[0], self.ts_days_tag, *self.reefer_tags,
                *(s[0] for s in self.bl_sources)}
        self.known = {t for t in used if t} | set(p.get("ignore") or [])


def _in_turn(methods: list[Any]) -> Callable[[int, Elements], list[Outcome] | None]:
    """One function for a tag that several parts of the profile read (e.g. RFF): each in
    turn, the last result that is not empty wins."""
    def read(number: int, elements: Elements) -> list[Outcome] | None:
        out: list[Outcome] | None = None
        for method in methods:
            result = method(number, elements)
            if result:
                out = result
        return out
    return read


class _Consignment:
    __slots__ = (
        "bl",
        "containers",
        "fields",
        "goods",
        "has_body",
        "notes",
        "parties",
        "start",
        "transshipment",
        "ts_days",
    )

    def __init__(self, bl: str, start: int):
        self.bl, self.start, self.has_body = bl, start, False
        self.fields: dict[str, str] = {}
        self.transshipment: list[str] = []
        # the last transshipment port's days: field -> (rank, ISO text); None while the
        # segments read are not about a transshipment port
        self.ts_days: dict[str, tuple[int, str]] | None = None
        self.parties: dict[str, dict[str, str] | None] = {}
        self.containers: dict[str, tuple[int, dict[str, Any]]] = {}  # number -> (seg, box)
        self.goods: list[tuple[int, dict[str, Any], str]] = []  # (segment, goods, container)
        # field, code, message, message in Russian (warnings)
        self.notes: list[tuple[str, str, str, str]] = []

    def open_days(self) -> None:
        """A transshipment port: the DTMs that follow date it, and an earlier port's days
        no longer count (the last port's do)."""
        self.ts_days = {}
        for day in TRANSSHIPMENT_DATES:
            self.fields.pop(day, None)

    def close_days(self) -> None:
        """Another segment than a transshipment port's DTM: keep the days read for the port,
        read no more."""
        for day, (_rank, value) in (self.ts_days or {}).items():
            self.fields[day] = value
        self.ts_days = None


def new_box(number: str) -> dict[str, Any]:
    return {"container_number": number, "size_type": "", "seals": [], "gross_mass_kg": None,
            "vgm_kg": None, "full_empty": "", "reefer": False, "goods": []}


def party(elements: Elements, name_from: str) -> dict[str, str]:
    """NAD: the name from C080 (or C058 lines), the address from C059 street, city, postcode;
    when the chosen composite is empty the other one is used."""
    count = len(elements)
    c058 = list(filter(None, map(str.strip, elements[2]))) if count > 2 else []
    c080 = list(filter(None, map(str.strip, elements[3][:5]))) if count > 3 else []
    street = list(filter(None, map(str.strip, elements[4]))) if count > 4 else []
    if (name_from == "C058" and c058) or not c080:
        name, lines = (c058[0] if c058 else ""), c058[1:]
    else:
        name, lines = " ".join(c080), ([] if street else c058)
    # Lines of one composite are one text wrapped at 35 characters: joined with spaces.
    address = ", ".join(filter(None, (" ".join(lines + street), comp(elements, 5).strip(),
                                      comp(elements, 7).strip())))
    return {"name": name, "address": address, "country": comp(elements, 8).strip()}


def picker(path: Path_) -> Callable[[Elements], str]:
    """pick(elements, path) as a function of the elements alone, for a path fixed by the
    profile: the hot segments read their fields through these."""
    element, component = path
    if element < 0 or (component is not None and component < 0):
        return lambda elements: pick(elements, path)  # counted from the end: as pick does
    if component is None:
        def whole(elements: Elements) -> str:
            if element < len(elements):
                return " ".join([p for p in map(str.strip, elements[element]) if p])
            return ""
        return whole

    def one(elements: Elements) -> str:
        try:
            return elements[element][component].strip()
        except IndexError:  # the element or the component is absent
            return ""
    return one


class CuscarHandler:
    """Receives a message's segments from edifact.run and yields an Outcome per B/L.

    `segment_table` (tag -> function(number, elements)) is built once from the profile;
    edifact.run calls it directly for the tags the profile reads."""

    def __init__(self, profile: dict[str, Any], *, source: str, ref: Reference,
                 findings: list[Finding]):
        self.rules = r = _Rules(profile)
        self.message_types = r.message_types
        self.source, self.ref, self.file_findings = source, ref, findings
        # The profile's sets and paths, bound once for the segments read per bill of lading.
        self._poc_quals, self._poc_pick = r.poc[1], picker(r.poc[2])
        self._origin_quals, self._origin_pick = r.origin[1], picker(r.origin[2])
        self._ports_pick, self._port_fields = picker(r.ports[1]), r.ports[2]
        self._desc_quals, self._desc_pick = r.desc[1], picker(r.desc[2])
        self._packages, self._package_type = picker(r.packages), picker(r.package_type)
        self._sgp_pick, self._sel_pick = picker(r.sgp[1]), picker(r.sel[1])
        self._freight_pick = picker(r.freight[1])
        self._eqd_number, self._eqd_size = picker(r.eqd_number), picker(r.eqd_size)
        self._full_empty = picker(r.full_empty[0])
        self._mea_quals, self._units = r.mea_quals, r.units
        self._box_keys = {**{a: "gross_mass_kg" for a in r.gross}, **{a: "vgm_kg" for a in r.vgm}}
        self._goods_keys = {**{a: "net_kg" for a in r.net}, **{a: "gross_kg" for a in r.gross}}
        self.dispatch: dict[str, list[Any]] = {}
        for tag, method in ((r.tdt, self._tdt), (r.poc[0], self._loc), (r.ports[0], self._loc),
                            (r.origin[0], self._loc), (r.eta[0], self._dtm),
                            (r.ts_days_tag, self._dtm),
                            (r.nad, self._nad), (r.freight[0], self._cpi), (r.gid, self._gid),
                            (r.desc[0], self._ftx), (r.pia, self._pia), (r.moa, self._moa),
                            (r.sgp[0], self._sgp), (r.mea, self._mea), (r.eqd, self._eqd),
                            (r.sel[0], self._sel), *((t, self._reefer) for t in r.reefer_tags),
                            *((s[0], self._bl_reader(*s)) for s in r.bl_sources),
                            ("RFF", self._rff)):
            if tag and method not in self.dispatch.setdefault(tag, []):
                self.dispatch[tag].append(method)
        self.segment_table: dict[str, Callable[[int, Elements], list[Outcome] | None]] = {
            tag: methods[0] if len(methods) == 1 else _in_turn(methods)
            for tag, methods in self.dispatch.items()}

    def start(self, header: Header) -> None:
        self.header = header
        self.voyage: dict[str, str] = {"voyage_id": "", "vessel_imo": "", "vessel_name": "",
                                       "vessel_flag": "", "carrier": "", "port_of_call": "",
                                       "eta": ""}
        self.equipment: dict[str, dict[str, Any]] = {}
        self.cons: _Consignment | None = None
        self.goods: dict[str, Any] | None = None
        self.box: dict[str, Any] | None = None
        self.warned: set[str] = set()
        self.sent: datetime | None = header.prepared

    def segment(self, number: int, tag: str, elements: Elements) -> list[Outcome] | None:
        read = self.segment_table.get(tag)
        if read is None:
            if tag not in self.rules.known and tag not in self.warned:
                self.warned.add(tag)
                self.file_findings.append(Finding(
                    self.source, f"segment {number}", "", tag, "unknown_segment",
                    f"Segment {tag} is not one the {self.header.message_type} profile knows; "
                    "ignored (further ones in this message are not reported).", WARNING,
                    f"Сегмент {tag} не описан в профиле {self.header.message_type}; пропущен "
                    "(другие такие сегменты в этом сообщении не указываются)."))
            return None
        return read(number, elements)

    def end(self, complete: bool) -> list[Outcome]:
        if self.cons is None:
            return []
        if not complete:
            self.cons.notes.append(("", "incomplete", ("The message ends without UNT after "
                                                       "this bill of lading: it may be "
                                                       "incomplete."),
                                    ("Сообщение заканчивается без UNT после этого "
                                     "коносамента: он может быть неполным.")))
        return [self._close()]

    @staticmethod
    def _normalized(number: str) -> str:
        """normalize_container_number; a number of letters and digits only (as sent almost
        always) has nothing to strip and is only upper-cased."""
        return number.upper() if number.isalnum() else normalize_container_number(number)

    # --- voyage ------------------------------------------------------------------------

    def _tdt(self, number: int, el: Elements) -> None:
        if self.cons is not None or comp(el, 0) not in self.rules.stages or \
                self.voyage["carrier"] or self.voyage["vessel_name"]:
            return
        for key, path in self.rules.tdt_paths.items():
            value = pick(el, path)
            if key == "vessel_imo":
                digits = value.upper().removeprefix("IMO").strip()
                value = digits if len(digits) == 7 and digits.isdigit() else ""  # call sign
            if value and not self.voyage[key]:
                self.voyage[key] = value

    def _dtm(self, number: int, el: Elements) -> None:
        qualifier = comp(el, 0, 0)
        if self.cons is not None:
            days, found = self.cons.ts_days, self.rules.ts_days.get(qualifier)
            if days is not None and found is not None:
                field, rank = found
                if field not in days or rank < days[field][0]:
                    days[field] = (rank, dtm_iso(comp(el, 0, 1).strip(),
                                                 comp(el, 0, 2).strip(), self.rules.timezone))
            return
        text = dtm_iso(comp(el, 0, 1).strip(), comp(el, 0, 2).strip(), self.rules.timezone)
        if qualifier in self.rules.eta[1] and not self.voyage["eta"]:
            self.voyage["eta"] = text
        elif qualifier in self.rules.message_date:
            self.sent = aware(text) or self.sent

    def _loc(self, number: int, el: Elements) -> None:
        try:
            qualifier = el[0][0]
        except IndexError:
            qualifier = ""
        cons = self.cons
        if cons is None:
            if qualifier in self._poc_quals and not self.voyage["port_of_call"]:
                self.voyage["port_of_call"] = self._poc_pick(el)
            return
        if self.goods is not None and qualifier in self._origin_quals:
            self.goods["origin_country"] = self._origin_pick(el)[:2]
            return
        field = self._port_fields.get(qualifier)
        if field is None:
            return
        if field == "transshipment_ports":
            cons.transshipment.append(self._ports_pick(el))
            cons.open_days()
        else:
            cons.close_days()
            if field and field not in cons.fields:
                cons.fields[field] = self._ports_pick(el)
        cons.has_body = True

    # --- bills of lading ---------------------------------------------------------------

    def _bl_reader(self, tag: str, qualifiers: set[str], path: Path_) -> Any:
        value = picker(path)

        def read(number: int, el: Elements) -> list[Outcome] | None:
            if qualifiers:
                try:
                    qualifier = el[0][0]
                except IndexError:
                    qualifier = ""
                if qualifier not in qualifiers:
                    return None
            return self._bill(number, value(el))
        return read

    def _rff(self, number: int, el: Elements) -> None:
        qualifier, value = comp(el, 0, 0), comp(el, 0, 1).strip()
        if self.cons is None and qualifier in self.rules.voyage_refs:
            self.voyage["voyage_id"] = self.voyage["voyage_id"] or value
        elif self.cons is not None and qualifier in self.rules.container_refs:
            self.box = self._add_box(number, value, copy_from=self.equipment)
            self.goods = None

    def _bill(self, number: int, bl: str) -> list[Outcome] | None:
        out = None
        if self.cons is not None and not self.cons.has_body:
            self.cons.bl = self.cons.bl or bl
        else:
            out = [self._close()] if self.cons is not None else None
            self.cons = _Consignment(bl, number)
        self.goods = self.box = None
        return out

    def _consignment(self, number: int) -> _Consignment:
        """The current B/L; a B/L segment that comes before any B/L number opens one with
        no number, which validation then rejects with a clear reason."""
        if self.cons is None:
            self.cons = _Consignment("", number)
        self.cons.has_body = True
        return self.cons

    def _nad(self, number: int, el: Elements) -> None:
        if self.cons is None:
            return
        try:
            role = self.rules.roles.get(el[0][0])
        except IndexError:
            role = self.rules.roles.get("")
        if role:
            self.cons.has_body = True
            self.cons.parties[role] = party(el, self.rules.name_from)

    def _cpi(self, number: int, el: Elements) -> None:
        if self.cons is not None:
            code = self._freight_pick(el)
            self._consignment(number).fields["freight_terms"] = self.rules.freight[2].get(
                code.upper(), code)

    # --- goods ---------------------------------------------------------------------------

    def _gid(self, number: int, el: Elements) -> None:
        cons = self._consignment(number)
        self.goods = {"hs_code": "", "description": "", "packages": self._packages(el),
                      "package_type": self._package_type(el), "gross_kg": None,
                      "net_kg": None, "value": None, "currency": "", "origin_country": ""}
        self.box = None
        cons.goods.append((number, self.goods, ""))

    def _ftx(self, number: int, el: Elements) -> None:
        if self.goods is None:
            return
        try:
            qualifier = el[0][0]
        except IndexError:
            qualifier = ""
        if qualifier in self._desc_quals:
            text = self._desc_pick(el)
            self.goods["description"] = " ".join(p for p in (self.goods["description"], text)
                                                 if p)

    def _pia(self, number: int, el: Elements) -> None:
        if self.goods is None or self.goods["hs_code"]:
            return
        for element in el[1:6]:
            if len(element) > 1 and element[1].strip().upper() in self.rules.code_types:
                self.goods["hs_code"] = element[0].strip()
                return

    def _moa(self, number: int, el: Elements) -> None:
        if self.goods is None:
            return
        money = el[0] if el else []  # C516: qualifier, amount, currency
        if (money[0] if money else "") in self.rules.moa_quals:
            self.goods["value"] = amount(money[1] if len(money) > 1 else "")
            self.goods["currency"] = (money[2] if len(money) > 2 else "").strip()

    def _sgp(self, number: int, el: Elements) -> None:
        if self.goods is not None and self.cons is not None:
            segment, goods, _ = self.cons.goods[-1]
            self.cons.goods[-1] = (segment, goods, self._sgp_pick(el))

    def _mea(self, number: int, el: Elements) -> None:
        try:
            qualifier = el[0][0]
        except IndexError:
            qualifier = ""
        if qualifier not in self._mea_quals:
            return
        box = self.box
        if box is None:
            target, keys = self.goods, self._goods_keys
            if target is None:
                return  # no container, no goods item: the measurement belongs to nothing
        else:
            target, keys = box, self._box_keys
        try:
            key = keys.get(el[1][0])
        except IndexError:
            key = keys.get("")
        if key is None:
            return
        measure = el[2] if len(el) > 2 else ()
        unit = (measure[0] if measure else "").strip().upper()
        raw = measure[1] if len(measure) > 1 else ""
        factor = self._units.get(unit)
        if factor is None and unit:
            target[key] = f"{raw} {unit}"  # an unknown unit: let validation say so
            return
        text = raw.strip()  # amount(raw, factor), inline: two or three a bill of lading
        if not text:
            target[key] = None
            return
        try:
            target[key] = float(text.replace(",", ".")) * (1.0 if factor is None else factor)
        except ValueError:
            target[key] = text

    # --- containers ----------------------------------------------------------------------

    def _eqd(self, number: int, el: Elements) -> None:
        r = self.rules
        try:
            qualifier = el[0][0]
        except IndexError:
            qualifier = ""
        if qualifier not in r.eqd_quals:
            self.box = None
            return
        box_number = self._eqd_number(el)
        if self.cons is None:  # equipment listed in the header, referenced later by RFF
            self.box = box = self.equipment.setdefault(self._normalized(box_number),
                                                       new_box(box_number))
        else:
            self.box = box = self._add_box(number, box_number)
        box["size_type"] = self._eqd_size(el) or box["size_type"]
        indicator = self._full_empty(el)
        box["full_empty"] = r.full_empty[1].get(indicator, indicator) or box["full_empty"]
        self.goods = None

    def _add_box(self, number: int, box_number: str,
                 copy_from: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        cons = self._consignment(number)
        key = self._normalized(box_number)
        if key not in cons.containers:
            known = (copy_from or {}).get(key)
            box = {**known, "seals": list(known["seals"]), "goods": []} if known \
                else new_box(box_number)
            cons.containers[key] = (number, box)
        return cons.containers[key][1]

    def _sel(self, number: int, el: Elements) -> None:
        if self.box is not None:
            seal = self._sel_pick(el)
            if seal:
                self.box["seals"].append(seal)

    def _reefer(self, number: int, el: Elements) -> None:
        if self.box is not None:
            self.box["reefer"] = True

    # --- a complete bill of lading -----------------------------------------------------

    def _close(self) -> Outcome:
        cons, self.cons, self.goods, self.box = self.cons, None, None, None
        assert cons is not None
        locations = {"": f"segment {cons.start}"}
        order = list(cons.containers)
        for key in order:
            locations[f"containers[{len(locations) - 1}]"] = \
                f"segment {cons.containers[key][0]}"
        self._place_goods(cons, order, locations)
        voyage = dict(self.voyage)
        if not voyage["port_of_call"] and self.rules.poc_from:
            voyage["port_of_call"] = cons.fields.get(self.rules.poc_from, "")
        cons.close_days()
        rec = {"voyage": voyage, "bl_number": cons.bl,
               "place_of_receipt": cons.fields.get("place_of_receipt", ""),
               "port_of_loading": cons.fields.get("port_of_loading", ""),
               "transshipment_ports": cons.transshipment,
               "transshipment_arrival": cons.fields.get("transshipment_arrival", ""),
               "transshipment_departure": cons.fields.get("transshipment_departure", ""),
               "port_of_discharge": cons.fields.get("port_of_discharge", ""),
               "final_destination": cons.fields.get("final_destination", ""),
               "freight_terms": cons.fields.get("freight_terms", ""),
               "parties": {role: cons.parties.get(role) for role in
                           ("shipper", "consignee", "notify")},
               "containers": [cons.containers[key][1] for key in order]}
        clean, findings = validate_record(rec, self.ref, source=self.source,
                                          location=locations[""], locations=locations)
        findings += [Finding(self.source, locations[""], cons.bl, field, code, message, WARNING,
                             message_ru)
                     for field, code, message, message_ru in cons.notes]
        return Outcome(clean, findings, None if clean is not None else rec,
                       message_date=self.sent)

    def _place_goods(self, cons: _Consignment, order: list[str],
                     locations: dict[str, str]) -> None:
        """Put each goods item in the container its SGP names, else in the only (or first)
        container of the bill of lading, with a note when that was a guess."""
        for segment, goods, link in cons.goods:
            key = self._normalized(link) if link else ""
            if key and key not in cons.containers:
                cons.containers[key] = (segment, new_box(link))
                locations[f"containers[{len(order)}]"] = f"segment {segment}"
                order.append(key)
            if not key and order:
                key = order[0]
                if len(order) > 1:
                    cons.notes.append(("containers", "goods_placement",
                                       (f"The goods item at segment {segment} names no "
                                        f"container (SGP); put in {key}."),
                                       (f"В товарной позиции в сегменте {segment} не указан "
                                        f"контейнер (SGP); отнесена к контейнеру {key}.")))
            if not key:
                cons.notes.append(("containers", "goods_placement",
                                   (f"The goods item at segment {segment} is in no "
                                    "container; it was left out."),
                                   (f"Товарная позиция в сегменте {segment} не относится ни к "
                                    "одному контейнеру; она не учтена.")))
                continue
            box = cons.containers[key][1]
            index = order.index(key)
            locations[f"containers[{index}].goods[{len(box['goods'])}]"] = f"segment {segment}"
            box["goods"].append(goods)


def read_cuscar(path: str | Path, profile: str | Path | dict[str, Any] | None = None, *,
                source: str | None = None, ref: Reference | None = None,
                file_findings: list[Finding] | None = None,
                engine: str = "fast") -> Iterator[Outcome]:
    """Yield an Outcome per bill of lading of every CUSCAR message in the interchange."""
    path = Path(path)
    source = source or path.name
    sink = file_findings if file_findings is not None else []
    handler = CuscarHandler(load_profile(profile), source=source, ref=ref or Reference.load(),
                            findings=sink)
    yield from run(path, handler, source=source, findings=sink, engine=engine)
