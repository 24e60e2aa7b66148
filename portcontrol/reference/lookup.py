"""Cached look-ups of reference data for validation: one query per list per process."""

from __future__ import annotations

from functools import lru_cache

from portcontrol.core.codes import normalize_country, normalize_hs, normalize_locode
from portcontrol.core.containers import normalize_size_type
from portcontrol.core.errors import InvalidValue

from .models import ContainerType, Country, Currency, HsCode, Port


@lru_cache(maxsize=1)
def hs_codes() -> frozenset[str]:
    return frozenset(HsCode.objects.values_list("code", flat=True))


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(Country.objects.values_list("code", flat=True))


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    return frozenset(Currency.objects.values_list("code", flat=True))


@lru_cache(maxsize=1)
def container_type_codes() -> frozenset[str]:
    return frozenset(ContainerType.objects.values_list("code", flat=True))


@lru_cache(maxsize=4096)
def port(locode: str) -> Port | None:
    return Port.objects.filter(locode=locode).first()


def clear_caches() -> None:
    for fn in (hs_codes, country_codes, currency_codes, container_type_codes, port):
        fn.cache_clear()


def check_hs(value: str, *, field: str = "hs_code") -> str:
    return normalize_hs(value, field=field, known=hs_codes())


def check_country(value: str, *, field: str = "country") -> str:
    return normalize_country(value, field=field, known=country_codes())


def check_size_type(value: str, *, field: str = "size_type") -> str:
    code = normalize_size_type(value, field=field)
    if code not in container_type_codes():
        raise InvalidValue(f"Size-type code {code} is not in the ISO 6346 list.", field=field,
                           code="unknown")
    return code


def check_locode(value: str, *, field: str = "locode") -> tuple[str, Port | None, str | None]:
    """Return (code, port or None, warning or None). A well-formed code missing from the partial
    UN/LOCODE list is a warning, never an error."""
    code = normalize_locode(value, field=field)
    found = port(code)
    if found is None:
        return code, None, f"UN/LOCODE {code} is not in the reference list (which is partial)."
    return code, found, None
