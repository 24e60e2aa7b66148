"""Every code the generator writes exists: check digits, LOCODEs, HS, countries, size types."""

from __future__ import annotations

import numpy as np
import pytest
from stdnum import iso6346

from portcontrol.core.codes import normalize_imo
from portcontrol.generator import checkdigits, commodities, illicit, lanes
from portcontrol.reference import vendored as reference
from portcontrol.generator.commodities import COMMODITIES

# Rec 21 package codes the generator may use.
PACKAGE_CODES = {"CT", "BG", "SA", "PK", "PX", "DR", "RO", "BL", "BE", "CS", "BX", "CA", "CL",
                 "CR", "NE", "VL", "PL"}


def test_vectorised_iso6346_check_digits_equal_stdnum():
    rng = np.random.default_rng(1)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    owners = ["".join(rng.choice(letters, 3)) + c for c in rng.choice(list("UJZ"), 300)]
    owner_idx = rng.integers(0, len(owners), 20_000)
    serials = rng.integers(0, 1_000_000, 20_000)
    digits = checkdigits.iso6346_check_digits(checkdigits.owner_partial_sums(owners)[owner_idx],
                                              serials)
    for o, s, d in zip(owner_idx.tolist(), serials.tolist(), digits.tolist(),
                         strict=True):
        assert str(d) == iso6346.calc_check_digit(f"{owners[o]}{s:06d}")


def test_every_container_number_is_valid_iso6346_and_unique(run):
    numbers = run.containers["container_number"].to_list()
    assert all(iso6346.is_valid(n) for n in numbers)
    assert all(n[3] == "U" for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_every_vessel_imo_has_a_valid_check_digit(run):
    for imo in run.containers["vessel_imo"].unique():
        assert normalize_imo(imo) == imo


def _known(kind: str) -> set[str]:
    return {
        "locode": set(reference.ports()),
        "country": set(reference.countries()),
        "hs": set(reference.hs6_codes()),
        "size": set(reference.size_types()),
        "currency": set(reference.currencies()),
        "package": PACKAGE_CODES,
    }[kind]


COLUMNS = [
    ("port_of_call", "locode"), ("place_of_receipt", "locode"), ("port_of_loading", "locode"),
    ("port_of_discharge", "locode"), ("final_destination", "locode"),
    ("vessel_flag", "country"), ("shipper_country", "country"),
    ("consignee_country", "country"), ("notify_country", "country"),
    ("origin_country", "country"), ("hs_code", "hs"), ("size_type", "size"),
    ("currency", "currency"), ("package_type", "package"),
]


@pytest.mark.parametrize("column, kind", COLUMNS)
def test_every_code_in_the_output_exists_in_the_reference_files(run, column, kind):
    values = set(run.containers[column].drop_nulls().unique())
    assert values, column
    assert values <= _known(kind), values - _known(kind)


def test_transshipment_ports_are_zero_to_two_known_locodes(run):
    known = _known("locode")
    for value in run.containers["transshipment_ports"].to_list():
        hubs = value.split(";") if value else []
        assert len(hubs) <= 2 and set(hubs) <= known


def test_the_lane_and_commodity_tables_only_name_existing_codes():
    assert lanes.all_lane_locodes() <= _known("locode")
    for kind in illicit.KINDS:
        assert set(kind.hubs) | set(kind.final) <= _known("locode")
        assert set(kind.declared) - {""} <= {c.key for c in COMMODITIES}
    assert {c.hs for c in COMMODITIES} <= _known("hs")
    assert set(commodities.SIZE_TYPES) <= _known("size")
    assert set(commodities.CURRENCIES) <= _known("currency")
    assert {c.package for c in COMMODITIES} <= PACKAGE_CODES
    for code, (_, dry, reefer, _) in lanes.CARRIERS.items():
        assert all(len(o) == 4 and o.endswith("U") for o in (*dry, *reefer)), code


@pytest.mark.parametrize("commodity", COMMODITIES, ids=lambda c: c.key)
def test_each_commodity_has_a_load_for_every_size_it_ships_in(commodity):
    for size, weight in commodity.sizes:
        load = commodity.load20 if size.startswith("2") else commodity.load40
        assert load > 0 and weight > 0, (commodity.key, size)
    assert 0 < commodity.net_ratio <= 1 and commodity.descriptions
