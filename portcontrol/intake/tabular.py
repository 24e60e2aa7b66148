"""Flat tables (CSV, XLSX) -> canonical records, one batch of lines at a time.

Speed comes from doing the checks on whole columns: every line gets a "needs a closer look"
flag computed with polars and numpy (codes checked once per distinct value through the same
Reference.check that validate_record uses, container check digits in numpy, numbers cast in
bulk). A bill of lading whose lines are all unflagged is already clean and canonical, so its
record is assembled straight from the typed columns; any other goes through validate_record,
which finds and words the problems. The flags are deliberately stricter than the rules (a
lower-case port code is flagged though it is valid), so the fast path never accepts anything
validate_record would not accept unchanged; tests check that on every generator record.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import polars as pl

from .fastchecks import clean_container_numbers
from .findings import WARNING, Finding, IntakeError, Outcome
from .mapping import (BOOL_FIELDS, DAY_FIELDS, FIELDS, INTEGER_FIELDS, LIST_FIELDS,
                      NUMBER_FIELDS, Mapping)
from .validate import (LENGTH_LIMITS, VGM_TOLERANCE_KG, VGM_TOLERANCE_SHARE, Reference,
                       validate_record)

TEXT_FIELDS = ("voyage_id", "vessel_name", "carrier", "bl_number", "shipper_name",
               "shipper_address", "consignee_name", "consignee_address", "notify_name",
               "notify_address", "goods_description", "package_type")
CODE_FIELDS = {"vessel_imo": "imo", "vessel_flag": "country", "port_of_call": "locode",
               "place_of_receipt": "locode", "port_of_loading": "locode",
               "port_of_discharge": "locode", "final_destination": "locode",
               "shipper_country": "country", "consignee_country": "country",
               "notify_country": "country", "size_type": "size_type", "hs_code": "hs",
               "currency": "currency", "origin_country": "country", "eta": "eta",
               **dict.fromkeys(DAY_FIELDS, "day")}
TYPED_CODES = ("eta", *DAY_FIELDS)  # codes checked in their converted (typed) twin
ROW_COLUMN = "__row"
REQUIRED_FILLED = ("voyage_id", "bl_number", "port_of_call", "container_number")
# Exactly the characters Python's str.strip() removes (str.isspace), so that "already
# stripped" here means the same as in validate_record.
PY_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
            "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_LOSSY = "\ufffd"
_JOIN = "\x1f"  # never inside a clean list item: _untidy_list flags \x1c-\x1f
# Columns in the order the builder unpacks them: once per B/L, then once per line.
GROUP_COLS = ("_line", "voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier",
              "port_of_call", "eta", "bl_number", "place_of_receipt", "port_of_loading",
              "transshipment_ports", *DAY_FIELDS, "port_of_discharge", "final_destination",
              "freight_terms", "shipper_name", "shipper_address", "shipper_country",
              "consignee_name", "consignee_address", "consignee_country", "notify_name",
              "notify_address", "notify_country")
LINE_COLS = ("_line", "container_number", "size_type", "seals", "gross_mass_kg", "vgm_kg",
             "full_empty", "reefer", "hs_code", "goods_description", "packages", "package_type",
             "goods_gross_kg", "goods_net_kg", "value", "currency", "origin_country")
PLAIN = tuple(f for f in FIELDS if f not in (*NUMBER_FIELDS, *INTEGER_FIELDS, *BOOL_FIELDS,
                                              *LIST_FIELDS, *TYPED_CODES, "full_empty"))
# What every line of one bill of lading must agree on (a record takes it from the first line),
# and every line of one container within it.
BILL_FIELDS = tuple(f for f in GROUP_COLS if f not in ("_line", "voyage_id", "bl_number"))
BOX_FIELDS = ("size_type", "seals", "gross_mass_kg", "vgm_kg", "full_empty", "reefer")
# Where each one is in a record, for findings.
_RECORD_PATH = {**{f: f"voyage.{f}" for f in ("vessel_imo", "vessel_name", "vessel_flag",
                                              "carrier", "port_of_call", "eta")},
                **{f"{r}_{p}": f"parties.{r}.{p}" for r in ("shipper", "consignee", "notify")
                   for p in ("name", "address", "country")}}


T = TypeVar("T")


def _t(name: str) -> str:
    """Name of the typed (converted) twin of a raw column."""
    return f"{name}#"


class TableIntake:
    """Checks a table's header against a mapping, then turns batches into Outcomes."""

    def __init__(self, mapping: Mapping, header: list[str], *, source: str,
                 ref: Reference | None = None, first_line: int = 2, unit: str = "line"):
        self.mapping, self.source, self.unit = mapping, source, unit
        self.ref = ref or Reference.load()
        self.selected, missing, extra = mapping.resolve(header)
        if missing:
            raise IntakeError(f"Required columns are missing: {'; '.join(missing)} "
                              f"(mapping {mapping.name!r}).", source=source,
                              message_ru=f"Нет обязательных столбцов: {'; '.join(missing)} "
                                         f"(сопоставление столбцов {mapping.name!r}).")
        self.findings = [Finding(source, f"{unit} {first_line - 1}", "", col, "extra_column",
                                 f"Column {col!r} is not in mapping {mapping.name!r}; ignored.",
                                 WARNING, f"Столбца {col!r} нет в сопоставлении столбцов "
                                 f"{mapping.name!r}; столбец пропущен.")
                         for col in extra if col]
        self.file_columns = list(dict.fromkeys(self.selected.values()))
        self.next_line = first_line

    # --- per batch: raw columns -> typed columns and a flag per line --------------------

    def _raw(self, field: str) -> pl.Expr:
        col = self.selected.get(field)
        expr = pl.col(col).cast(pl.String) if col else pl.lit(None, dtype=pl.String)
        expr = pl.when(expr.str.len_bytes() > 0).then(expr)  # "" and null are the same
        if field in self.mapping.defaults:
            expr = expr.fill_null(pl.lit(self.mapping.defaults[field]))
        return expr.alias(field)

    def _number(self, field: str, integer: bool) -> pl.Expr:
        # No stripping: a number with spaces fails the cast, is flagged, and validate_record
        # (which strips) reads it; stripping every cell cost more than the cast itself.
        text = pl.col(field)
        if self.mapping.thousands:
            text = text.str.replace_all(self.mapping.thousands, "", literal=True)
        if self.mapping.decimal == ",":
            text = text.str.replace(",", ".", literal=True)
        if integer:
            return text.cast(pl.Int64, strict=False).alias(_t(field))
        factor = self.mapping.columns[field].factor if field in self.mapping.columns else 1.0
        value = text.cast(pl.Float64, strict=False)
        return (value * factor if factor != 1.0 else value).alias(_t(field))

    def _typed(self) -> list[pl.Expr]:
        exprs = [self._number(f, False) for f in NUMBER_FIELDS]
        exprs += [self._number(f, True) for f in INTEGER_FIELDS]
        column = self.mapping.columns.get("eta")
        eta = pl.col("eta")
        if column is not None and column.date_format:
            eta = (eta.str.strip_chars(PY_SPACE).str.strptime(pl.Datetime, column.date_format,
                                                      strict=False)
                   .dt.strftime("%Y-%m-%dT%H:%M:%S") + pl.lit(self.mapping.timezone))
        exprs.append(eta.alias(_t("eta")))
        for f in DAY_FIELDS:
            column, day = self.mapping.columns.get(f), pl.col(f)
            if column is not None and column.date_format:
                day = (day.str.strip_chars(PY_SPACE).str.strptime(
                    pl.Date, column.date_format, strict=False).dt.strftime("%Y-%m-%d"))
            exprs.append(day.alias(_t(f)))
        for f in BOOL_FIELDS:
            col = self.mapping.columns.get(f)
            word = pl.col(f).str.to_lowercase()
            yes = list(col.true_values) if col else []
            no = list(col.false_values) if col else []
            exprs.append(pl.when(pl.col(f).is_null()).then(False).when(word.is_in(yes))
                         .then(True).when(word.is_in(no)).then(False).otherwise(None)
                         .alias(_t(f)))
        for f in LIST_FIELDS:  # a plain split; _flags sends untidy lists to validate_record
            exprs.append(pl.col(f).str.split(self._separator(f))
                         .fill_null(pl.lit([], dtype=pl.List(pl.String))).alias(_t(f)))
        return exprs

    def _separator(self, field: str) -> str:
        return self.mapping.columns[field].separator if field in self.mapping.columns else ";"

    def _untidy_list(self, field: str) -> pl.Expr:
        """Spaces or empty items in a list cell (the plain split would keep them)."""
        sep = "".join(f"\\x{{{ord(c):X}}}" for c in self._separator(field))  # Rust syntax
        return pl.col(field).str.contains(
            rf"[\s\x1c-\x1f]|^{sep}|{sep}$|{sep}{sep}").fill_null(False)

    def _clean_values(self, frame: pl.DataFrame, name: str, kind: str) -> pl.Expr:
        values = frame.get_column(name).drop_nulls().unique().to_list()
        return _among([v for v in values if self.ref.is_clean(kind, v)])

    def _flags(self, frame: pl.DataFrame) -> list[pl.Expr]:
        bad: list[pl.Expr] = [pl.col(f).is_null() for f in REQUIRED_FILLED]
        bad += [(pl.col(f).str.len_bytes() != pl.col(f).str.strip_chars(PY_SPACE)
                 .str.len_bytes()).fill_null(False) for f in TEXT_FIELDS]
        bad += [self._untidy_list(f) for f in LIST_FIELDS]
        bad += [(pl.col(f.removeprefix("voyage.")).str.len_chars() > limit).fill_null(False)
                for f, limit in LENGTH_LIMITS.items()]
        for f, kind in CODE_FIELDS.items():
            name = _t(f) if f in TYPED_CODES else f
            bad.append(pl.col(name).is_not_null()
                       & ~pl.col(name).is_in(self._clean_values(frame, name, kind)))
        ports = frame.get_column(_t("transshipment_ports")).explode().drop_nulls().unique()
        ok_ports = [p for p in ports.to_list() if self.ref.is_clean("locode", p)]
        bad.append(~pl.col(_t("transshipment_ports")).list.eval(
            pl.element().is_in(_among(ok_ports))).list.all())
        terms = frame.get_column("freight_terms").drop_nulls().unique().to_list()
        bad.append(~pl.col("freight_terms").is_in(
            _among([t for t in terms if t == t.strip().upper()]))
            & pl.col("freight_terms").is_not_null())
        bad.append(pl.col("full_empty").is_not_null() & ~pl.col("full_empty").is_in(["F", "E"]))
        for f in (*NUMBER_FIELDS, *INTEGER_FIELDS):
            typed = pl.col(_t(f))
            broken = typed.is_null() | (typed <= 0)
            if f in NUMBER_FIELDS:
                broken = broken | ~typed.is_finite()
            bad.append(pl.col(f).is_not_null() & broken.fill_null(True))
        gross, vgm = pl.col(_t("gross_mass_kg")), pl.col(_t("vgm_kg"))
        limit = pl.max_horizontal(pl.lit(VGM_TOLERANCE_KG), gross * VGM_TOLERANCE_SHARE)
        bad.append(((gross - vgm).abs() > limit).fill_null(False))
        bad.append((pl.col(_t("goods_net_kg")) > pl.col(_t("goods_gross_kg"))).fill_null(False))
        bad.append(pl.col("value").is_not_null() & pl.col("currency").is_null())
        bad.append(_transshipment_days_disagree())
        bad += [pl.col(_t(f)).is_null() for f in BOOL_FIELDS]
        return bad

    def prepare(self, raw: pl.DataFrame) -> pl.DataFrame:
        """Raw batch (file column names) -> fields, typed twins, _line and _flag."""
        if ROW_COLUMN in raw.columns:  # the reader knows the line numbers (XLSX skips blanks)
            line = pl.col(ROW_COLUMN).cast(pl.Int64)
        else:
            line = pl.int_range(pl.len(), dtype=pl.Int64) + self.next_line
        frame = raw.select([self._raw(f) for f in FIELDS], _line=line)
        frame = frame.with_columns(self._typed())
        self.next_line += raw.height
        lossy = pl.any_horizontal([pl.col(f).str.contains(_LOSSY, literal=True).fill_null(False)
                                   for f in (*TEXT_FIELDS, "seals")])
        container_ok = pl.lit(pl.Series(clean_container_numbers(
            frame.get_column("container_number"))))
        # A flag that comes out null (it should not) counts as raised: the safe side.
        flags = [e.fill_null(True) for e in (*self._flags(frame), pl.col("_lossy"),
                                             container_ok.not_())]
        return frame.with_columns(_lossy=lossy).with_columns(_flag=pl.any_horizontal(flags))

    # --- batches -> records ------------------------------------------------------------

    def run(self, batches: Iterable[pl.DataFrame]) -> Iterator[Outcome]:
        """Outcomes in input order. The polars work (reading; flags and splitting) runs one
        batch ahead in two threads, so it overlaps the Python work of building records."""
        for clean, flagged, lossy, conflicts in prefetch(self._split(batches)):
            yield from self._outcomes(clean, flagged, lossy, conflicts)

    def checked(self, batches: Iterable[pl.DataFrame],
                ) -> Iterator[tuple[pl.DataFrame, list[Outcome]]]:
        """Per batch: the clean lines as a typed frame (canonical values; `_g` numbers the
        bills of lading, `_line` is the line) and the Outcomes of the flagged B/Ls."""
        for clean, flagged, lossy, conflicts in prefetch(self._split(batches)):
            ids = flagged.get_column("_g").unique(maintain_order=True).to_list()
            yield clean, [self._check(rec, lines, g in lossy, conflicts.get(g, ()))
                          for g, (rec, lines) in zip(ids, _build(flagged, flagged=True),
                                                     strict=True)]

    def _split(self, batches: Iterable[pl.DataFrame],
               ) -> Iterator[tuple[pl.DataFrame, pl.DataFrame, set[int], Conflicts]]:
        """(clean lines, flagged lines, B/Ls with replaced bytes, lines that disagree) per
        batch; the B/L cut by a batch edge is carried over to the next batch."""
        carry: pl.DataFrame | None = None
        for raw in prefetch(batches):  # the file is read a block ahead of the checks
            if raw.height == 0:
                continue
            frame = self.prepare(raw)
            frame = _group(frame if carry is None else pl.concat([carry, frame]))
            last = frame.get_column("_g")[-1]
            carry = frame.filter(pl.col("_g") == last).drop("_g")
            yield _partition(frame.filter(pl.col("_g") != last))
        if carry is not None and carry.height:
            yield _partition(_group(carry))

    def _outcomes(self, clean_frame: pl.DataFrame, flagged_frame: pl.DataFrame,
                  lossy: set[int], conflicts: Conflicts) -> Iterator[Outcome]:
        if flagged_frame.height == 0:  # the usual batch: nothing to merge
            for rec, _lines in _build(clean_frame):
                yield Outcome(rec, [])
            return
        order = clean_frame.get_column("_g").unique(maintain_order=True).to_list()
        flagged_ids = flagged_frame.get_column("_g").unique(maintain_order=True).to_list()
        checked = [(g, self._check(rec, lines, g in lossy, conflicts.get(g, ())))
                   for g, (rec, lines) in zip(flagged_ids, _build(flagged_frame,
                                                                   flagged=True))]
        i = 0
        for g, (rec, _lines) in zip(order, _build(clean_frame)):
            while i < len(checked) and checked[i][0] < g:
                yield checked[i][1]
                i += 1
            yield Outcome(rec, [])
        for _g, outcome in checked[i:]:
            yield outcome

    def _check(self, raw: dict[str, Any], lines: list[int], lossy: bool,
               conflicts: Iterable[Conflict] = ()) -> Outcome:
        where = {f"containers[{i}]": f"{self.unit} {n}" for i, n in enumerate(lines[1:])}
        clean, findings = validate_record(raw, self.ref, source=self.source,
                                          location=f"{self.unit} {lines[0]}", locations=where)
        key = str(raw["bl_number"] or "")
        if lossy:
            findings.append(Finding(self.source, f"{self.unit} {lines[0]}", key, "",
                                    "encoding", "Bytes that are not valid in the file's "
                                    "encoding were replaced by \ufffd.", WARNING,
                                    "Байты, недопустимые в кодировке файла, заменены на "
                                    "\ufffd."))
        for field, box, value, first, line, other in conflicts:
            # The record holds the first line's value: the other would be lost unseen.
            path = _RECORD_PATH.get(field, field)
            if box is not None:
                boxes = [c["container_number"] for c in raw["containers"]]
                path = f"containers[{boxes.index(box) if box in boxes else 0}].{field}"
            whose = f"container {box} of bill" if box is not None else "bill"
            whose_ru = f"контейнера {box} коносамента" if box is not None else "коносамента"
            findings.append(Finding(
                self.source, f"{self.unit} {line}", key, path, "lines_disagree",
                f"The lines of {whose} {key} disagree on {field}: {self.unit} {first} has "
                f"{value!r}, {self.unit} {line} has {other!r}. Every line of a bill of "
                "lading must repeat the same value (or leave it empty).",
                message_ru=f"Строки {whose_ru} {key} расходятся в поле {field}: в строке "
                f"{first} — {value!r}, в строке {line} — {other!r}. Во всех строках "
                "коносамента значение должно быть одним и тем же (или не заполнено)."))
            clean = None
        return Outcome(clean, findings, None if clean is not None else raw)


