"""CSV files -> canonical records, streamed in batches through polars.

The reader only deals with the file: encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM;
otherwise Windows-1251 or Latin-1, with a warning), the delimiter (comma, semicolon, tab or
bar, detected from the header unless the mapping names it) and the header. Everything about
columns and values is tabular.TableIntake's, shared with XLSX.

The file is cut into blocks of whole records (8 MB) that polars parses one at a time, so
memory stays bounded by the block size however large the file; only the columns the mapping
uses are parsed.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from .findings import WARNING, Finding, IntakeError, Outcome
from .mapping import Mapping, load_mapping
from .tabular import ROW_COLUMN, TableIntake
from .validate import Reference

SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 8 << 20  # about 16,000 lines of the generator's CSV
DELIMITERS = (",", ";", "\t", "|")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CP1251 = "The file is not UTF-8; it was read as Windows-1251 (Cyrillic)."
_LATIN1 = "The file is not UTF-8; it was read as Latin-1 (ISO 8859-1)."
# detect_encoding's warnings in Russian.
ENCODING_RU = {_CP1251: "Файл не в кодировке UTF-8; прочитан как Windows-1251 (кириллица).",
               _LATIN1: "Файл не в кодировке UTF-8; прочитан как Latin-1 (ISO 8859-1)."}


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
        return "cp1251", _CP1251
    return "latin-1", _LATIN1


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
        raise IntakeError(f"Cannot read the file: {exc.strerror}.", source=source,
                          message_ru=f"Не удаётся прочитать файл: {exc.strerror}.") from None


def _record_end(buf: bytes) -> int:
    """Index just after the last newline that ends a record: one with an even number of
    quote characters before it (a newline inside a quoted field does not end anything)."""
    cut = buf.rfind(b"\n")
    while cut >= 0:
        if buf.count(b'"', 0, cut) % 2 == 0:
            return cut + 1
        cut = buf.rfind(b"\n", 0, cut)
    return -1


def _split_header(path: Path) -> tuple[str, int]:
    """The header (text, BOM removed) and the byte offset where the data starts."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    end = head.find(b"\n")
    while end >= 0 and head.count(b'"', 0, end) % 2:  # a newline inside a quoted heading
        end = head.find(b"\n", end + 1)
    end = end + 1 if end >= 0 else len(head)
    line = head[:end].decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    return line, end


def _header(line: str, delimiter: str) -> list[str]:
    try:
        names = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        names = line.split(delimiter)
    return [name.strip() for name in names]


def _blocks(path: Path, start: int, size: int) -> Iterator[bytes]:
    """The data in blocks of about `size` bytes, each ending at the end of a record. Our own
    blocks rather than polars' streaming reader: that one reads ahead without bound when the
    consumer is slower than the disk (measured: most of a 500 MB file held in memory)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        pending = b""
        while True:
            data = fh.read(size)
            if not data:
                if pending.strip():
                    yield pending
                return
            buf = pending + data
            end = _record_end(buf)
            if end <= 0:  # one record longer than a block: read on
                pending = buf
                continue
            yield buf[:end]
            pending = buf[end:]


_QUOTE_OR_NEWLINE = re.compile(rb'["\n]')


def _record_lines(block: bytes, first: int, rows: int, newlines: int) -> list[int] | None:
    """The line each record of a block starts on, when a quoted field spans lines (an
    address typed with line breaks); None when every record is one line (the usual case).
    `newlines` is the block's count of newline bytes."""
    if newlines == rows or (newlines == rows - 1 and not block.endswith(b"\n")):
        return None
    starts, line, quoted = [first], first, False
    for match in _QUOTE_OR_NEWLINE.finditer(block):
        if match.group() == b'"':
            quoted = not quoted
            continue
        line += 1
        if not quoted and match.end() < len(block):
            starts.append(line)
    return starts if len(starts) == rows else None  # blank lines: numbering stays simple


