"""CSV files -> canonical records, streamed in batches through polars.

The reader only deals with the file: encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM;
otherwise Windows-1251 or Latin-1, with a warning), the delimiter (comma, semicolon, tab or
bar, detected from the header unless the mapping names it) and the header. Everything about
columns and values is tabular.TableIntake's, shared with XLSX.

polars reads the file lazily (scan_csv + collect_batches), so memory stays bounded by the batch
size however large the file; only the columns the mapping uses are parsed.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from .findings import WARNING, Finding, IntakeError, Outcome
from .mapping import Mapping, load_mapping
from .tabular import TableIntake
from .validate import Reference

SAMPLE_BYTES = 1 << 20
BATCH_ROWS = 50_000
DELIMITERS = (",", ";", "\t", "|")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(sample: bytes, *, complete: bool) -> tuple[str, str | None]:
    """(codec, warning or None). `complete` says the sample is the whole file, so a
    multi-byte character cut at the end of a partial sample is not held against it."""
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, None
    try:
        sample.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 3:
            return "utf-8", None
    if _looks_cyrillic(sample.decode("cp1251", errors="replace")):
        return "cp1251", "The file is not UTF-8; it was read as Windows-1251 (Cyrillic)."
    return "latin-1", "The file is not UTF-8; it was read as Latin-1 (ISO 8859-1)."


def _looks_cyrillic(text: str) -> bool:
    """Russian in Windows-1251 gives whole words of Cyrillic letters; Latin-1 accents read as
    Windows-1251 give lone Cyrillic letters inside Latin words ("Pacнfico")."""
    def cyr(ch: str) -> bool:
        return "\u0400" <= ch <= "\u04ff"
    letters = [i for i, ch in enumerate(text) if cyr(ch)]
    if not letters:
        return False
    paired = sum(1 for i in letters if (i > 0 and cyr(text[i - 1]))
                 or (i + 1 < len(text) and cyr(text[i + 1])))
    return paired / len(letters) > 0.5


def detect_delimiter(header_line: str) -> str:
    """The candidate that occurs most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextlib.contextmanager
def _as_utf8(path: Path, codec: str) -> Iterator[Path]:
    """polars reads only UTF-8: other encodings are copied to a UTF-8 temporary file,
    streamed in blocks so memory stays flat."""
    if codec in ("utf-8", "utf-8-sig"):
        yield path
        return
    fd, name = tempfile.mkstemp(prefix="pc-intake-", suffix=".csv")
    try:
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while block := src.read(SAMPLE_BYTES):
                dst.write(decoder.decode(block).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _sample(path: Path, source: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(SAMPLE_BYTES)
    except OSError as exc:
        raise IntakeError(f"Cannot read the file: {exc.strerror}.", source=source) from None


def _header_line(path: Path) -> str:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return fh.readline().lstrip("\ufeff")


def _header(path: Path, delimiter: str) -> list[str]:
    line = _header_line(path)
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _batches(frame: pl.LazyFrame, rows: int, source: str) -> Iterator[pl.DataFrame]:
    try:
        yield from frame.collect_batches(chunk_size=rows)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IntakeError(f"The CSV cannot be read further: {first[:300]}", source=source) \
            from None


def read_csv(path: str | Path, mapping: str | Path | dict[str, Any] | Mapping | None = None,
             *, source: str | None = None, ref: Reference | None = None,
             file_findings: list[Finding] | None = None,
             batch_rows: int = BATCH_ROWS) -> Iterator[Outcome]:
    """Yield an Outcome per bill of lading; file-level findings go to `file_findings`."""
    path = Path(path)
    source = source or path.name
    rules = load_mapping(mapping)
    sink = file_findings if file_findings is not None else []
    sample = _sample(path, source)
    if not sample.strip(b" \t\r\n").removeprefix(codecs.BOM_UTF8).strip():
        raise IntakeError("The file is empty.", source=source)
    if rules.encoding:
        try:
            codec, warning = codecs.lookup(rules.encoding).name, None
        except LookupError:
            raise IntakeError(f"Unknown encoding {rules.encoding!r} in mapping "
                              f"{rules.name!r}.", source=source) from None
    else:
        codec, warning = detect_encoding(sample, complete=len(sample) < SAMPLE_BYTES)
    if warning:
        sink.append(Finding(source, "", "", "", "encoding", warning, WARNING))
    with _as_utf8(path, codec) as readable:
        delimiter = rules.delimiter or detect_delimiter(_header_line(readable))
        header = [name.strip() for name in _header(readable, delimiter)]
        table = TableIntake(rules, header, source=source, ref=ref)
        sink.extend(table.findings)
        try:
            lazy = pl.scan_csv(readable, separator=delimiter, infer_schema=False,
                               encoding="utf8-lossy", truncate_ragged_lines=True,
                               quote_char='"', raise_if_empty=False)
            names = lazy.collect_schema().names()
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise IntakeError(f"Not a readable CSV file: {str(exc)[:300]}", source=source) \
                from None
        # polars names the columns itself (stripping the BOM, renaming duplicates): select by
        # position so the mapping's names and polars' agree.
        position = {name: i for i, name in reversed(list(enumerate(header)))}
        wanted = [names[position[c]] for c in table.file_columns if position[c] < len(names)]
        renames = {names[position[c]]: c for c in table.file_columns if position[c] < len(names)}
        lazy = lazy.select(wanted).rename(renames)
        yield from table.run(_batches(lazy, batch_rows, source))
