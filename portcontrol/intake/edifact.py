"""UN/EDIFACT interchange syntax (ISO 9735) for intake: characters, segments, envelopes.

pydifact supplies the service string advice (UNA -> Characters) and is the reference parser:
`segments(..., engine="pydifact")` runs the same interchange through pydifact's Parser, and
the tests check that both engines give identical segments on every sample. The default
engine splits segments itself, because pydifact's tokenizer walks the text one character at a
time in Python: measured here at ~400 consignments a second, five times under the 2,000 a
second intake needs, and it stops at the first syntax error without saying which segment.
The fast engine splits on the terminator with str.split and re-joins pieces that end in an
odd run of release characters, so only segments that contain a release character are walked
character by character; it numbers every segment, keeps the segments before a syntax error,
and reports a release character in front of an ordinary character (pydifact accepts it).
It hands segments on a list (up to BATCH) at a time: a slice of segments with no release
character, no empty component at the end of an element and only tags seen before is split in
bulk (two str.split a segment, no Python work per segment besides), anything else one by one
the general way. run() reads those lists and calls the handler's segment_table directly for
the segments of a message. tests/test_edifact_fast.py holds the segment-at-a-time reader and
the plain envelope loop as oracles: same segments, numbers, findings and finding order.

Envelope checks: UNT segment count and reference, UNZ message count and reference, UNE group
counts, a message or interchange that is not closed, segments outside any message. The
character set follows the UNB syntax identifier (UNOA/UNOB ASCII, UNOC Latin-1, UNOD..UNOK
the other ISO 8859 parts, UNOW/UNOY UTF-8); bytes the declared set cannot hold are read as
Latin-1 (or replaced, for UTF-8) with a warning, never an exception.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress, count, repeat
from pathlib import Path
from typing import Protocol

from pydifact.control import Characters

from .findings import ERROR, WARNING, Finding, IntakeError, Outcome

CHUNK = 1 << 20
BATCH = 64  # segments handed on at a time: few enough to stay young for the GC
CHARSETS = {"UNOA": "ascii", "UNOB": "ascii", "UNOC": "latin-1", "UNOD": "iso8859-2",
            "UNOE": "iso8859-5", "UNOF": "iso8859-7", "UNOG": "iso8859-3", "UNOH": "iso8859-4",
            "UNOI": "iso8859-6", "UNOJ": "iso8859-8", "UNOK": "iso8859-9", "UNOW": "utf-8",
            "UNOY": "utf-8"}
DEFAULT_CHARACTERS = ":+.? '"
_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_BLANK = " \r\n"

Elements = list[list[str]]
Segment = tuple[int, str, Elements]  # number in the interchange, tag, elements/components


def comp(elements: Elements, element: int, component: int = 0) -> str:
    """One component ("" when absent); element 0 is the first after the tag."""
    if element < len(elements):
        parts = elements[element]
        if component < len(parts):
            return parts[component]
    return ""


@dataclass
class Header:
    """What a reader needs to know about the interchange and the current message."""

    syntax: str = ""
    characters: Characters = field(default_factory=lambda: Characters.from_str(
        DEFAULT_CHARACTERS))
    message_ref: str = ""
    message_type: str = ""
    version: str = ""  # e.g. "D:95B"
    association: str = ""  # e.g. SMDG20 for BAPLIE
    first_segment: int = 0
    prepared: datetime | None = None  # UNB date and time of preparation, taken as UTC


class Handler(Protocol):
    message_types: tuple[str, ...]

    def start(self, header: Header) -> None: ...

    def segment(self, number: int, tag: str, elements: Elements) -> list[Outcome] | None: ...

    def end(self, complete: bool) -> list[Outcome]: ...


def unb_time(day: str, clock: str) -> datetime | None:
    """UNB S004: YYMMDD (syntax 3) or CCYYMMDD (syntax 4) and HHMM, as UTC."""
    pattern = {6: "%y%m%d", 8: "%Y%m%d"}.get(len(day.strip()))
    try:
        moment = datetime.strptime(day.strip() + (clock.strip() or "0000")[:4],
                                   f"{pattern}%H%M") if pattern else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment else None


# --- reading the bytes -------------------------------------------------------------------

def sniff(head: bytes) -> tuple[str, Characters, str] | None:
    """(syntax identifier, characters, codec) when `head` starts an interchange, else None."""
    text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1").lstrip(" \r\n\t")
    if text.startswith("UNA") and len(text) >= 9:
        chars = Characters.from_str(text[:9])  # six characters: pydifact accepts them
        text = text[9:].lstrip(_BLANK)
    elif text.startswith("UNB"):
        chars = Characters.from_str(DEFAULT_CHARACTERS)
    else:
        return None
    if not text.startswith("UNB") or len(text) < 5:
        return None
    body = text[4:].split(chars.segment_terminator, 1)[0]
    syntax = body.split(chars.data_separator, 1)[0].split(chars.component_separator, 1)[0]
    return syntax.strip(), chars, CHARSETS.get(syntax.strip().upper(), "utf-8")


def _text_chunks(path: Path, codec: str, syntax: str, source: str,
                 findings: list[Finding]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)()
    lenient = codecs.getincrementaldecoder("latin-1" if codec == "ascii" else codec)(
        errors="replace")
    warned = False
    with open(path, "rb") as fh:
        while True:
            block = fh.read(CHUNK)
            final = not block
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError:
                if not warned:
                    findings.append(Finding(
                        source, "", "", "UNB", "charset",
                        f"The interchange declares {syntax or 'no syntax identifier'} but holds "
                        f"bytes outside its character set; they were read as "
                        f"{'Latin-1' if codec == 'ascii' else 'replacement characters'}.",
                        WARNING,
                        f"В обмене указан {syntax or 'пустой идентификатор синтаксиса'}, но "
                        f"есть байты вне его набора символов; они прочитаны как "
                        f"{'Latin-1' if codec == 'ascii' else 'символы замены'}."))
                    warned = True
                decoder = lenient
                text = lenient.decode(block, final)
            if text:
                yield text.removeprefix("\ufeff")
            if final:
                return


def _raw_segments(chunks: Iterator[str], chars: Characters) -> Iterator[tuple[str, bool]]:
    """(segment text, complete) — the last is incomplete when the file is cut short."""
    term, rel = chars.segment_terminator, chars.escape_character
    pending = ""
    for chunk in chunks:
        parts = (pending + chunk).split(term)
        pending = parts.pop()
        carry: str | None = None
        for part in parts:
            if carry is not None:
                part, carry = carry + term + part, None
            if part.endswith(rel) and (len(part) - len(part.rstrip(rel))) % 2:
                carry = part  # the terminator was released: it is data
                continue
            part = part.lstrip(_BLANK)
            if part:
                yield part, True
        if carry is not None:
            pending = carry + term + pending
    pending = pending.strip(_BLANK + "\t\x00\x1a")
    if pending:
        yield pending, False


def _trim(parts: list[str]) -> list[str]:
    # Trailing empty components carry nothing (pydifact drops them too).
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return parts


def split_elements(body: str, chars: Characters) -> tuple[Elements, list[str]]:
    """Elements (tag first) of one segment, and characters released that need not be."""
    data, sub, rel = chars.data_separator, chars.component_separator, chars.escape_character
    if rel not in body:
        return [parts if len(parts) == 1 or parts[-1] else _trim(parts)
                for parts in [e.split(sub) for e in body.split(data)]], []
    special = {data, sub, rel, chars.segment_terminator}
    elements: Elements = []
    comps: list[str] = []
    buf: list[str] = []
    odd: list[str] = []
    chars_iter = iter(body)
    for ch in chars_iter:
        if ch == rel:
            nxt = next(chars_iter, "")
            if nxt not in special:
                odd.append(nxt or "end of segment")
            buf.append(nxt)
        elif ch == sub:
            comps.append("".join(buf))
            buf = []
        elif ch == data:
            comps.append("".join(buf))
            elements.append(_trim(comps))
            comps, buf = [], []
        else:
            buf.append(ch)
    comps.append("".join(buf))
    elements.append(_trim(comps))
    return elements, odd


def _released_parts(text: str, term: str, rel: str) -> tuple[list[str], str]:
    """What _raw_segments makes of one chunk (pending text first) in which a terminator may
    be released: the complete segments (leading blanks stripped, empty ones dropped) and
    the text left over. Only the pieces that end in a release character are looked at one
    by one; `term` and `rel` must differ."""
    parts = text.split(term)
    pending = parts.pop()
    released = [i for i in compress(count(), map(str.endswith, parts, repeat(rel)))
                if (len(parts[i]) - len(parts[i].rstrip(rel))) % 2]  # an odd run: released
    if released:
        joined: list[str] = []
        done = k = 0
        while k < len(released):
            first = last = released[k]
            while k + 1 < len(released) and released[k + 1] == last + 1:
                k += 1
                last += 1
            k += 1
            joined += parts[done:first]
            if last + 1 < len(parts):  # the terminator after `last` ends the segment
                joined.append(term.join(parts[first:last + 2]))
                done = last + 2
            else:  # released up to the end of the chunk: the segment goes on in the next
                pending = term.join(parts[first:]) + term + pending
                done = len(parts)
        joined += parts[done:]
        parts = joined
    return list(filter(None, map(str.lstrip, parts, repeat(_BLANK)))), pending


def _checked(number: int, text: str, chars: Characters,
             source: str) -> tuple[list[Finding], Segment]:
    """One segment the general way (release characters, malformed tags), with the findings
    it gives rise to."""
    where = f"segment {number}"
    notes: list[Finding] = []
    elements, odd = split_elements(text, chars)
    tag = elements[0][0] if elements[0] else ""
    if odd:
        notes.append(Finding(source, where, "", tag, "release",
                             f"Release character {chars.escape_character!r} before "
                             f"{', '.join(repr(c) for c in odd[:3])}, which needs no "
                             "release; read as the character itself.", WARNING,
                             f"Символ освобождения {chars.escape_character!r} стоит перед "
                             f"{', '.join(repr(c) for c in odd[:3])}, где он не нужен; "
                             "прочитано как сам символ."))
    if len(elements[0]) != 1 or not _TAG.fullmatch(tag):
        notes.append(Finding(source, where, "", "", "syntax",
                             f"{text[:20]!r} does not start with a segment tag; "
                             "segment ignored.", ERROR,
                             f"{text[:20]!r} не начинается с метки сегмента; сегмент "
                             "пропущен."))
        tag = ""  # still a segment: UNT counts it
    return notes, (number, tag, elements[1:])


def _truncated(number: int, source: str) -> Finding:
    return Finding(source, f"segment {number}", "", "", "truncated",
                   "The file ends in the middle of a segment (no segment terminator): it "
                   "was cut short; the part segment is ignored.", ERROR,
                   "Файл обрывается посреди сегмента (нет терминатора сегмента): он обрезан; "
                   "неполный сегмент пропущен.")


def _fast_batches(path: Path, syntax: str, chars: Characters, codec: str, source: str,
                  findings: list[Finding]) -> Iterator[list[Segment]]:
    """The fast engine's segments, a list (of at most BATCH) at a time.

    A segment that gives rise to a finding starts a new list, and its finding is added
    only when the reader asks for that list: findings land in `findings` in exactly the
    order the segment-at-a-time generator (_raw_segments + split_elements) gave them.
    A slice of plain segments (see below) is split in bulk; otherwise a segment without a
    release character and with a tag already seen is split with str.split, and the rest go
    through split_elements, the reference. Service characters that share a character
    (a UNA can say so) take the segment-at-a-time way throughout.
    """
    chunks = _text_chunks(path, codec, syntax, source, findings)
    head = next(chunks, "")
    if head.lstrip(" \r\n\t").startswith("UNA"):
        head = head.lstrip(" \r\n\t")[9:]
    stream = (c for part in ([head], chunks) for c in part)
    term, data = chars.segment_terminator, chars.data_separator
    sub, rel = chars.component_separator, chars.escape_character
    number = 0
    if len({term, data, sub, rel}) < 4:  # a UNA that gives two roles one character
        for text, complete in _raw_segments(stream, chars):
            number += 1
            if not complete:
                findings.append(_truncated(number, source))
                return
            notes, segment = _checked(number, text, chars, source)
            findings.extend(notes)
            yield [segment]
        return
    tags: set[str] = set()  # well-formed tags seen so far (at most 26 * 36 * 36)
    sub_data, sub_term, rel_term = sub + data, sub + term, rel + term
    pending = ""
    for chunk in stream:
        text = pending + chunk
        if rel_term in text:
            parts, pending = _released_parts(text, term, rel)
        else:
            parts = text.split(term)
            pending = parts.pop()
            parts = list(filter(None, map(str.lstrip, parts, repeat(_BLANK))))
        for start in range(0, len(parts), BATCH):
            some = parts[start:start + BATCH]
            # No release character, no empty component at the end of an element, and
            # tags seen before: each segment is two str.split and nothing else.
            blob = term.join(some)
            if rel not in blob and sub_data not in blob and sub_term not in blob and \
                    not blob.endswith(sub):
                heads, seps, rests = zip(*map(str.partition, some, repeat(data)))
                if all(seps) and tags.issuperset(heads):
                    yield list(zip(range(number + 1, number + 1 + len(some)), heads,
                                   [[e.split(sub) for e in r.split(data)] for r in rests]))
                    number += len(some)
                    continue
            batch: list[Segment] = []
            for part in some:
                number += 1
                if rel not in part:
                    tag, sep, rest = part.partition(data)
                    if tag in tags or (sub not in tag and _TAG.fullmatch(tag) is not None
                                       and not tags.add(tag)):  # type: ignore[func-returns-value]
                        if not sep:
                            batch.append((number, tag, []))
                        elif sub not in rest:
                            batch.append((number, tag, [[e] for e in rest.split(data)]))
                        elif sub_data in rest or rest.endswith(sub):
                            batch.append((number, tag, [
                                p if len(p) == 1 or p[-1] else _trim(p)
                                for p in [e.split(sub) for e in rest.split(data)]]))
                        else:
                            batch.append((number, tag, [e.split(sub)
                                                        for e in rest.split(data)]))
                        continue
                notes, segment = _checked(number, part, chars, source)
                if notes:
                    if batch:
                        yield batch
                        batch = []
                    findings.extend(notes)
                batch.append(segment)
            if batch:
                yield batch
    if pending.strip(_BLANK + "\t\x00\x1a"):
        findings.append(_truncated(number + 1, source))


def _pydifact(path: Path, syntax: str, chars: Characters, codec: str, source: str,
              findings: list[Finding]) -> Iterator[Segment]:
    """The reference engine: pydifact's Parser over the whole text."""
    from pydifact.parser import Parser

    text = "".join(_text_chunks(path, codec, syntax, source, findings))
    number = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydifact warns about its own directory files
            for seg in Parser(characters=chars).parse(text):
                if seg.tag == "UNA":
                    continue
                number += 1
                yield number, seg.tag, [[e] if isinstance(e, str) else list(e)
                                        for e in seg.elements]
    except Exception as exc:  # noqa: BLE001 - pydifact raises several kinds on bad input
        findings.append(Finding(source, f"segment {number + 1}", "", "", "syntax",
                                f"EDIFACT syntax error: {exc}", ERROR,
                                f"Синтаксическая ошибка EDIFACT: {exc}"))


