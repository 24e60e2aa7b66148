"""XLSX workbooks -> canonical records, streamed with openpyxl's read-only mode.

Rows are read one by one and handed to tabular.TableIntake in batches of strings, the same
path CSV takes, so mappings, checks and findings are identical; locations say "row N" (the
spreadsheet's row number). Cells are turned into text the way a person would have typed
them: whole numbers without ".0", dates in the mapping's date format (or ISO 8601), HS codes
in number cells with the leading zero Excel dropped put back.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from .findings import Finding, IntakeError, Outcome
from .mapping import DAY_FIELDS, Mapping, load_mapping
from .tabular import ROW_COLUMN, TableIntake
from .validate import Reference

BATCH_ROWS = 20_000


def _text(value: Any, date_format: str | None, hs: bool = False,
          timezone: str = "") -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and hs and float(value).is_integer():
        # A number cell drops the leading zero of chapters 01-09 (090411 -> 90411); HS codes
        # have an even number of digits, so an odd count means Excel ate the zero.
        digits = str(int(value))
        return "0" + digits if len(digits) % 2 else digits
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):  # a spreadsheet date has no zone: the mapping's applies
        return value.strftime(date_format) if date_format else value.isoformat() + timezone
    if isinstance(value, (date, time)):
        return value.strftime(date_format) if date_format and isinstance(value, date) \
            else value.isoformat()
    return str(value)


def _unique(names: list[str]) -> list[str]:
    """Blank or repeated headings get a position suffix, so every column has a name."""
    seen: set[str] = set()
    out = []
    for i, name in enumerate(names, start=1):
        name = name or f"column {i}"
        while name in seen:
            name = f"{name} ({i})"
        seen.add(name)
        out.append(name)
    return out


def _open(path: Path, source: str) -> Any:
    # openpyxl is imported here: only XLSX users need it installed.
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise IntakeError("Not an XLSX workbook (an XLSX file is a zip archive).", source=source,
                          message_ru="Файл не является книгой XLSX (файл XLSX — это "
                                     "zip-архив).")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise IntakeError(f"Not a readable XLSX workbook: {type(exc).__name__}: "
                          f"{str(exc)[:200]}", source=source,
                          message_ru=f"Книгу XLSX не удаётся прочитать: {type(exc).__name__}: "
                                     f"{str(exc)[:200]}") from None


def _sheet(book: Any, rules: Mapping, source: str) -> Any:
    if rules.sheet is None:
        if not book.worksheets:
            raise IntakeError("The workbook has no worksheets.", source=source,
                              message_ru="В книге нет листов.")
        return book.worksheets[0]
    if rules.sheet not in book.sheetnames:
        raise IntakeError(f"The workbook has no sheet {rules.sheet!r}; it has: "
                          f"{', '.join(book.sheetnames)}.", source=source,
                          message_ru=f"В книге нет листа {rules.sheet!r}; есть листы: "
                                     f"{', '.join(book.sheetnames)}.")
    return book[rules.sheet]


def _rows(sheet: Any, source: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except Exception as exc:  # noqa: BLE001 - a damaged part shows only while streaming
        raise IntakeError(f"The workbook cannot be read further: {type(exc).__name__}: "
                          f"{str(exc)[:200]}", source=source,
                          message_ru=f"Дальше книгу прочитать не удаётся: "
                                     f"{type(exc).__name__}: {str(exc)[:200]}") from None


def read_xlsx(path: str | Path, mapping: str | Path | dict[str, Any] | Mapping | None = None,
              *, source: str | None = None, ref: Reference | None = None,
              file_findings: list[Finding] | None = None,
              batch_rows: int = BATCH_ROWS) -> Iterator[Outcome]:
    """Yield an Outcome per bill of lading from the mapping's sheet (default: the first)."""
    path = Path(path)
    source = source or path.name
    rules = load_mapping(mapping)
    sink = file_findings if file_findings is not None else []
    book = _open(path, source)
    try:
        rows = _rows(_sheet(book, rules, source), source)
        header_row, header = next(((n, r) for n, r in rows
                                   if any(v not in (None, "") for v in r)), (0, ()))
        if not header_row:
            raise IntakeError("The worksheet is empty.", source=source,
                              message_ru="Лист пуст.")
        names = _unique([str(v).strip() if v is not None else "" for v in header])
        table = TableIntake(rules, names, source=source, ref=ref, first_line=header_row + 1,
                            unit="row")
        sink.extend(table.findings)
        formats: dict[str, str | None] = dict.fromkeys(names)
        if "eta" in rules.columns and table.selected.get("eta") in formats:
            formats[table.selected["eta"]] = rules.columns["eta"].date_format
        for day in DAY_FIELDS:  # a date cell of a day field: its day, as the mapping writes it
            if table.selected.get(day) in formats:
                column = rules.columns.get(day)
                formats[table.selected[day]] = (column.date_format if column else None) \
                    or "%Y-%m-%d"
        wanted = [(i, name) for i, name in enumerate(names) if name in table.file_columns]
        yield from table.run(_batches(rows, wanted, formats, table.selected.get("hs_code"),
                                      rules.timezone, batch_rows))
    finally:
        book.close()


def _batches(rows: Iterator[tuple[int, tuple[Any, ...]]], wanted: list[tuple[int, str]],
             formats: dict[str, str | None], hs_column: str | None, timezone: str,
             size: int) -> Iterator[pl.DataFrame]:
    schema = {name: pl.String for _, name in wanted} | {ROW_COLUMN: pl.Int64}
    batch: list[list[Any]] = []
    for number, row in rows:
        values = [_text(row[i], formats[name], name == hs_column, timezone)
                  if i < len(row) else None for i, name in wanted]
        if all(v in (None, "") for v in values):
            continue  # blank rows are common at the end of a sheet
        batch.append([*values, number])
        if len(batch) >= size:
            yield pl.DataFrame(batch, schema=schema, orient="row")
            batch = []
    if batch:
        yield pl.DataFrame(batch, schema=schema, orient="row")
