"""Channels within capacity, plus random exploration that keeps the figures honest.

Per unit and day, each container gets a channel: red (physical or scanner inspection),
yellow (documents), green (release). The design, for a unit-day with capacities R and Y and
exploration share e:

1. the highest risks (risk > min_risk) take R - round(e R) red places, the next ones
   Y - round(e Y) yellow places ("risk" picks, selection probability 1);
2. from the rest (N0 containers), round(e R) + round(e Y) are drawn at random, spread over
   strata in proportion to their size (largest remainder), uniformly within a stratum;
   the first round(e R) drawn go red, the others yellow ("random" picks, selection
   probability n_s / N_s of their stratum);
3. everything else is green (no selection probability).

So every container outside the risk picks had a known chance of inspection, and an
inspected container's outcome weighted by 1 / probability estimates what would have been
found had everything been inspected (`ipw_hit_rate`). The draw is deterministic for a seed:
each container's random number is a fixed mixing function (splitmix64) of the seed and a
hash of its voyage and number, so the input's row order does not matter. Lines of one
container (same voyage and number) are one box: they share the highest risk among them and
one channel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

RED, YELLOW, GREEN = "red", "yellow", "green"
RISK_PICK, RANDOM_PICK = "risk", "random"
CHANNEL, REASON, PROBABILITY = "channel", "selection_reason", "selection_probability"


def random_places(capacity: int, share: float) -> int:
    """Of `capacity` places a day, how many are drawn at random: round(share x capacity),
    halves rounded up (the selection computes the same over a frame)."""
    return math.floor(capacity * share + 0.5)


@dataclass(frozen=True)
class Capacity:
    red: int
    yellow: int

    def __post_init__(self) -> None:
        if self.red < 0 or self.yellow < 0:
            raise ValueError(f"capacities cannot be negative: {self}")


Capacities = Mapping[str, Capacity] | pl.DataFrame


def select(frame: pl.DataFrame, capacity: Capacities, *, exploration_share: float = 0.05,
           seed: int = 0, strata: str | None = None, min_risk: float = 0.0,
           default: Capacity | None = None, unit_column: str = "unit",
           day_column: str = "arrival_date", risk_column: str = "risk") -> pl.DataFrame:
    """Add `channel`, `selection_reason` and `selection_probability` (see module doc).

    `capacity`: unit -> Capacity (every day alike), or a frame with columns unit, optionally
    day (named like `day_column`), red_capacity, yellow_capacity. A unit without capacity
    takes `default`, or is refused if there is none. Capacities count containers: the lines
    of one container (same voyage and number) share its highest risk and its channel.
    """
    if not 0.0 <= exploration_share <= 1.0:
        raise ValueError(f"exploration share must be between 0 and 1, not {exploration_share}")
    missing = [c for c in (unit_column, day_column, risk_column, strata) if c and
               c not in frame.columns]
    if missing:
        raise ValueError(f"selection needs column(s) {', '.join(missing)}")
    boxes, lines = _boxes(frame, unit_column, day_column, risk_column, strata, seed)
    groups = _groups(boxes, capacity, default, unit_column, day_column, exploration_share)
    boxes = boxes.join(groups, on="_g", how="left", maintain_order="left")
    boxes = _random_picks(_risk_picks(boxes, min_risk))
    decided = boxes.select(
        pl.when(pl.col("_red")).then(pl.lit(RED)).when(pl.col("_yellow")).then(pl.lit(YELLOW))
        .otherwise(pl.lit(GREEN)).alias(CHANNEL),
        pl.when(pl.col("_risk_pick")).then(pl.lit(RISK_PICK))
        .when(pl.col("_random_pick")).then(pl.lit(RANDOM_PICK)).alias(REASON),
        pl.when(pl.col("_risk_pick")).then(1.0)
        .when(pl.col("_random_pick")).then(pl.col("_p")).alias(PROBABILITY))
    if lines is not None:  # several lines per container: every line takes its box's result
        decided = decided[lines]
    return frame.with_columns(decided.get_columns())


def _mix(keys: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of the keys xor a seed-derived constant: a fixed, documented function, so
    a draw replays exactly from the seed and the containers, in any row order."""
    with np.errstate(over="ignore"):
        z = keys ^ np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % 2 ** 64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _boxes(frame: pl.DataFrame, unit: str, day: str, risk: str, strata: str | None,
           seed: int) -> tuple[pl.DataFrame, pl.Series | None]:
    """One row per container (voyage, number; a line without a number is its own box) with
    its group, risk, stratum and uniform random number; plus, when lines share boxes, the
    box row of every line."""
    ids = [c for c in ("voyage_id", "container_number") if c in frame.columns]
    box = pl.struct(ids).hash() if ids else pl.int_range(pl.len(), dtype=pl.UInt64)
    if "container_number" in frame.columns:  # lines without a number are boxes of their own
        box = pl.when(pl.col("container_number").is_not_null()).then(box) \
            .otherwise(pl.int_range(pl.len(), dtype=pl.UInt64).hash())
    work = frame.select(
        box.alias("_box"), pl.struct(unit, day).hash().alias("_g"), pl.col(unit),
        pl.col(day), pl.col(risk).cast(pl.Float64).fill_null(0.0).fill_nan(0.0).alias("_risk"),
        (pl.col(strata).cast(pl.String) if strata else pl.lit("")).alias("_s"))
    lines = None
    if work["_box"].is_duplicated().any():
        work = work.with_columns(pl.col("_risk").max().over("_box"))
        first = work.select(pl.col("_box").is_first_distinct())["_box"]
        index = work.filter(first).with_row_index("_i").select("_box", "_i")
        lines = work.select("_box").join(index, on="_box", how="left",
                                         maintain_order="left")["_i"]
        work = work.filter(first)
    u = _mix(work["_box"].to_numpy(), seed) >> np.uint64(11)
    return work.with_columns(pl.Series("_u", u.astype(np.float64) / 2.0 ** 53)), lines