def _pydifact_batches(path: Path, syntax: str, chars: Characters, codec: str, source: str,
                      findings: list[Finding]) -> Iterator[list[Segment]]:
    return ([segment] for segment in _pydifact(path, syntax, chars, codec, source, findings))


def segments(path: str | Path, *, source: str = "", findings: list[Finding] | None = None,
             engine: str = "fast") -> tuple[Header, Iterator[Segment]]:
    """Open an interchange: its header (syntax, characters) and its numbered segments."""
    header, batches = segment_batches(path, source=source, findings=findings, engine=engine)
    return header, (segment for batch in batches for segment in batch)


def segment_batches(path: str | Path, *, source: str = "",
                    findings: list[Finding] | None = None,
                    engine: str = "fast") -> tuple[Header, Iterator[list[Segment]]]:
    """segments(), handed out a list at a time (never an empty one): what run() reads."""
    path = Path(path)
    source = source or path.name
    sink = findings if findings is not None else []
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise IntakeError(f"Cannot read the file: {exc.strerror}.", source=source,
                          message_ru=f"Не удаётся прочитать файл: {exc.strerror}.") from None
    found = sniff(head)
    if found is None:
        raise IntakeError("Not a UN/EDIFACT interchange: it does not start with UNA or UNB.",
                          source=source,
                          message_ru="Файл не является обменом UN/EDIFACT: он не начинается "
                                     "с UNA или UNB.")
    syntax, chars, codec = found
    if syntax.upper() not in CHARSETS:
        sink.append(Finding(source, "segment 1", "", "UNB", "charset",
                            f"Unknown syntax identifier {syntax[:10]!r}; read as UTF-8.",
                            WARNING, f"Неизвестный идентификатор синтаксиса {syntax[:10]!r}; "
                            "прочитано как UTF-8."))
    reader = {"fast": _fast_batches, "pydifact": _pydifact_batches}.get(engine)
    if reader is None:
        raise ValueError(f"engine must be 'fast' or 'pydifact', not {engine!r}")
    return Header(syntax=syntax, characters=chars), reader(path, syntax, chars, codec, source,
                                                          sink)


