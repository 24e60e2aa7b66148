"""A small CUSCAR and BAPLIE writer, for tests (round trips) and benchmarks (big files).

It writes what the `generic` and `rff_containers` profiles read, in the directories
D.95B (RFF+BM opens a bill of lading), D.00B (CNI then RFF+BM) and D.21A (CNI), one message
per voyage. Escaping is pydifact's Serializer's, so release characters are put exactly where
the syntax wants them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydifact.control import Characters
from pydifact.serializer import Serializer

from .edifact import DEFAULT_CHARACTERS

Seg = tuple[str, list[Any]]  # tag, elements (str or list of components)
CHARSET_CODECS = {"UNOA": "ascii", "UNOB": "ascii", "UNOC": "latin-1", "UNOW": "utf-8",
                  "UNOY": "utf-8", "UNOE": "iso8859-5"}


def _num(value: Any) -> str:
    if value is None or value == "":
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _dtm(iso: str) -> list[str]:
    if not iso:
        return []
    moment = datetime.fromisoformat(iso)
    if len(iso) <= 10:
        return ["132", moment.strftime("%Y%m%d"), "102"]
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return ["132", moment.strftime("%Y%m%d%H%M"), "203"]


def _lines(text: str, width: int = 35, count: int = 5) -> list[str]:
    """Cut free text into EDIFACT's 35-character lines (an..35 components)."""
    words, out, line = str(text or "").split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    return out[:count]


def _party(qualifier: str, p: dict[str, Any] | None, style: str) -> list[Seg]:
    if not p or not p.get("name"):
        return []
    name, address = _lines(p["name"]), _lines(p.get("address", ""), count=4)
    country = p.get("country", "")
    if style == "rff_containers":  # name and address as the lines of C058
        return [("NAD", [qualifier, "", (name[:1] + address)[:5], "", "", "", "", "",
                         country])]
    return [("NAD", [qualifier, "", "", name, address, "", "", "", country])]


def _voyage(v: dict[str, Any]) -> list[Seg]:
    vessel = [v.get("vessel_imo", ""), "146", "", v.get("vessel_name", ""),
              v.get("vessel_flag", "")]
    segs: list[Seg] = [("TDT", ["20", v.get("voyage_id", ""), "1", "",
                                [v.get("carrier", ""), "172", "20"], "", "", vessel])]
    if v.get("port_of_call"):
        segs.append(("LOC", ["60", [v["port_of_call"], "139", "6"]]))
    if v.get("eta"):
        segs.append(("DTM", [_dtm(v["eta"])]))
    return segs


def _box(c: dict[str, Any]) -> list[Seg]:
    segs: list[Seg] = [("EQD", ["CN", c["container_number"], [c.get("size_type", ""), "102",
                                                            "5"], "", "",
                                "4" if c.get("full_empty") == "E" else "5"])]
    if c.get("gross_mass_kg"):
        segs.append(("MEA", ["AAE", "G", ["KGM", _num(c["gross_mass_kg"])]]))
    if c.get("vgm_kg"):
        segs.append(("MEA", ["AAE", "VGM", ["KGM", _num(c["vgm_kg"])]]))
    segs += [("SEL", [seal, "CA"]) for seal in c.get("seals") or []]
    if c.get("reefer"):
        segs.append(("TMP", ["2", ["-1", "CEL"]]))
    return segs


def _goods(n: int, g: dict[str, Any], container: str) -> list[Seg]:
    segs: list[Seg] = [("GID", [str(n), [str(g.get("packages") or ""),
                                         g.get("package_type", "")]])]
    if g.get("description"):
        segs.append(("FTX", ["AAA", "", "", _lines(g["description"], 512)]))
    if g.get("hs_code"):
        segs.append(("PIA", ["5", [g["hs_code"], "HS"]]))
    if g.get("gross_kg"):
        segs.append(("MEA", ["AAE", "G", ["KGM", _num(g["gross_kg"])]]))
    if g.get("net_kg"):
        segs.append(("MEA", ["AAE", "AAL", ["KGM", _num(g["net_kg"])]]))
    if g.get("value"):
        segs.append(("MOA", [["39", _num(g["value"]), g.get("currency", "")]]))
    if g.get("origin_country"):
        segs.append(("LOC", ["27", g["origin_country"]]))
    segs.append(("SGP", [container, str(g.get("packages") or "")]))
    return segs


def _consignment(n: int, rec: dict[str, Any], directory: str, style: str) -> list[Seg]:
    bl = rec["bl_number"]
    segs: list[Seg] = []
    if directory in ("00B", "21A"):
        segs.append(("CNI", [str(n), bl]))
    if directory in ("95B", "00B"):
        segs.append(("RFF", [["BM", bl]]))
    ports = [("88", rec.get("place_of_receipt")), ("9", rec.get("port_of_loading")),
             *(("13", p) for p in rec.get("transshipment_ports") or []),
             ("11", rec.get("port_of_discharge")), ("7", rec.get("final_destination"))]
    segs += [("LOC", [q, [code, "139", "6"]]) for q, code in ports if code]
    days = [("178", rec.get("transshipment_arrival")),
            ("186", rec.get("transshipment_departure"))]
    if rec.get("transshipment_ports") and any(day for _q, day in days):
        last = max(i for i, (tag, elements) in enumerate(segs)
                   if tag == "LOC" and elements[0] == "13")
        segs[last + 1:last + 1] = [("DTM", [[q, day.replace("-", ""), "102"]])
                                   for q, day in days if day]
    terms = {"PREPAID": "P", "COLLECT": "C"}.get(rec.get("freight_terms", ""))
    if terms:
        segs.append(("CPI", ["4", "", terms]))
    parties = rec.get("parties") or {}
    for qualifier, role in (("CZ", "shipper"), ("CN", "consignee"), ("N1", "notify")):
        segs += _party(qualifier, parties.get(role), style)
    item = 0
    for c in rec.get("containers") or []:
        segs += [("RFF", [["AAQ", c["container_number"]]])] if style == "rff_containers" \
            else _box(c)
    for c in rec.get("containers") or []:
        for g in c.get("goods") or []:
            item += 1
            segs += _goods(item, g, c["container_number"])
    return segs


