"""JSON and NDJSON in the canonical schema -> validated records.

Three shapes are accepted: a list of records, an object whose "records" key holds that list
(other keys are ignored), and NDJSON (one record per line, as the generator writes
manifests.ndjson). All three are streamed: the list is decoded one element at a time with
json.JSONDecoder.raw_decode over a sliding buffer, so a large file never sits in memory whole.

A line or element that is not an object is one rejected record (it was one in the input); a
file that stops being JSON part-way raises IntakeError after the records before it.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .findings import ERROR, Finding, IntakeError, Outcome
from .validate import Reference, validate_record

CHUNK = 1 << 20
_WS = " \t\r\n"
_RECORD_KEYS = {"bl_number", "voyage", "containers"}


class _Stream:
    """A text buffer over a file that grows on demand and forgets what was consumed."""

    def __init__(self, fh: IO[str], source: str):
        self.fh, self.source = fh, source
        self.buf, self.pos, self.eof = "", 0, False

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.fh.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise IntakeError(f"JSON must be UTF-8: {exc.reason} at byte {exc.start}.",
                              source=self.source,
                              message_ru=f"JSON должен быть в кодировке UTF-8: {exc.reason}, "
                                         f"байт {exc.start}.") from None
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            self.buf, self.pos = self.buf[self.pos:], 0
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next non-blank character ("" at the end), consuming the blanks."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        ch = self.peek()
        if not ch or ch not in chars:
            raise IntakeError(f"Not valid JSON: expected {what}, found "
                              f"{ch or 'the end of the file'!r}.", source=self.source,
                              message_ru=f"Недопустимый JSON: ожидался знак "
                                         f"{what.replace(' or ', ' или ')}, а найден "
                                         f"{repr(ch) if ch else 'конец файла'}.")
        self.pos += 1
        return ch

    def value(self, decoder: json.JSONDecoder) -> Any:
        while True:
            self.peek()
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.more():
                    continue
                raise IntakeError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column "
                                  f"{exc.colno} of the part being read).",
                                  source=self.source,
                                  message_ru=f"Недопустимый JSON: {exc.msg} (строка "
                                             f"{exc.lineno}, позиция {exc.colno} в читаемой "
                                             "части).") from None
            except RecursionError:
                raise IntakeError("Not valid JSON: nested too deeply.",
                                  source=self.source,
                                  message_ru="Недопустимый JSON: слишком глубокая "
                                             "вложенность.") from None
            if end == len(self.buf) and not self.eof and self.more():
                continue  # a number or word may go on in the next chunk
            self.pos = end
            return value


def _array(stream: _Stream) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    stream.expect("[", "'['")
    if stream.peek() == "]":
        stream.pos += 1
        return
    while True:
        yield stream.value(decoder)
        if stream.expect(",]", "',' or ']'") == "]":
            return


def _records_of_object(stream: _Stream) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    stream.expect("{", "'{'")
    found = False
    while stream.peek() != "}":
        key = stream.value(decoder)
        stream.expect(":", "':'")
        if key == "records" and stream.peek() == "[":
            found = True
            yield from _array(stream)
        else:
            stream.value(decoder)  # another key: read and ignore
        if stream.expect(",}", "',' or '}'") == "}":
            break
    if not found:
        raise IntakeError('A JSON object must hold the records in a "records" list.',
                          source=stream.source,
                          message_ru='Объект JSON должен содержать записи в списке "records".')


def _first_char(path: Path, source: str) -> tuple[str, str]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise IntakeError(f"Cannot read the file: {exc.strerror}.", source=source,
                          message_ru=f"Не удаётся прочитать файл: {exc.strerror}.") from None
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace").lstrip(_WS)
    return (text[:1], encoding)


def _is_ndjson(path: Path, encoding: str) -> bool:
    """An object on the first line by itself that looks like a record -> NDJSON."""
    with open(path, encoding=encoding, errors="replace") as fh:
        first = next((line for line in fh if line.strip()), "")
    try:
        value = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, dict) and bool(_RECORD_KEYS & set(value))


def _ndjson(path: Path, encoding: str, source: str) -> Iterator[tuple[str, Any]]:
    with open(path, encoding=encoding, errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield f"line {number}", json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    message = getattr(exc, "msg", "nested too deeply")
                    message_ru = getattr(exc, "msg", "слишком глубокая вложенность")
                    yield f"line {number}", _Unreadable(f"Not valid JSON: {message}.",
                                                        line[:2000],
                                                        f"Недопустимый JSON: {message_ru}.")


class _Unreadable:
    def __init__(self, message: str, text: str, message_ru: str = ""):
        self.message, self.text, self.message_ru = message, text, message_ru


def read_json(path: str | Path, *, source: str | None = None, ref: Reference | None = None,
              file_findings: list[Finding] | None = None) -> Iterator[Outcome]:
    """Yield an Outcome per record of a JSON list, {"records": [...]} object or NDJSON."""
    path = Path(path)
    source = source or path.name
    ref = ref or Reference.load()
    first, encoding = _first_char(path, source)
    if first not in ("[", "{"):
        raise IntakeError("Not JSON: the file does not start with '[' or '{'.", source=source,
                          message_ru="Не JSON: файл не начинается с '[' или '{'.")
    if first == "{" and _is_ndjson(path, encoding):
        items: Iterator[tuple[str, Any]] = _ndjson(path, encoding, source)
        yield from _outcomes(items, source, ref)
        return
    with open(path, encoding=encoding) as fh:
        stream = _Stream(fh, source)
        values = _array(stream) if first == "[" else _records_of_object(stream)
        numbered = ((f"record {i}", v) for i, v in enumerate(values, start=1))
        yield from _outcomes(numbered, source, ref)


def _outcomes(items: Iterator[tuple[str, Any]], source: str,
              ref: Reference) -> Iterator[Outcome]:
    for location, value in items:
        if isinstance(value, _Unreadable):
            finding = Finding(source, location, "", "", "json", value.message, ERROR,
                              value.message_ru)
            yield Outcome(None, [finding], None, raw_text=value.text)
            continue
        clean, findings = validate_record(value, ref, source=source, location=location)
        raw = None if clean is not None else (value if isinstance(value, dict)
                                              else {"value": value})
        yield Outcome(clean, findings, raw)