# --- envelopes ---------------------------------------------------------------------------

class _Envelope:
    """Follows UNB/UNG/UNH/UNT/UNE/UNZ, checks their counts and hands message segments to
    the handler."""

    def __init__(self, header: Header, handler: Handler, source: str,
                 findings: list[Finding]):
        self.header, self.handler, self.source, self.findings = header, handler, source, findings
        self.in_message = self.skip = self.closed = self.wanted_seen = False
        self.unb_ref = self.group_ref = ""
        self.messages = self.groups = self.group_messages = self.count = 0
        self.unb_seen = False

    def note(self, number: int, code: str, message: str, severity: str = WARNING,
             segment: str = "", *, ru: str = "") -> None:
        """A finding about the envelope: `message` in English, `ru` the same in Russian."""
        self.findings.append(Finding(self.source, f"segment {number}", "", segment, code,
                                     message, severity, ru))  # type: ignore[arg-type]

    def feed(self, number: int, tag: str, elements: Elements) -> list[Outcome]:
        if self.in_message:
            self.count += 1
            if tag == "UNT":
                return self._unt(number, elements)
            if tag in ("UNH", "UNZ", "UNB", "UNE", "UNG"):
                self.note(number, "unclosed", f"Message {self.header.message_ref!r} has no UNT "
                          f"before this {tag}; it was cut short.", ERROR, "UNT",
                          ru=f"У сообщения {self.header.message_ref!r} нет UNT перед этим "
                          f"{tag}; сообщение обрезано.")
                return self._close(False) + self.feed(number, tag, elements)
            if self.skip or not tag:
                return []
            return self.handler.segment(number, tag, elements) or []
        handler = {"UNB": self._unb, "UNH": self._unh, "UNG": self._ung, "UNE": self._une,
                   "UNZ": self._unz}.get(tag)
        if handler is not None:
            handler(number, elements)
        elif tag:
            self.note(number, "outside", f"Segment {tag} is outside any message (between UNT "
                      f"and UNH); ignored.",
                      ru=f"Сегмент {tag} находится вне сообщений (между UNT и UNH); пропущен.")
        return []

    def _unb(self, number: int, elements: Elements) -> None:
        if self.unb_seen and not self.closed:
            self.note(number, "unz_missing", "A new interchange (UNB) starts before the "
                      "previous one was closed with UNZ.", segment="UNZ",
                      ru="Новый обмен (UNB) начинается до того, как предыдущий закрыт "
                      "сегментом UNZ.")
        self.unb_seen, self.closed = True, False
        self.unb_ref, self.messages, self.groups = comp(elements, 4), 0, 0
        self.header.prepared = unb_time(comp(elements, 3, 0), comp(elements, 3, 1))

    def _ung(self, number: int, elements: Elements) -> None:
        self.groups += 1
        self.group_messages, self.group_ref = 0, comp(elements, 4)

    def _une(self, number: int, elements: Elements) -> None:
        if comp(elements, 0) != str(self.group_messages):
            self.note(number, "count", f"UNE says the group holds {comp(elements, 0)!r} "
                      f"messages; it holds {self.group_messages}.", segment="UNE",
                      ru=f"По UNE сообщений в группе: {comp(elements, 0)!r}; фактически: "
                      f"{self.group_messages}.")

    def _unh(self, number: int, elements: Elements) -> None:
        if self.closed:
            self.note(number, "after_unz", "A message follows the UNZ that closed the "
                      "interchange.", segment="UNZ",
                      ru="Сообщение идёт после UNZ, которым обмен уже закрыт.")
        mtype = comp(elements, 1, 0).upper()
        self.header.message_ref, self.header.message_type = comp(elements, 0), mtype
        self.header.version = f"{comp(elements, 1, 1)}:{comp(elements, 1, 2)}"
        self.header.association = comp(elements, 1, 4)
        self.header.first_segment = number
        self.in_message, self.count = True, 1
        self.messages += 1
        self.group_messages += 1
        self.skip = mtype not in self.handler.message_types
        if self.skip and not self.wanted_seen:
            raise IntakeError(f"The interchange holds {mtype or 'untyped'} messages, not "
                              f"{' or '.join(self.handler.message_types)}.",
                              source=self.source, location=f"segment {number}",
                              message_ru=f"В обмене сообщения {mtype or 'без типа'}, а не "
                                         f"{' или '.join(self.handler.message_types)}.")
        if self.skip:
            self.note(number, "message_type", f"Message {self.header.message_ref!r} is "
                      f"{mtype or 'untyped'}, not {'/'.join(self.handler.message_types)}; "
                      "skipped.", segment="UNH",
                      ru=f"Сообщение {self.header.message_ref!r} — {mtype or 'без типа'}, "
                      f"а не {'/'.join(self.handler.message_types)}; пропущено.")
            return
        self.wanted_seen = True
        self.handler.start(self.header)

    def _unt(self, number: int, elements: Elements) -> list[Outcome]:
        said, ref = comp(elements, 0), comp(elements, 1)
        if said != str(self.count):
            self.note(number, "count", f"UNT says message {self.header.message_ref!r} has "
                      f"{said!r} segments; it has {self.count} (UNH to UNT).", segment="UNT",
                      ru=f"По UNT сегментов в сообщении {self.header.message_ref!r}: "
                      f"{said!r}; фактически: {self.count} (от UNH до UNT).")
        if ref != self.header.message_ref:
            self.note(number, "reference", f"UNT reference {ref!r} does not match UNH "
                      f"reference {self.header.message_ref!r}.", segment="UNT",
                      ru=f"Ссылка UNT {ref!r} не совпадает со ссылкой UNH "
                      f"{self.header.message_ref!r}.")
        return self._close(True)

    def _close(self, complete: bool) -> list[Outcome]:
        self.in_message = False
        return [] if self.skip else self.handler.end(complete)

    def _unz(self, number: int, elements: Elements) -> None:
        expected = self.groups or self.messages
        if comp(elements, 0) != str(expected):
            what = "groups" if self.groups else "messages"
            what_ru = "групп" if self.groups else "сообщений"
            self.note(number, "count", f"UNZ says the interchange holds {comp(elements, 0)!r} "
                      f"{what}; it holds {expected}.", segment="UNZ",
                      ru=f"По UNZ {what_ru} в обмене: {comp(elements, 0)!r}; фактически: "
                      f"{expected}.")
        if comp(elements, 1) != self.unb_ref:
            self.note(number, "reference", f"UNZ reference {comp(elements, 1)!r} does not "
                      f"match UNB reference {self.unb_ref!r}.", segment="UNZ",
                      ru=f"Ссылка UNZ {comp(elements, 1)!r} не совпадает со ссылкой UNB "
                      f"{self.unb_ref!r}.")
        self.closed = True

    def finish(self, last: int) -> list[Outcome]:
        out: list[Outcome] = []
        if self.in_message:
            self.note(last, "unclosed", f"Message {self.header.message_ref!r} has no UNT: the "
                      "file ends inside it (cut short?). Its bills of lading so far are kept.",
                      ERROR, "UNT",
                      ru=f"У сообщения {self.header.message_ref!r} нет UNT: файл "
                      "заканчивается внутри него (обрезан?). Коносаменты, прочитанные до "
                      "этого места, сохранены.")
            out = self._close(False)
        if self.unb_seen and not self.closed:
            self.note(last, "unz_missing", "The interchange has no UNZ at the end (cut "
                      "short?).", segment="UNZ",
                      ru="В конце обмена нет UNZ (файл обрезан?).")
        if not self.wanted_seen:
            self.note(last, "no_messages", f"No {'/'.join(self.handler.message_types)} "
                      "message in the interchange.",
                      ru=f"В обмене нет сообщений {'/'.join(self.handler.message_types)}.")
        return out