def _transshipment_days_disagree() -> pl.Expr:
    """Lines whose transshipment days validate_record would question (left before arriving,
    after this port's arrival, or with no transshipment port): compared as ISO text, which
    is exact for the clean values the other flags let through."""
    arrived, left = pl.col(_t("transshipment_arrival")), pl.col(_t("transshipment_departure"))
    latest = pl.max_horizontal(arrived, left)
    return ((left < arrived).fill_null(False)
            | (latest > pl.col(_t("eta")).str.slice(0, 10)).fill_null(False)
            | (latest.is_not_null() & (pl.col(_t("transshipment_ports")).list.len() == 0)))


def _among(values: list[str]) -> pl.Expr:
    """A literal set for is_in (imploded: polars reads a bare Series as row-wise lists)."""
    return pl.lit(pl.Series(values, dtype=pl.String)).implode()


def _group(frame: pl.DataFrame) -> pl.DataFrame:
    """Number the bills of lading: consecutive lines with the same voyage and B/L number."""
    vid, bl = pl.col("voyage_id"), pl.col("bl_number")
    new = (vid.ne_missing(vid.shift(1)) | bl.ne_missing(bl.shift(1))).fill_null(True)
    return frame.with_columns(_g=new.cum_sum().cast(pl.Int64))


# (field, container number or None, first value, its line, the other value's line, the value)
Conflict = tuple[str, str | None, str, int, int, str]
Conflicts = dict[int, list[Conflict]]