def _groups(boxes: pl.DataFrame, capacity: Capacities, default: Capacity | None,
            unit: str, day: str, share: float) -> pl.DataFrame:
    """Per unit-day: how many places go to risk and to random picks, red and yellow."""
    groups = boxes.group_by("_g").agg(pl.col(unit).first(), pl.col(day).first())
    if isinstance(capacity, pl.DataFrame):
        table = capacity.rename({"red_capacity": "_cap_r", "yellow_capacity": "_cap_y"})
        on = [unit, day] if day in table.columns else [unit]
        table = table.select(*on, "_cap_r", "_cap_y")
    else:
        on = [unit]
        table = pl.DataFrame({unit: list(capacity), "_cap_r": [c.red for c in capacity.values()],
                              "_cap_y": [c.yellow for c in capacity.values()]},
                             schema_overrides={unit: groups.schema[unit]})
    groups = groups.join(table, on=on, how="left")
    if default is not None:
        groups = groups.with_columns(pl.col("_cap_r").fill_null(default.red),
                                     pl.col("_cap_y").fill_null(default.yellow))
    lacking = groups.filter(pl.col("_cap_r").is_null() | pl.col("_cap_y").is_null())
    if lacking.height:
        units = sorted(str(u) for u in lacking[unit].unique().to_list())
        raise ValueError(f"no inspection capacity for unit(s) {', '.join(units)}"
                         + (" on some days" if len(on) == 2 else ""))

    def explore(cap: str) -> pl.Expr:
        return (pl.col(cap) * share + 0.5).floor().cast(pl.Int64)  # as random_places

    groups = groups.with_columns(explore("_cap_r").alias("_rand_r"),
                                 explore("_cap_y").alias("_rand_y"))
    return groups.select("_g", "_rand_r", "_rand_y",
                         (pl.col("_cap_r") - pl.col("_rand_r")).alias("_det_r"),
                         (pl.col("_cap_y") - pl.col("_rand_y")).alias("_det_y"))


def _risk_picks(boxes: pl.DataFrame, min_risk: float) -> pl.DataFrame:
    """The highest risks of each unit-day, ties broken by the random number.

    Only boxes that can make the cut (rank with ties <= places) are sorted."""
    places = pl.col("_det_r") + pl.col("_det_y")
    eligible = pl.col("_risk") > min_risk
    rank = pl.when(eligible).then(pl.col("_risk")).rank("min", descending=True).over("_g")
    boxes = boxes.with_row_index("_row")
    near = boxes.filter(eligible & (rank <= places)).sort("_g", "_risk", "_u",
                                                          descending=[False, True, False])
    near = near.with_columns(pl.int_range(1, pl.len() + 1).over("_g").alias("_rank"))
    near = near.filter(pl.col("_rank") <= places).select(
        "_row", (pl.col("_rank") <= pl.col("_det_r")).alias("_is_red"))
    red = np.zeros(boxes.height, dtype=bool)
    picked = np.zeros(boxes.height, dtype=bool)
    rows = near["_row"].to_numpy()
    picked[rows] = True
    red[rows] = near["_is_red"].to_numpy()
    return boxes.drop("_row").with_columns(
        pl.Series("_red", red), pl.Series("_yellow", picked & ~red),
        pl.Series("_risk_pick", picked))