def cuscar_messages(records: Iterable[dict[str, Any]], *, directory: str = "95B",
                    style: str = "generic") -> Iterator[list[Seg]]:
    """One message (its segments, UNH to UNT) per run of records with the same voyage."""
    current: list[dict[str, Any]] = []
    for rec in records:
        if current and rec["voyage"]["voyage_id"] != current[0]["voyage"]["voyage_id"]:
            yield _message(current, directory, style)
            current = []
        current.append(rec)
    if current:
        yield _message(current, directory, style)


def _message(records: list[dict[str, Any]], directory: str, style: str) -> list[Seg]:
    v = records[0]["voyage"]
    segs: list[Seg] = [("BGM", ["85", v.get("voyage_id", "")[:35], "9"])]
    segs += _voyage(v)
    if style == "rff_containers":  # the equipment, once, before the first bill of lading
        seen: set[str] = set()
        for rec in records:
            for c in rec.get("containers") or []:
                if c["container_number"] not in seen:
                    seen.add(c["container_number"])
                    segs += _box(c)
    for n, rec in enumerate(records, start=1):
        segs += _consignment(n, rec, directory, style)
    return segs


def write_cuscar(records: Iterable[dict[str, Any]], out: str | Path | IO[bytes], *,
                 directory: str = "95B", style: str = "generic", una: bool = True,
                 one_per_line: bool = True, charset: str = "UNOW",
                 characters: str = DEFAULT_CHARACTERS, sender: str = "CARRIER",
                 recipient: str = "CUSTOMS", control: str = "1") -> int:
    """Write an interchange; returns the number of bills of lading written."""
    chars = Characters.from_str(characters)
    counted = _Counted(records)
    messages = [_wrap(m, i, directory) for i, m in
                enumerate(cuscar_messages(counted, directory=directory, style=style), start=1)]
    _write(out, chars, una, one_per_line, charset, messages, sender, recipient, control)
    return counted.count


class _Counted:
    def __init__(self, items: Iterable[dict[str, Any]]):
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self.items:
            self.count += 1
            yield item


def _wrap(segs: list[Seg], ref: int, directory: str, mtype: str = "CUSCAR",
          association: str = "") -> list[Seg]:
    version = ["D", directory, "UN", *([association] if association else [])]
    body: list[Seg] = [("UNH", [str(ref), [mtype, *version]]), *segs]
    return [*body, ("UNT", [str(len(body) + 1), str(ref)])]


def _write(out: str | Path | IO[bytes], chars: Characters, una: bool, one_per_line: bool,
           charset: str, messages: list[list[Seg]], sender: str, recipient: str,
           control: str) -> None:
    serializer = Serializer(chars)
    special = re.compile("[" + re.escape(chars.escape_character + chars.component_separator
                                         + chars.data_separator + chars.segment_terminator)
                         + "]")

    def escape(text: str) -> str:  # most values need no release character: skip the work
        return serializer.escape(text) if special.search(text) else text
    newline = "\n" if one_per_line else ""
    unb: Seg = ("UNB", [[charset, "3"], sender, recipient, ["261120", "0600"], control])
    unz: Seg = ("UNZ", [str(len(messages)), control])
    parts = [f"UNA{chars}{newline}" if una else ""]
    for tag, elements in [unb, *(s for m in messages for s in m), unz]:
        fields = [tag]
        for element in elements:
            items = list(element) if isinstance(element, list) else [element]
            while len(items) > 1 and items[-1] in ("", None):  # trailing empties say nothing
                items.pop()
            fields.append(chars.component_separator.join(escape(str(x)) for x in items))
        parts.append(chars.data_separator.join(fields) + chars.segment_terminator + newline)
    data = "".join(parts).encode(CHARSET_CODECS.get(charset, "utf-8"))
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)


def write_baplie(voyage: dict[str, Any], slots: list[dict[str, Any]],
                 out: str | Path | IO[bytes], *, una: bool = True, one_per_line: bool = True,
                 directory: str = "95B") -> None:
    """A BAPLIE with one slot per container: position, container, weight, ports."""
    segs: list[Seg] = [("BGM", ["", voyage.get("voyage_id", ""), "9"]),
                       ("TDT", ["20", voyage.get("voyage_id", ""), "", "",
                                [voyage.get("carrier", ""), "172", "20"], "", "",
                                [voyage.get("vessel_imo", ""), "146", "",
                                 voyage.get("vessel_name", "")]])]
    if voyage.get("next_port"):
        segs.append(("LOC", ["61", [voyage["next_port"], "139", "6"]]))
    for slot in slots:
        segs += [("LOC", ["147", [slot["position"], "", "5"]]),
                 ("MEA", ["WT", "", ["KGM", _num(slot.get("gross_mass_kg") or 0)]])]
        segs += [("LOC", [q, [slot[k], "139", "6"]]) for q, k in
                 (("9", "port_of_loading"), ("11", "port_of_discharge")) if slot.get(k)]
        segs.append(("EQD", ["CN", slot["container_number"], [slot.get("size_type", ""),
                                                               "102", "5"], "", "", "5"]))
    message = _wrap(segs, 1, directory, "BAPLIE", "SMDG20")
    _write(out, Characters.from_str(DEFAULT_CHARACTERS), una, one_per_line, "UNOA",
           [message], "TERMINAL", "CUSTOMS", "1")