def _frames(path: Path, start: int, first_line: int, header: list[str], wanted: list[str],
            delimiter: str, source: str, block_bytes: int) -> Iterator[pl.DataFrame]:
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    columns = sorted({position[name] for name in wanted})
    names = {f"column_{i}": header[i] for i in columns}
    # The whole schema, given: polars would otherwise count the columns of each block's
    # first line, which is wrong when that record is short or spans lines.
    schema = {f"column_{i}": pl.String for i in range(len(header))}
    line = first_line
    for block in _blocks(path, start, block_bytes):
        try:
            frame = pl.read_csv(io.BytesIO(block), has_header=False, schema=schema,
                                columns=columns, separator=delimiter, quote_char='"',
                                encoding="utf8-lossy", truncate_ragged_lines=True,
                                missing_columns="insert", raise_if_empty=False)
        except (pl.exceptions.PolarsError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
            raise IntakeError(f"The CSV cannot be read further: {first[:300]}",
                              source=source,
                              message_ru=f"Дальше файл CSV прочитать не удаётся: "
                                         f"{first[:300]}") from None
        newlines = block.count(b"\n")
        lines = _record_lines(block, line, frame.height, newlines)
        number = pl.Series(ROW_COLUMN, lines, dtype=pl.Int64) if lines is not None else \
            (pl.int_range(pl.len(), dtype=pl.Int64) + line).alias(ROW_COLUMN)
        line += newlines
        yield frame.rename({k: v for k, v in names.items() if k in frame.columns}) \
            .with_columns(number)


MappingSpec = str | Path | dict[str, Any] | Mapping | None


def read_csv(path: str | Path, mapping: MappingSpec = None, *, source: str | None = None,
             ref: Reference | None = None, file_findings: list[Finding] | None = None,
             block_bytes: int = BLOCK_BYTES) -> Iterator[Outcome]:
    """Yield an Outcome per bill of lading; file-level findings go to `file_findings`."""
    with _table(path, mapping, source, ref, file_findings, block_bytes) as (table, batches):
        yield from table.run(batches)


def read_csv_frames(path: str | Path, mapping: MappingSpec = None, *,
                    source: str | None = None, ref: Reference | None = None,
                    file_findings: list[Finding] | None = None,
                    block_bytes: int = BLOCK_BYTES,
                    ) -> Iterator[tuple[pl.DataFrame, list[Outcome]]]:
    """For bulk loaders that take columns, not dicts (building a million dicts costs more
    than reading and checking the file): per block, the lines of clean bills of lading as a
    typed polars frame in canonical values (`_g` numbers the B/Ls, `_line` gives the line),
    and the Outcomes of the other bills of lading, as read_csv would give them."""
    with _table(path, mapping, source, ref, file_findings, block_bytes) as (table, batches):
        yield from table.checked(batches)


@contextlib.contextmanager
def _table(path: str | Path, mapping: MappingSpec, source: str | None, ref: Reference | None,
           file_findings: list[Finding] | None, block_bytes: int,
           ) -> Iterator[tuple[TableIntake, Iterator[pl.DataFrame]]]:
    path = Path(path)
    source = source or path.name
    rules = load_mapping(mapping)
    sink = file_findings if file_findings is not None else []
    sample = _sample(path, source)
    if not sample.strip(b" \t\r\n").removeprefix(codecs.BOM_UTF8).strip():
        raise IntakeError("The file is empty.", source=source, message_ru="Файл пуст.")
    if rules.encoding:
        try:
            codec, warning = codecs.lookup(rules.encoding).name, None
        except LookupError:
            raise IntakeError(f"Unknown encoding {rules.encoding!r} in mapping "
                              f"{rules.name!r}.", source=source,
                              message_ru=f"Неизвестная кодировка {rules.encoding!r} в "
                                         f"сопоставлении столбцов {rules.name!r}.") from None
    else:
        codec, warning = detect_encoding(sample, complete=len(sample) < SAMPLE_BYTES)
    if warning:
        sink.append(Finding(source, "", "", "", "encoding", warning, WARNING,
                            ENCODING_RU.get(warning, "")))
    with _as_utf8(path, codec) as readable:
        line, start = _split_header(readable)
        delimiter = rules.delimiter or detect_delimiter(line)
        header = _header(line, delimiter)
        first_line = line.count("\n") + 2
        table = TableIntake(rules, header, source=source, ref=ref, first_line=first_line)
        sink.extend(table.findings)
        yield table, _frames(readable, start, first_line, header, table.file_columns,
                             delimiter, source, block_bytes)
