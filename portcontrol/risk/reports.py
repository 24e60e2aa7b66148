"""The hit-rate report of a unit over a period: what targeting found, what the random checks
found, and the hit rate of all scored containers estimated without selection bias by
inverse probability weighting (portcontrol.engine.selection.ipw_hit_rate).

Counts come from the latest assessment of each container that arrived in the period and the
inspection outcome recorded for it. A container counts as inspected when its outcome says so;
a seizure counts only on an inspected container. Selected containers without an inspected
outcome are "awaiting": the engine's Horvitz-Thompson estimate counts them as finding nothing,
its self-normalised (Hajek) estimate leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import polars as pl
from django.db.models import Count, Q

from portcontrol.engine.selection import (CHANNEL, GREEN, PROBABILITY, RANDOM_PICK, RED,
                                          YELLOW, HitRate, ipw_hit_rate)

from .models import Assessment

SELECTED = (RED, YELLOW)
# Below this many random checks with an outcome, the estimate is only a rough figure.
FEW_RANDOM_CHECKS = 30


@dataclass(frozen=True)
class Group:
    containers: int
    inspected: int
    seizures: int

    @property
    def hit_rate(self) -> float | None:
        return self.seizures / self.inspected if self.inspected else None


@dataclass(frozen=True)
class HitRateReport:
    since: date
    until: date
    scored: int  # containers assessed that arrived in the period
    risk: Group  # selected by risk (red or yellow, the highest risks within capacity)
    random: Group  # selected at random, each with its selection probability
    not_selected: Group  # green; an inspection of one is outside the design, not estimated
    ipw: HitRate

    @property
    def selected(self) -> Group:
        return Group(self.risk.containers + self.random.containers,
                     self.risk.inspected + self.random.inspected,
                     self.risk.seizures + self.random.seizures)

    @property
    def awaiting(self) -> int:
        return self.selected.containers - self.selected.inspected

    @property
    def lower_bound_only(self) -> bool:
        """Without a random check's outcome, nothing is known of the unselected containers."""
        return self.random.inspected == 0

    @property
    def few_random_checks(self) -> bool:
        return 0 < self.random.inspected < FEW_RANDOM_CHECKS

    def measures(self) -> list[tuple[str, object]]:
        """(measure, value) pairs for the CSV export; rates as fractions, blank when unknown."""
        out: list[tuple[str, object]] = [("containers_scored", self.scored)]
        for name, group in (("risk", self.risk), ("random", self.random),
                            ("selected", self.selected), ("not_selected", self.not_selected)):
            out += [(f"{name}_containers", group.containers),
                    (f"{name}_inspected", group.inspected),
                    (f"{name}_seizures", group.seizures),
                    (f"{name}_hit_rate", _fraction(group.hit_rate))]
        out += [("selected_awaiting_outcome", self.awaiting),
                ("naive_hit_rate_risk_selected", _fraction(self.risk.hit_rate)),
                ("ipw_inspected", self.ipw.inspected), ("ipw_seizures", self.ipw.hits),
                ("ipw_estimated_seizures_all_containers", round(self.ipw.estimated_hits, 6)),
                ("ipw_hit_rate_all_containers", _fraction(self.ipw.ht_rate)),
                ("ipw_hit_rate_self_normalised", _fraction(self.ipw.hajek_rate))]
        return out


def _fraction(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _outcome(inspected: bool | None, seizure: bool | None) -> bool | None:
    """The label the estimate uses: found or not on an inspected container, else unknown."""
    return bool(seizure) if inspected else None


def hit_rate_report(unit_ids: Iterable[int], since: date, until: date) -> HitRateReport:
    """The report for containers of `unit_ids` arriving from `since` to `until` inclusive.
    The caller has scoped `unit_ids` to the units the user may see."""
    rows = Assessment.objects.filter(unit_id__in=list(unit_ids),
                                     arrival_date__range=(since, until))
    scored = rows.count()
    selected = list(rows.filter(channel__in=SELECTED).values_list(
        "channel", "selection_reason", "selection_probability",
        "container__outcome__inspected", "container__outcome__seizure"))
    groups: dict[bool, list[int]] = {True: [0, 0, 0], False: [0, 0, 0]}  # random?
    for _channel, reason, _p, inspected, seizure in selected:
        counts = groups[reason == RANDOM_PICK]
        counts[0] += 1
        counts[1] += bool(inspected)
        counts[2] += bool(inspected and seizure)
    green = rows.exclude(channel__in=SELECTED).aggregate(
        inspected=Count("pk", filter=Q(container__outcome__inspected=True)),
        seizures=Count("pk", filter=Q(container__outcome__inspected=True,
                                      container__outcome__seizure=True)))
    return HitRateReport(
        since=since, until=until, scored=scored, risk=Group(*groups[False]),
        random=Group(*groups[True]),
        not_selected=Group(scored - len(selected), green["inspected"], green["seizures"]),
        ipw=ipw_hit_rate(_frame(selected, scored - len(selected))))


def _frame(selected: list[tuple], unselected: int) -> pl.DataFrame:
    """The engine's input: one row per scored container with its channel, selection
    probability and outcome (unknown for every unselected one, whatever happened to it)."""
    schema = {CHANNEL: pl.String, PROBABILITY: pl.Float64, "seizure": pl.Boolean}
    picked = pl.DataFrame({
        CHANNEL: [row[0] for row in selected],
        PROBABILITY: [row[2] for row in selected],
        "seizure": [_outcome(row[3], row[4]) for row in selected]}, schema=schema)
    rest = pl.DataFrame({
        CHANNEL: pl.repeat(GREEN, unselected, dtype=pl.String, eager=True),
        PROBABILITY: pl.repeat(None, unselected, dtype=pl.Float64, eager=True),
        "seizure": pl.repeat(None, unselected, dtype=pl.Boolean, eager=True)})
    return pl.concat([picked, rest])
