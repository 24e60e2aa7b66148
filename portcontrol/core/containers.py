"""ISO 6346 container numbers and size-type codes.

Validation of the number itself is python-stdnum's; this module only adds the messages a
person can act on and the pieces the generator and intake need.
"""

from __future__ import annotations

import re

from stdnum import iso6346
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from .errors import InvalidValue

_SIZE_TYPE = re.compile(r"^[0-9A-Z]{2}[A-Z][0-9A-Z]$")
_CLEAN = re.compile(r"[\s\-./]")
_FORM = re.compile(r"^[A-Z]{3}[UJZ][0-9]{6}[0-9]$")


def normalize_container_number(value: str) -> str:
    """Upper-case and strip spaces, dashes, dots and slashes ("MSCU 123456-5" -> "MSCU1234565")."""
    return _CLEAN.sub("", str(value or "")).upper()


def validate_container_number(value: str, *, field: str = "container_number") -> str:
    """Return the normalised number or raise InvalidValue naming what is wrong."""
    number = normalize_container_number(value)
    if not number:
        raise InvalidValue("Container number is empty.", field=field, code="empty",
                           message_ru="Номер контейнера не указан.")
    if len(number) == 11 and not _FORM.match(number):
        raise InvalidValue(
            f"Container number {number!r} is not of the form ABCU1234567: owner code of three "
            "letters, category U, J or Z, six digits and a check digit.", field=field,
            code="format",
            message_ru=f"Номер контейнера {number!r} не соответствует форме ABCU1234567: код "
                       "владельца из трёх букв, категория U, J или Z, шесть цифр и контрольная "
                       "цифра.")
    try:
        return iso6346.validate(number)
    except InvalidLength:
        raise InvalidValue(
            f"Container number {number!r} has {len(number)} characters; ISO 6346 needs 11 "
            "(4 letters, 6 digits, 1 check digit).", field=field, code="length",
            message_ru=f"В номере контейнера {number!r} знаков: {len(number)}; по ISO 6346 "
                       "нужно 11 (4 буквы, 6 цифр, 1 контрольная цифра).") from None
    except InvalidChecksum:
        expected = iso6346.calc_check_digit(number[:10])
        raise InvalidValue(
            f"Container number {number!r} has check digit {number[10]}; ISO 6346 gives "
            f"{expected} for {number[:10]}.", field=field, code="check_digit",
            message_ru=f"У номера контейнера {number!r} контрольная цифра {number[10]}; по "
                       f"ISO 6346 для {number[:10]} она должна быть {expected}.") from None
    except InvalidFormat:
        raise InvalidValue(
            f"Container number {number!r} is not of the form ABCU1234567: owner code of three "
            "letters, category U, J or Z, six digits and a check digit.", field=field,
            code="format",
            message_ru=f"Номер контейнера {number!r} не соответствует форме ABCU1234567: код "
                       "владельца из трёх букв, категория U, J или Z, шесть цифр и контрольная "
                       "цифра.") from None
    except ValidationError as exc:  # any other stdnum complaint
        raise InvalidValue(f"Container number {number!r}: {exc}", field=field,
                           message_ru=f"Номер контейнера {number!r} не прошёл проверку "
                                      f"ISO 6346: {exc}") from None


def is_valid_container_number(value: str) -> bool:
    try:
        validate_container_number(value)
    except InvalidValue:
        return False
    return True


def check_digit(first_ten: str) -> str:
    """The ISO 6346 check digit of owner code, category and serial (10 characters)."""
    return str(iso6346.calc_check_digit(first_ten))


def normalize_size_type(value: str, *, field: str = "size_type") -> str:
    """Check the form of an ISO 6346 size-type code (22G1, 45R1, L5G1); existence is checked
    against the reference list by the caller."""
    code = str(value or "").strip().upper()
    if not _SIZE_TYPE.match(code):
        raise InvalidValue(f"Size-type code {code!r} is not four characters like 22G1 or 45R1.",
                           field=field, code="format",
                           message_ru=f"Код типоразмера {code!r} — не четыре знака вида 22G1 "
                                      "или 45R1.")
    return code


def is_reefer_type(size_type: str) -> bool:
    """ISO 6346 type group R (thermal: refrigerated/heated) is a reefer."""
    return len(size_type) == 4 and size_type[2] == "R"
