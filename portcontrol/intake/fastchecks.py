"""ISO 6346 container-number checks fast enough for a million lines.

python-stdnum (through portcontrol.core.containers) stays the authority: any number these
functions do not accept is handed to core, which says what is wrong. These only answer "is
this already a valid, normalised number?" quickly: stdnum needs ~20 µs a number in Python,
the scalar check here ~1 µs, the numpy one a few ns per row. A test proves both agree with
stdnum on every accepted number.
"""

from __future__ import annotations

import re
import string

import numpy as np
import polars as pl

_FORM = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")


def _letter_values() -> dict[str, int]:
    # ISO 6346: A=10 and upwards, skipping multiples of 11 (11, 22, 33).
    values, n = {}, 10
    for letter in string.ascii_uppercase:
        if n % 11 == 0:
            n += 1
        values[letter] = n
        n += 1
    values.update({d: int(d) for d in string.digits})
    return values


_VALUES = _letter_values()
_TABLE = np.zeros(256, dtype=np.int64)
for _ch, _v in _VALUES.items():
    _TABLE[ord(_ch)] = _v
_WEIGHTS = np.array([2 ** i for i in range(10)], dtype=np.int64)


def is_clean_container_number(number: str) -> bool:
    """True when `number` is exactly ABCU1234567 with the right check digit."""
    if len(number) != 11 or not _FORM.fullmatch(number):
        return False
    total = sum(_VALUES[ch] << i for i, ch in enumerate(number[:10]))
    return total % 11 % 10 == ord(number[10]) - 48


def clean_container_numbers(numbers: pl.Series) -> np.ndarray:
    """Vectorised is_clean_container_number over a string column (null is not clean)."""
    form = numbers.str.contains(r"^[A-Z]{3}[UJZ][0-9]{7}$").fill_null(False).to_numpy()
    ok = np.zeros(len(numbers), dtype=bool)
    rows = np.flatnonzero(form)
    if rows.size == 0:
        return ok
    # The form guarantees 11 ASCII characters per row, so one joined string reshapes exactly.
    raw = numbers.filter(pl.Series(form)).str.join("").item().encode("ascii")
    codes = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 11)
    total = (_TABLE[codes[:, :10]] * _WEIGHTS).sum(axis=1)
    ok[rows] = (total % 11 % 10) == (codes[:, 10].astype(np.int64) - 48)
    return ok