def _random_picks(boxes: pl.DataFrame) -> pl.DataFrame:
    """Draw the exploration sample from the rest, proportionally over strata: in each
    stratum the boxes with the smallest random numbers (ties by row, as an ordinal rank
    breaks them); the first draws of the unit-day, by the same numbers, fill its red places.

    A stratum's draw is among its `most` smallest numbers (`most`: the largest draw of any
    stratum, a few places), so only those are found (a selection, not a sort) and ranked:
    ranking every box of every stratum took more than twice as long."""
    rest = ~pl.col("_risk_pick")
    strata = (boxes.filter(rest).group_by("_g", "_s")
              .agg(pl.len().alias("_n_s"), pl.col("_rand_r").first(),
                   pl.col("_rand_y").first()))
    strata = _allocate(strata)
    most = int(strata["_take"].max() or 0)
    drawn = boxes.with_row_index("_row").filter(rest).group_by("_g", "_s").agg(
        pl.col("_row", "_u").bottom_k_by(["_u", "_row"], most)).explode("_row", "_u")
    drawn = drawn.join(strata.select("_g", "_s", "_n_s", "_take", "_rand_r"), on=["_g", "_s"])
    drawn = drawn.sort("_g", "_s", "_u", "_row").filter(
        pl.int_range(1, pl.len() + 1).over("_g", "_s") <= pl.col("_take"))
    drawn = drawn.sort("_g", "_u", "_row").select(
        "_row", (pl.col("_take") / pl.col("_n_s")).alias("_p"),
        (pl.int_range(1, pl.len() + 1).over("_g") <= pl.col("_rand_r")).alias("_is_red"))
    rows = drawn["_row"].to_numpy()
    picked = np.zeros(boxes.height, dtype=bool)
    picked[rows] = True
    red = np.zeros(boxes.height, dtype=bool)
    red[rows] = drawn["_is_red"].to_numpy()
    probability = pl.repeat(None, boxes.height, dtype=pl.Float64, eager=True).scatter(
        drawn["_row"], drawn["_p"])
    return boxes.with_columns(
        pl.Series("_random_pick", picked), probability.alias("_p"),
        (pl.col("_red") | pl.Series(red)).alias("_red"),
        (pl.col("_yellow") | pl.Series(picked & ~red)).alias("_yellow"))


def _allocate(strata: pl.DataFrame) -> pl.DataFrame:
    """Largest-remainder split of each unit-day's draws over its strata, by size."""
    n_rest = pl.col("_n_s").sum().over("_g")
    wanted = pl.min_horizontal(pl.col("_rand_r") + pl.col("_rand_y"), n_rest)
    quota = wanted * pl.col("_n_s") / n_rest
    strata = strata.with_columns(quota.floor().cast(pl.Int64).alias("_base"),
                                 (quota - quota.floor()).alias("_rem"),
                                 wanted.alias("_wanted"))
    strata = strata.sort("_g", "_rem", "_s", descending=[False, True, False])
    leftover = pl.col("_wanted") - pl.col("_base").sum().over("_g")
    position = pl.int_range(pl.len()).over("_g")
    return strata.with_columns(
        (pl.col("_base") + (position < leftover).cast(pl.Int64)).alias("_take"))


@dataclass(frozen=True)
class HitRate:
    population: int  # containers in the frame
    inspected: int  # red or yellow with a known outcome
    hits: int  # inspected with outcome true
    naive_rate: float | None  # hits / inspected: what targeting found, biased upwards
    ht_rate: float | None  # Horvitz-Thompson: sum(y / p) / population
    hajek_rate: float | None  # self-normalised: sum(y / p) / sum(1 / p)
    estimated_hits: float  # sum(y / p): hits had everything been inspected

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def ipw_hit_rate(selected: pl.DataFrame, outcome: str = "seizure",
                 probability: str = PROBABILITY, channel: str = CHANNEL) -> HitRate:
    """Hit rate of the whole population, estimated from inspected containers weighted by
    the inverse of their selection probability (risk picks weigh 1, a random pick drawn with
    probability p stands for 1/p containers like it)."""
    inspected = selected.filter(pl.col(channel).is_in([RED, YELLOW])
                                & pl.col(outcome).is_not_null()
                                & (pl.col(probability) > 0))
    y = inspected[outcome].cast(pl.Float64)
    weight = 1.0 / inspected[probability].cast(pl.Float64)
    total = float((y * weight).sum())
    n = inspected.height
    return HitRate(
        population=selected.height, inspected=n, hits=int(y.sum()),
        naive_rate=float(y.mean()) if n else None,  # type: ignore[arg-type]
        ht_rate=total / selected.height if selected.height else None,
        hajek_rate=total / float(weight.sum()) if n else None,
        estimated_hits=total)
