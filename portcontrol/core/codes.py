"""Forms of the other codes a manifest carries: UN/LOCODE, HS, country, IMO, currency.

These functions check form only; whether a code exists is a question for the reference data
(see portcontrol.reference.lookup), which is passed in where needed so core stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Container

from .errors import InvalidValue

_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_HS_CLEAN = re.compile(r"[\s.\-]")
_HS_LEVELS = (2, 4, 6, 8, 10)


def normalize_locode(value: str, *, field: str = "locode") -> str:
    """"GE PTI", "ge-pti" and "GEPTI" are the same UN/LOCODE."""
    code = re.sub(r"[\s\-]", "", str(value or "")).upper()
    if not _LOCODE.match(code):
        raise InvalidValue(
            f"{code or value!r} is not a UN/LOCODE: two letters of country and three of place, "
            "for example GEPTI.", field=field, code="format",
            message_ru=f"{code or value!r} — не код UN/LOCODE: две буквы страны и три знака "
                       "пункта, например GEPTI.")
    return code


def normalize_country(value: str, *, field: str = "country",
                      known: Container[str] | None = None) -> str:
    code = str(value or "").strip().upper()
    if not _COUNTRY.match(code):
        raise InvalidValue(f"Country code {code!r} is not two letters (ISO 3166-1 alpha-2).",
                           field=field, code="format",
                           message_ru=f"Код страны {code!r} — не две буквы "
                                      "(ISO 3166-1 alpha-2).")
    if known is not None and code not in known:
        raise InvalidValue(f"Country code {code!r} is not in ISO 3166-1.", field=field,
                           code="unknown", message_ru=f"Кода страны {code!r} нет в ISO 3166-1.")
    return code


def normalize_currency(value: str, *, field: str = "currency",
                       known: Container[str] | None = None) -> str:
    code = str(value or "").strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidValue(f"Currency {code!r} is not three letters (ISO 4217).", field=field,
                           code="format",
                           message_ru=f"Код валюты {code!r} — не три буквы (ISO 4217).")
    if known is not None and code not in known:
        raise InvalidValue(f"Currency {code!r} is not in ISO 4217.", field=field, code="unknown",
                           message_ru=f"Валюты {code!r} нет в ISO 4217.")
    return code


def normalize_hs(value: str, *, field: str = "hs_code",
                 known: Container[str] | None = None) -> str:
    """Digits of an HS code at 2, 4, 6 (international) or 8/10 (national) digits.

    With `known` (the HS 2022 codes at 2, 4 and 6 digits), the code's first six digits (or all of
    a shorter code) must exist: a national line under an unknown subheading is refused too.
    """
    code = _HS_CLEAN.sub("", str(value or ""))
    if not code.isdigit() or len(code) not in _HS_LEVELS:
        raise InvalidValue(
            f"HS code {value!r} must be 2, 4, 6, 8 or 10 digits (chapter, heading, subheading, "
            "national line).", field=field, code="format",
            message_ru=f"Код ГС {value!r} должен состоять из 2, 4, 6, 8 или 10 цифр (группа, "
                       "товарная позиция, субпозиция, национальная подсубпозиция).")
    if known is not None:
        international = code[:6]
        if international not in known:
            raise InvalidValue(f"HS code {international} does not exist in HS 2022.",
                               field=field, code="unknown",
                               message_ru=f"Кода ГС {international} нет в ГС 2022.")
    return code


def imo_check_digit(first_six: str) -> int:
    return sum(int(d) * w for d, w in zip(first_six, range(7, 1, -1), strict=True)) % 10


def normalize_imo(value: str, *, field: str = "imo") -> str:
    """An IMO ship number: seven digits, the last a check digit ("IMO 9321483" is accepted)."""
    text = re.sub(r"^IMO", "", str(value or "").strip().upper()).strip()
    if not re.fullmatch(r"\d{7}", text):
        raise InvalidValue(f"IMO number {value!r} must be seven digits.", field=field,
                           code="format",
                           message_ru=f"Номер ИМО {value!r} должен состоять из семи цифр.")
    if imo_check_digit(text[:6]) != int(text[6]):
        raise InvalidValue(
            f"IMO number {text} has check digit {text[6]}; expected {imo_check_digit(text[:6])}.",
            field=field, code="check_digit",
            message_ru=f"У номера ИМО {text} контрольная цифра {text[6]}; должна быть "
                       f"{imo_check_digit(text[:6])}.")
    return text