def _partition(frame: pl.DataFrame
               ) -> tuple[pl.DataFrame, pl.DataFrame, set[int], Conflicts]:
    # (the shifts first: inside the window they would run once per B/L)
    frame = frame.with_columns(_differs=_may_disagree()).with_columns(
        _gflag=(pl.col("_flag") | pl.col("_differs")).any().over("_g"))
    lossy = set(frame.filter(pl.col("_lossy")).get_column("_g").to_list())
    flagged = frame.filter(pl.col("_gflag"))
    differing = flagged.filter(pl.col("_differs").any().over("_g"))
    conflicts: Conflicts = {}
    if differing.height:
        conflicts = _disagreements(differing)
        flagged = flagged.with_columns(*_filled(flagged, BILL_FIELDS, ["_g"]),
                                       *_filled(flagged, BOX_FIELDS, ["_g", "container_number"]))
    return (_clean_frame(frame.filter(~pl.col("_gflag"))), _best_frame(flagged), lossy,
            conflicts)


def _may_disagree() -> pl.Expr:
    """Whether a line differs from the line before it in what both must share: the B/L's
    fields when it is the same B/L, the container's when it is also the same container (a
    B/L's lines are consecutive, and so are a container's, as _build reads them). Column by
    column against the shifted column: a tenth of a second over a million lines, where a
    hash per line compared within each B/L took over a second. Such B/Ls take the slow
    path, which finds what really differs (_disagreements) and what a line left empty
    (_filled)."""
    def changed(fields: tuple[str, ...]) -> pl.Expr:
        return pl.any_horizontal([pl.col(f).ne_missing(pl.col(f).shift(1)) for f in fields])
    same_bill = pl.col("_g") == pl.col("_g").shift(1)
    same_box = same_bill & (pl.col("container_number") == pl.col("container_number").shift(1))
    return ((same_bill & changed(BILL_FIELDS)) | (same_box & changed(BOX_FIELDS))
            ).fill_null(False)


