"""Selection: capacity per unit and day, exploration, determinism, unbiased hit rates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from portcontrol.engine.selection import (
    CHANNEL,
    PROBABILITY,
    REASON,
    Capacity,
    _allocate,
    _random_picks,
    ipw_hit_rate,
    random_places,
    select,
)

DAY = date(2026, 11, 23)


def population(n: int, seed: int, units: tuple[str, ...] = ("GEPTI", "PKKHI"),
               days: int = 2) -> pl.DataFrame:
    """n containers with a risk that predicts (imperfectly) a hidden outcome."""
    rng = np.random.default_rng(seed)
    risk = rng.random(n) ** 3
    return pl.DataFrame({
        "unit": rng.choice(list(units), n),
        "arrival_date": [DAY + timedelta(days=int(d)) for d in rng.integers(0, days, n)],
        "voyage_id": "V1",
        "container_number": [f"TSTU{i:07d}" for i in range(n)],
        "hs2": rng.choice(["08", "70", "84"], n, p=[0.2, 0.3, 0.5]),
        "risk": risk,
        "seizure": rng.random(n) < 0.005 + 0.3 * risk ** 4,
    })


CAPACITY = {"GEPTI": Capacity(red=20, yellow=60), "PKKHI": Capacity(red=10, yellow=30)}


def counts(out: pl.DataFrame) -> pl.DataFrame:
    return out.group_by("unit", "arrival_date", CHANNEL, REASON).len()


def test_capacity_per_unit_and_day_with_exploration() -> None:
    out = select(population(8000, 1), CAPACITY, exploration_share=0.1, seed=3)
    table = counts(out)
    for (unit, day), group in table.group_by("unit", "arrival_date"):
        cap = CAPACITY[str(unit)]
        got = {(r[CHANNEL], r[REASON]): r["len"] for r in group.iter_rows(named=True)}
        assert got[("red", "risk")] == cap.red - round(cap.red * 0.1)
        assert got[("red", "random")] == round(cap.red * 0.1)
        assert got[("yellow", "risk")] == cap.yellow - round(cap.yellow * 0.1)
        assert got[("yellow", "random")] == round(cap.yellow * 0.1)


@pytest.mark.parametrize("red, yellow, share", [
    (15, 45, 0.5), (20, 60, 0.02), (20, 60, 0.025), (3, 5, 0.1), (0, 7, 0.5), (9, 9, 0.05)])
def test_the_draw_takes_random_places_of_each_capacity(red, yellow, share) -> None:
    """random_places (what the settings page shows) is what the selection draws, halves
    included (rounded up)."""
    out = select(population(4000, 2, units=("GEPTI",), days=1),
                 {"GEPTI": Capacity(red=red, yellow=yellow)}, exploration_share=share, seed=1)
    drawn = out.filter(pl.col(REASON) == "random")
    assert (drawn[CHANNEL] == "red").sum() == random_places(red, share)
    assert (drawn[CHANNEL] == "yellow").sum() == random_places(yellow, share)


@pytest.mark.parametrize("capacity, share, expected", [
    (15, 0.5, 8), (45, 0.5, 23), (60, 0.02, 1), (20, 0.02, 0), (20, 0.025, 1), (0, 0.5, 0)])
def test_random_places_round_halves_up(capacity, share, expected) -> None:
    assert random_places(capacity, share) == expected


def test_risk_picks_are_the_highest_risks_of_their_unit_day() -> None:
    out = select(population(4000, 2), CAPACITY, exploration_share=0.0, seed=1)
    for _, group in out.group_by("unit", "arrival_date"):
        red = group.filter(pl.col(CHANNEL) == "red")["risk"]
        yellow = group.filter(pl.col(CHANNEL) == "yellow")["risk"]
        green = group.filter(pl.col(CHANNEL) == "green")["risk"]
        assert red.min() >= yellow.max() >= green.max()
    assert out.filter(pl.col(REASON) == "risk")[PROBABILITY].unique().to_list() == [1.0]
    assert out.filter(pl.col(CHANNEL) == "green")[PROBABILITY].null_count() == \
        out.filter(pl.col(CHANNEL) == "green").height


def test_random_picks_record_their_probability() -> None:
    out = select(population(4000, 3, units=("GEPTI",), days=1), CAPACITY,
                 exploration_share=0.25, seed=5)
    rest = out.height - (15 + 45)  # risk picks
    random = out.filter(pl.col(REASON) == "random")
    assert random.height == 5 + 15
    assert random[PROBABILITY].to_list() == pytest.approx([20 / rest] * 20)


def test_same_seed_same_draw_in_any_row_order() -> None:
    pop = population(3000, 4)
    a = select(pop, CAPACITY, exploration_share=0.2, seed=11)
    b = select(pop.sample(fraction=1.0, shuffle=True, seed=9), CAPACITY,
               exploration_share=0.2, seed=11)
    key = ["container_number", CHANNEL, REASON, PROBABILITY]
    assert a.select(key).sort("container_number").equals(b.select(key).sort("container_number"))
    c = select(pop, CAPACITY, exploration_share=0.2, seed=12)
    assert not a[CHANNEL].equals(c[CHANNEL])


def test_stratified_draw_is_proportional_to_stratum_size() -> None:
    pop = population(20000, 5, units=("GEPTI",), days=1)
    out = select(pop, {"GEPTI": Capacity(0, 100)}, exploration_share=1.0, seed=2,
                 strata="hs2")
    drawn = out.filter(pl.col(REASON) == "random").group_by("hs2").len()
    sizes = pop.group_by("hs2").len()
    for row in drawn.join(sizes, on="hs2", suffix="_all").iter_rows(named=True):
        assert row["len"] == pytest.approx(100 * row["len_all"] / pop.height, abs=1)
    assert out.filter(pl.col(REASON) == "random").height == 100


def test_lines_of_one_container_share_a_channel() -> None:
    pop = population(500, 6, units=("GEPTI",), days=1)
    twin = pop.filter(pl.col("risk") == pl.col("risk").max()).with_columns(
        pl.lit(0.0).alias("risk"))  # a second line of the riskiest box, itself harmless
    out = select(pl.concat([pop, twin]), {"GEPTI": Capacity(1, 0)}, exploration_share=0.0)
    box = out.filter(pl.col("container_number") == twin["container_number"][0])
    assert box[CHANNEL].to_list() == ["red", "red"]
    assert out.filter(pl.col(CHANNEL) == "red")["container_number"].n_unique() == 1


def test_zero_risk_boxes_are_not_picked_by_risk() -> None:
    pop = population(300, 7, units=("GEPTI",), days=1).with_columns(pl.lit(0.0).alias("risk"))
    out = select(pop, {"GEPTI": Capacity(5, 5)}, exploration_share=0.0)
    assert (out[CHANNEL] == "green").all()


def test_capacity_frame_per_day_and_missing_unit() -> None:
    pop = population(2000, 8, units=("GEPTI",), days=2)
    table = pl.DataFrame({"unit": ["GEPTI", "GEPTI"], "arrival_date": [DAY, DAY + timedelta(1)],
                          "red_capacity": [3, 7], "yellow_capacity": [0, 0]})
    out = select(pop, table, exploration_share=0.0)
    red = out.filter(pl.col(CHANNEL) == "red").group_by("arrival_date").len().sort("arrival_date")
    assert red["len"].to_list() == [3, 7]
    with pytest.raises(ValueError, match="no inspection capacity for unit.*GEPTI"):
        select(pop, {"PKKHI": Capacity(1, 1)})


def test_ipw_estimate_is_unbiased_where_the_naive_rate_is_not() -> None:
    """Repeated selections of one population: the naive hit rate of inspected containers
    overstates the population's rate (inspections go to high risks); the Horvitz-Thompson
    and Hajek estimates centre on the truth."""
    pop = population(6000, 10, units=("GEPTI",), days=1)
    truth = pop["seizure"].mean()
    naive, ht, hajek = [], [], []
    for seed in range(300):
        out = select(pop, {"GEPTI": Capacity(40, 80)}, exploration_share=0.25, seed=seed)
        rate = ipw_hit_rate(out)
        naive.append(rate.naive_rate)
        ht.append(rate.ht_rate)
        hajek.append(rate.hajek_rate)
    assert np.mean(naive) > 3 * truth
    # standard error of the mean of 300 estimates is well under 10 % of the truth here
    assert np.mean(ht) == pytest.approx(truth, rel=0.1)
    assert np.mean(hajek) == pytest.approx(truth, rel=0.1)


def test_ipw_counts() -> None:
    out = pl.DataFrame({CHANNEL: ["red", "red", "yellow", "green", "green"],
                        PROBABILITY: [1.0, 0.5, 0.25, None, None],
                        "seizure": [True, True, False, None, None]})
    rate = ipw_hit_rate(out)
    assert (rate.population, rate.inspected, rate.hits) == (5, 3, 2)
    assert rate.naive_rate == pytest.approx(2 / 3)
    assert rate.estimated_hits == pytest.approx(1 + 2)
    assert rate.ht_rate == pytest.approx(3 / 5)
    assert rate.hajek_rate == pytest.approx(3 / (1 + 2 + 4))


def test_exploration_share_is_checked() -> None:
    with pytest.raises(ValueError, match="exploration share"):
        select(population(10, 1), CAPACITY, exploration_share=1.5)



def _draw_by_definition(boxes: pl.DataFrame) -> tuple[list[bool], list[bool], list[float]]:
    """Random picks as the module documentation defines them, in plain Python: per stratum
    the `_take` boxes outside the risk picks with the smallest random numbers (ties by row,
    as an ordinal rank breaks them), drawn with probability take / size; per unit-day the
    first `_rand_r` of the drawn boxes go red. (The takes come from _allocate.)"""
    rows = boxes.with_row_index("_row").to_dicts()
    strata: dict[tuple, list[dict]] = {}
    for r in rows:
        if not r["_risk_pick"]:
            strata.setdefault((r["_g"], r["_s"]), []).append(r)
    table = _allocate(boxes.filter(~pl.col("_risk_pick")).group_by("_g", "_s").agg(
        pl.len().alias("_n_s"), pl.col("_rand_r").first(), pl.col("_rand_y").first()))
    take = {(r["_g"], r["_s"]): (r["_take"], r["_n_s"]) for r in table.to_dicts()}
    picked, red, p = [False] * len(rows), [False] * len(rows), [0.0] * len(rows)
    drawn: dict[int, list[dict]] = {}
    for key, members in strata.items():
        n, size = take[key]
        for r in sorted(members, key=lambda r: (r["_u"], r["_row"]))[:n]:
            picked[r["_row"]], p[r["_row"]] = True, n / size
            drawn.setdefault(r["_g"], []).append(r)
    for members in drawn.values():
        for r in sorted(members, key=lambda r: (r["_u"], r["_row"]))[:members[0]["_rand_r"]]:
            red[r["_row"]] = True
    return picked, red, p


@pytest.mark.parametrize("seed", range(6))
def test_random_picks_follow_their_definition(seed: int) -> None:
    """The draw finds each stratum's smallest numbers without ranking every box: the same
    boxes as ranking them all, ties included (seed 0: no places to draw)."""
    rng = np.random.default_rng(seed)
    n = 3000
    groups = rng.integers(0, 4, n).astype(np.uint64)
    places = int(seed > 0)
    boxes = pl.DataFrame({
        "_g": groups,
        "_s": rng.choice(["a", "b", "c"], n),
        "_u": rng.integers(0, 40, n) / 40.0 if seed % 2 else rng.random(n),  # odd: ties
        "_risk_pick": rng.random(n) < 0.05,
        "_rand_r": (groups % 3).astype(np.int64) * places,
        "_rand_y": (groups % 2 + 2).astype(np.int64) * places,
    }).with_columns(pl.col("_risk_pick").alias("_red"), pl.lit(False).alias("_yellow"))
    out = _random_picks(boxes)
    picked, red, p = _draw_by_definition(boxes)
    assert out["_random_pick"].to_list() == picked
    assert (sum(picked) > 0) == (seed > 0)
    risk = boxes["_risk_pick"].to_list()
    assert out["_red"].to_list() == [a or b for a, b in zip(risk, red, strict=True)]
    assert out["_yellow"].to_list() == [a and not b for a, b in zip(picked, red, strict=True)]
    assert out.filter(pl.col("_random_pick"))["_p"].to_list() == pytest.approx(
        [x for x, chosen in zip(p, picked, strict=True) if chosen])