_SERVICE_TAGS = frozenset({"", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


def run(path: str | Path, handler: Handler, *, source: str = "",
        findings: list[Finding] | None = None, engine: str = "fast") -> Iterator[Outcome]:
    """Feed every message of the wanted types to `handler`; yield what it yields.

    A handler may offer `segment_table`, tag -> function(number, elements), for the tags it
    reads; run() calls those directly and everything else through handler.segment."""
    sink = findings if findings is not None else []
    header, batches = segment_batches(path, source=source, findings=sink, engine=engine)
    envelope = _Envelope(header, handler, source or Path(path).name, sink)
    feed, segment = envelope.feed, handler.segment
    table: dict[str, Callable[[int, Elements], list[Outcome] | None]] = \
        getattr(handler, "segment_table", None) or {}
    service = _SERVICE_TAGS
    inside = False  # in a message the handler reads: its segments skip envelope.feed
    counted = 0  # segments handed to the handler directly, not yet in envelope.count
    last = 0
    for batch in batches:
        for number, tag, elements in batch:
            if inside and tag not in service:
                counted += 1
                fn = table.get(tag)
                out = fn(number, elements) if fn is not None else segment(number, tag, elements)
            else:
                envelope.count += counted
                counted = 0
                out = feed(number, tag, elements)
                inside = envelope.in_message and not envelope.skip
            if out:
                yield from out
        last = batch[-1][0]
    envelope.count += counted
    yield from envelope.finish(last)