def _filled(frame: pl.DataFrame, fields: tuple[str, ...], over: list[str]) -> list[pl.Expr]:
    """A value left empty on a line taken from the next line of its B/L (or container) that
    has one: the record reads the first line, which may be the one left empty."""
    exprs = []
    for f in fields:
        exprs.append(pl.col(f).backward_fill().over(over))
        if _t(f) in frame.columns:
            typed = pl.when(pl.col(f).is_null()).then(None).otherwise(pl.col(_t(f)))
            typed = typed.backward_fill().over(over)
            if f in LIST_FIELDS:
                typed = typed.fill_null(pl.lit([], dtype=pl.List(pl.String)))
            exprs.append(typed.alias(_t(f)))
    return exprs


def _disagreements(flagged: pl.DataFrame) -> Conflicts:
    """Per B/L, the fields its lines give different values (case and spacing aside; an empty
    cell agrees with anything), with the first line of each value."""
    out: Conflicts = {}
    for fields, over in ((BILL_FIELDS, ["_g"]), (BOX_FIELDS, ["_g", "container_number"])):
        for field in fields:
            text = pl.col(field).cast(pl.String)
            same = text.str.strip_chars().str.replace_all(r"\s+", " ").str.to_uppercase()
            if field in (*NUMBER_FIELDS, *INTEGER_FIELDS, *BOOL_FIELDS, *TYPED_CODES):
                same = pl.coalesce(pl.col(_t(field)).cast(pl.String), same)  # 5 and 5.0
            elif field == "seals":  # in any order
                same = pl.col(_t(field)).list.sort().list.join(_JOIN).str.to_uppercase()
            found = flagged.select("_g", "_line", "container_number", text.alias("v"),
                                   same.alias("k")).filter(pl.col("k").is_not_null())
            found = found.filter(pl.col("k").n_unique().over(over) > 1)
            if found.height == 0:
                continue
            for keys, lines in found.group_by(over, maintain_order=True):
                first = lines.row(0, named=True)
                other = lines.filter(pl.col("k") != first["k"]).row(0, named=True)
                out.setdefault(int(keys[0]), []).append(
                    (field, keys[1] if len(over) > 1 else None, first["v"], first["_line"],
                     other["_line"], other["v"]))
    return out


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Run `items` one step ahead in a daemon thread. polars releases the GIL while it works,
    so on two cores reading and checking the next batch overlaps building this one. Errors
    are re-raised here; closing this generator stops the thread."""
    channel: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                channel.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("end", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            put("error", exc)

    thread = threading.Thread(target=work, name="intake-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = channel.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _lists(column: pl.Series, tidy: bool) -> list[Any]:
    """A list column as Python lists. polars converts list cells slowly (about a third of
    all conversion time); for tidy lists (no spaces, no empty items: what clean lines
    have) joining in polars and splitting with str.split is four times faster."""
    if not tidy:
        return column.to_list()
    return [s.split(_JOIN) if s else [] for s in column.list.join(_JOIN).to_list()]


def _columns(frame: pl.DataFrame, tidy: bool) -> tuple[dict[str, list[Any]],
                                                        dict[str, list[Any]], list[int]]:
    """Python lists of B/L-level values (first line of each B/L only), line-level values,
    and the number of lines per B/L."""
    sizes = frame.group_by("_g", maintain_order=True).len().get_column("len").to_list()
    first = frame.filter(pl.col("_g").is_first_distinct())

    def values(part: pl.DataFrame, name: str) -> list[Any]:
        column = part.get_column(name)
        return _lists(column, tidy) if name in LIST_FIELDS else column.to_list()
    return ({n: values(first, n) for n in GROUP_COLS},
            {n: values(frame, n) for n in LINE_COLS}, sizes)


def _clean_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed, canonical values for bills of lading whose lines passed every flag."""
    size = pl.col("size_type")
    reefer = pl.col(_t("reefer")) | ((size.str.len_chars() == 4)
                                     & (size.str.slice(2, 1) == "R")).fill_null(False)
    return frame.select(
        "_g", "_line", *[pl.col(f).fill_null("") for f in PLAIN],
        *[pl.col(_t(f)).fill_null("").alias(f) for f in TYPED_CODES],
        *[pl.col(_t(f)).alias(f) for f in (*NUMBER_FIELDS, *INTEGER_FIELDS, *LIST_FIELDS)],
        reefer.alias("reefer"), pl.col("full_empty").fill_null("F"))


