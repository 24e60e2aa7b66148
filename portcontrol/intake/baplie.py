"""BAPLIE (bayplan / stowage plan) -> what is on board, per voyage, and a check against the
manifest.

One message describes one vessel's stowage; it becomes one stowage record:

    {"kind": "stowage", "voyage": {"voyage_id", "vessel_imo", "vessel_name", "carrier",
                                   "next_port"},
     "containers": [{"container_number", "position", "size_type", "gross_mass_kg",
                     "vgm_kg", "port_of_loading", "port_of_discharge", "full_empty"}]}

Slots start at LOC+147 (the stowage cell, bay/row/tier) in SMDG BAPLIE 2.x and 3.x alike; the
EQD in the slot names the container, MEA gives its weight (VGM when the attribute says so),
LOC+9/+11 its ports. A container number that fails ISO 6346 is kept (a box on board that the
manifest cannot match is exactly what a PCU wants to see) with a warning.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from portcontrol.core.containers import normalize_container_number

from .cuscar import amount
from .edifact import Elements, Header, comp, run
from .fastchecks import is_clean_container_number
from .findings import ERROR, WARNING, Finding, Outcome
from .validate import VGM_TOLERANCE_KG, VGM_TOLERANCE_SHARE

_UNITS = {"KGM": 1.0, "TNE": 1000.0, "LBR": 0.45359237}


class BaplieHandler:
    message_types: tuple[str, ...] = ("BAPLIE",)

    def __init__(self, *, source: str):
        self.source = source

    def start(self, header: Header) -> None:
        self.header = header
        self.voyage = {"voyage_id": "", "vessel_imo": "", "vessel_name": "", "carrier": "",
                       "next_port": ""}
        self.slots: list[dict[str, Any]] = []
        self.slot: dict[str, Any] | None = None
        self.findings: list[Finding] = []

    def segment(self, number: int, tag: str, el: Elements) -> None:
        if tag == "LOC" and comp(el, 0) == "147":
            self._open(number, position=comp(el, 1, 0).strip())
        elif tag == "EQD" and comp(el, 0) == "CN":
            if self.slot is None or self.slot["container_number"]:
                self._open(number, position="")
            assert self.slot is not None
            self.slot.update(container_number=comp(el, 1, 0).strip(),
                             size_type=comp(el, 2, 0).strip(),
                             full_empty={"4": "E", "5": "F"}.get(comp(el, 5), ""),
                             segment=number)
        elif self.slot is None:
            self._voyage(tag, el)
        elif tag == "MEA":
            unit = comp(el, 2, 0).strip().upper()
            value = amount(comp(el, 2, 1), _UNITS.get(unit, 1.0))
            key = "vgm_kg" if comp(el, 1, 0) == "VGM" else "gross_mass_kg"
            self.slot[key] = value if isinstance(value, float) else None
        elif tag == "LOC" and comp(el, 0) in ("9", "11"):
            key = "port_of_loading" if comp(el, 0) == "9" else "port_of_discharge"
            self.slot[key] = comp(el, 1, 0).strip().upper()

    def _voyage(self, tag: str, el: Elements) -> None:
        if tag == "TDT" and not self.voyage["voyage_id"]:
            self.voyage["voyage_id"] = comp(el, 1).strip()
            self.voyage["carrier"] = comp(el, 4, 0).strip()
            vessel = comp(el, 7, 0).strip().upper().removeprefix("IMO").strip()
            self.voyage["vessel_imo"] = vessel if len(vessel) == 7 and vessel.isdigit() else ""
            self.voyage["vessel_name"] = comp(el, 7, 3).strip()
        elif tag == "RFF" and comp(el, 0, 0) == "VON" and not self.voyage["voyage_id"]:
            self.voyage["voyage_id"] = comp(el, 0, 1).strip()
        elif tag == "LOC" and comp(el, 0) == "61" and not self.voyage["next_port"]:
            # the next port of call: the port whose manifests the boxes for it must be on
            self.voyage["next_port"] = comp(el, 1, 0).strip().upper()[:5]

    def _open(self, number: int, position: str) -> None:
        self.slot = {"container_number": "", "position": position, "size_type": "",
                     "gross_mass_kg": None, "vgm_kg": None, "port_of_loading": "",
                     "port_of_discharge": "", "full_empty": "", "segment": number}
        self.slots.append(self.slot)

    def end(self, complete: bool) -> list[Outcome]:
        where = f"segment {self.header.first_segment}"
        key = self.voyage["voyage_id"] or self.voyage["vessel_name"]
        findings: list[Finding] = []
        boxes: list[dict[str, Any]] = []
        for slot in self.slots:
            segment = slot.pop("segment")
            if not slot["container_number"]:
                continue  # an empty or blocked cell
            number = normalize_container_number(slot["container_number"])
            if not is_clean_container_number(number):
                findings.append(Finding(self.source, f"segment {segment}", key,
                                        f"containers[{len(boxes)}].container_number",
                                        "container_number", f"Container number {number!r} on "
                                        "board fails ISO 6346; kept as read.", WARNING,
                                        f"Номер контейнера {number!r} на борту не проходит "
                                        "проверку ISO 6346; сохранён как прочитан."))
            boxes.append({**slot, "container_number": number})
        if not complete:
            findings.append(Finding(self.source, where, key, "", "incomplete",
                                    "The message ends without UNT: the plan may be "
                                    "incomplete.", WARNING,
                                    "Сообщение заканчивается без UNT: грузовой план может "
                                    "быть неполным."))
        if not key:
            findings.append(Finding(self.source, where, "", "voyage", "missing",
                                    "The stowage plan names no voyage or vessel (TDT).", ERROR,
                                    "В грузовом плане не указаны рейс или судно (TDT)."))
        record = {"kind": "stowage", "voyage": dict(self.voyage), "containers": boxes}
        accepted = bool(key)
        return [Outcome(record if accepted else None, findings, None if accepted else record)]


def read_baplie(path: str | Path, *, source: str | None = None,
                file_findings: list[Finding] | None = None,
                engine: str = "fast") -> Iterator[Outcome]:
    """Yield one stowage record per BAPLIE message."""
    path = Path(path)
    source = source or path.name
    sink = file_findings if file_findings is not None else []
    yield from run(path, BaplieHandler(source=source), source=source, findings=sink,
                   engine=engine)


def containers_on_board(plan: dict[str, Any], discharge_port: str | None = None) -> set[str]:
    """Container numbers of a stowage record, optionally only those for one port."""
    return {c["container_number"] for c in plan.get("containers", [])
            if discharge_port is None or c.get("port_of_discharge") == discharge_port}


def containers_by_voyage(path: str | Path) -> dict[str, set[str]]:
    """{voyage: container numbers on board} for every message of a BAPLIE file."""
    out: dict[str, set[str]] = {}
    for outcome in read_baplie(path):
        if outcome.record is not None:
            voyage = outcome.record["voyage"]
            key = voyage["voyage_id"] or voyage["vessel_name"]
            out.setdefault(key, set()).update(containers_on_board(outcome.record))
    return out


class StowageComparison(NamedTuple):
    on_board_not_manifested: list[str]
    manifested_not_on_board: list[str]


def boxes_on_board(plan: dict[str, Any]) -> list[tuple[str, str, float | None, str]]:
    """(container number, port of discharge, mass in kg, size-type code) of each box of a
    stowage record; the mass is the verified gross mass where the plan gives one, else the
    gross mass."""
    return [(c["container_number"], c.get("port_of_discharge") or "",
             c.get("vgm_kg") or c.get("gross_mass_kg") or None,
             (c.get("size_type") or "").strip().upper())
            for c in plan.get("containers", []) if c.get("container_number")]


def compare_stowage(boxes: Iterable[Sequence[Any]],
                    manifest_containers: Iterable[str],
                    ports: Collection[str] | None = None) -> StowageComparison:
    """Boxes on board that no manifest declares (the classic sign of an undeclared box),
    and boxes declared that are not on board (rolled, short-shipped, or a false manifest).

    boxes: (number, port of discharge, ...) of each box on board (boxes_on_board); ports: the
    ports of call whose manifests these are. A plan lists every box on the vessel: only those
    discharged at one of `ports` (or whose port the plan leaves empty) are expected on the
    manifests (None: every box); a declared box may be anywhere on board. Numbers are
    compared after normalising spaces, dashes and case."""
    on_board: set[str] = set()
    expected: set[str] = set()
    for number, port, *_mass in boxes:
        if not number:
            continue
        on_board.add(normalize_container_number(number))
        if ports is None or not port or port in ports:
            expected.add(normalize_container_number(number))
    declared = {normalize_container_number(n) for n in manifest_containers if n}
    return StowageComparison(sorted(expected - declared), sorted(declared - on_board))


def mass_differences(boxes: Iterable[Sequence[Any]], declared: Mapping[str, float | None]
                     ) -> list[tuple[str, float, float]]:
    """(number, mass on the plan, mass declared) for each box whose mass on the stowage
    plan (weighed at the terminal) is far from the mass its manifest declares: by more than
    the tolerance intake allows between VGM and gross mass (validate.VGM_TOLERANCE_KG and
    _SHARE). `declared`: number -> declared mass in kg (VGM, else gross; None unknown)."""
    out = []
    for number, _port, *rest in boxes:
        mass = rest[0] if rest else None
        number = normalize_container_number(number)
        stated = declared.get(number)
        if not mass or not stated:
            continue
        if abs(mass - stated) > max(VGM_TOLERANCE_KG, VGM_TOLERANCE_SHARE * stated):
            out.append((number, float(mass), float(stated)))
    return sorted(out)


def type_differences(boxes: Iterable[Sequence[Any]], declared: Mapping[str, str | None]
                     ) -> list[tuple[str, str, str]]:
    """(number, size-type on the plan, size-type declared) for each box stowed as another
    kind of box than its manifest declares: another length, height or type group (the first
    three characters of ISO 6346's size-type code: 22G1 and 22G0 are one kind, 22G1 and
    45R1 are not). A box declared as a dry 20-footer and stowed as a 40-foot reefer is
    another box, or another declaration. `declared`: number -> size-type (None unknown)."""
    out = []
    for number, _port, *rest in boxes:
        on_plan = (rest[1] if len(rest) > 1 else "") or ""
        number = normalize_container_number(number)
        stated = (declared.get(number) or "").strip().upper()
        if len(on_plan) == 4 and len(stated) == 4 and on_plan[:3] != stated[:3]:
            out.append((number, on_plan, stated))
    return sorted(out)
