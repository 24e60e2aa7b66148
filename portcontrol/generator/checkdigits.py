"""Vectorised check digits: ISO 6346 container numbers and IMO ship numbers.

A million container numbers through python-stdnum one at a time costs seconds; the same
arithmetic on numpy arrays costs milliseconds. The tests compare both on many numbers.
"""

from __future__ import annotations

import numpy as np

from portcontrol.core.codes import imo_check_digit


def _letter_values() -> dict[str, int]:
    # ISO 6346 skips multiples of 11 when numbering the letters A=10 .. Z=38.
    values: dict[str, int] = {}
    value = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


_LETTERS = _letter_values()


def owner_partial_sums(owner_codes: list[str]) -> np.ndarray:
    """Weighted sum of the four letters (owner code and category) of each prefix."""
    return np.array([sum(_LETTERS[ch] << i for i, ch in enumerate(code)) for code in owner_codes],
                    dtype=np.int64)


def iso6346_check_digits(owner_sums: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """Check digits for prefixes (given by their partial sums) and six-digit serial numbers."""
    total = owner_sums.astype(np.int64).copy()
    serials = serials.astype(np.int64)
    for position in range(6):  # serial digits sit at positions 4..9, weights 2**4..2**9
        digit = (serials // 10 ** (5 - position)) % 10
        total += digit << (4 + position)
    return (total % 11) % 10


def imo_number(first_six: int) -> str:
    """A seven-digit IMO ship number with its check digit."""
    text = f"{first_six:06d}"
    return text + str(imo_check_digit(text))