def _best_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Strings as read (converted where conversion worked), for validate_record to judge."""
    def best(f: str) -> pl.Expr:
        return pl.coalesce(pl.col(_t(f)).cast(pl.String), pl.col(f)).alias(f)
    reefer = pl.when(pl.col(_t("reefer")).is_not_null()).then(
        pl.when(pl.col(_t("reefer"))).then(pl.lit("1")).otherwise(pl.lit("0"))
    ).otherwise(pl.col("reefer")).alias("reefer")
    return frame.select("_g", "_line", *PLAIN, "full_empty", *map(best, TYPED_CODES),
                        *[best(f) for f in (*NUMBER_FIELDS, *INTEGER_FIELDS)],
                        *[pl.col(_t(f)).alias(f) for f in LIST_FIELDS], reefer)


def _build(frame: pl.DataFrame, *, flagged: bool = False,
           ) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """Assemble one record per B/L. For flagged lines (the records validate_record will
    check) also lines = [first line, line of each container], to point findings at lines.

    A generator on purpose: each record goes to the consumer as soon as it is built, so the
    objects die young and the cyclic GC never has to walk a whole batch of them (building the
    batch first cost a fifth of the time in GC passes)."""
    groups, rows, sizes = _columns(frame, tidy=not flagged)
    line_iter = zip(*(rows[n] for n in LINE_COLS))
    no_lines: list[int] = []
    for size, (first, vid, imo, vname, flag, carrier, poc, eta, bl, por, pol, ts, arrived,
               left, pod, fdest, terms, sn, sa, sc, cn, ca, cc, nn, na, nc) in zip(
            sizes, zip(*(groups[n] for n in GROUP_COLS))):
        conts: list[dict[str, Any]] = []
        lines = [first] if flagged else no_lines
        last_no: Any = None
        for (line, no, st, seals, gm, vgm, fe, rf, hs, gd, pk, pt, gg, gn, va, cu,
             oc) in islice(line_iter, size):
            goods = [{"hs_code": hs, "description": gd, "packages": pk,
                      "package_type": pt, "gross_kg": gg, "net_kg": gn, "value": va,
                      "currency": cu, "origin_country": oc}] if (
                hs or gd or pt or cu or oc or pk is not None or gg is not None
                or gn is not None or va is not None) else []
            if no == last_no and conts:  # another goods line of the same container
                conts[-1]["goods"].extend(goods)
                continue
            last_no = no
            if flagged:
                lines.append(line)
            conts.append({"container_number": no, "size_type": st, "seals": seals,
                          "gross_mass_kg": gm, "vgm_kg": vgm, "full_empty": fe,
                          "reefer": rf, "goods": goods})
        yield ({
            "voyage": {"voyage_id": vid, "vessel_imo": imo, "vessel_name": vname,
                       "vessel_flag": flag, "carrier": carrier, "port_of_call": poc,
                       "eta": eta},
            "bl_number": bl, "place_of_receipt": por, "port_of_loading": pol,
            "transshipment_ports": ts, "transshipment_arrival": arrived,
            "transshipment_departure": left, "port_of_discharge": pod,
            "final_destination": fdest,
            "freight_terms": terms,
            "parties": {"shipper": {"name": sn, "address": sa, "country": sc} if sn else None,
                        "consignee": {"name": cn, "address": ca, "country": cc} if cn
                        else None,
                        "notify": {"name": nn, "address": na, "country": nc} if nn else None},
            "containers": conts}, lines)


def records_of(clean: pl.DataFrame) -> list[dict[str, Any]]:
    """The canonical records of clean lines (a frame from read_csv_frames, or part of one),
    for the bills a bulk loader hands back to the record-at-a-time path."""
    return [rec for rec, _lines in _build(clean)]
