"""Score a unit's containers: features, rules, combined risk, channel, reasons — and store.

Runs after manifests arrive (a task enqueued by intake) and on demand. History is the unit's
own past: containers that arrived before the first day scored, with their outcomes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.audit.log import record as audit
from portcontrol.core.kept import MISSING, Kept
from portcontrol.engine.features import History, build
from portcontrol.engine.rules import Rule as EngineRule
from portcontrol.engine.rules import apply_rules
from portcontrol.engine.scoring import (MODEL_FACTORS, REASONS, ScoringConfig, explain_where,
                                        score)
from portcontrol.engine.selection import CHANNEL, RED, YELLOW, Capacity, select
from portcontrol.manifests.models import GoodsItem
from portcontrol.manifests.rawsql import RawWriter, in_chunks

from .frames import arriving, lines_for_units
from .model_store import FactorTexts, with_active_model
from .models import Assessment, Rule, ScoringRun, UnitRiskSettings
from .watchlists import index_for, screen_frame

HISTORY_DAYS = 365
# The engine's own "unit" column is derived from the port of call; ours is the unit's code.
UNIT_COLUMN = "unit_code"


def engine_rule(rule: Rule) -> EngineRule:
    return EngineRule(id=rule.code, expression=rule.expression, weight=rule.weight,
                      description=rule.description, description_ru=rule.description_ru,
                      valid_from=rule.valid_from, valid_to=rule.valid_to, unit=rule.unit.code)


def active_rules(unit: Unit) -> list[EngineRule]:
    return [engine_rule(r) for r in Rule.objects.filter(unit=unit, status=Rule.Status.ACTIVE)
            .select_related("unit")]


def history_for(unit: Unit, before: date) -> History:
    """The summary of the unit's year before `before` (see engine.features.history).

    Scoring runs after every intake, and each run would read the whole year again (the
    largest part of a run at a busy port). A process keeps the last eight summaries,
    each under a stamp of what it was made from: how many goods lines arrived in that year,
    the last of their ids and the latest receipt of their bills (a new or amended bill adds
    lines), and how many of their containers have an outcome and how many a find. Any such
    change gives a new stamp, and the summary is made again."""
    since, until = before - timedelta(days=HISTORY_DAYS), before - timedelta(days=1)
    key = (unit.pk, before, _history_stamp(unit, since, until))
    kept = _HISTORIES.get(key)
    if kept is not MISSING:
        return kept  # type: ignore[return-value]
    past = lines_for_units([unit.pk], since=since, until=until)
    labels = past.filter(pl.col("seizure")).select("container_number", "voyage_id",
                                                   "seizure")
    return _HISTORIES.put(key, History.from_frame(past, labels=labels if labels.height
                                                  else None))


# as many as watchlist indexes: one per unit the task worker scores
_HISTORIES: Kept[History] = Kept(8)


def _history_stamp(unit: Unit, since: date, until: date) -> tuple[Any, ...]:
    found = Cast("container__outcome__seizure", IntegerField())
    stamp = GoodsItem.objects.filter(arriving(since, until), consignment__unit_id=unit.pk
                                     ).aggregate(lines=Count("id"), last=Max("id"),
                                                 received=Max("consignment__received_at"),
                                                 outcomes=Count("container__outcome"),
                                                 finds=Sum(found))
    return tuple(stamp.values())


def score_unit(unit: Unit, *, since: date, until: date, seed: int = 0,
               acting_user: Any = None) -> ScoringRun:
    """Assess every container of `unit` arriving from `since` to `until` (inclusive)."""
    settings_, _ = UnitRiskSettings.objects.get_or_create(unit=unit)
    frame = lines_for_units([unit.pk], since=since, until=until)
    run = ScoringRun.objects.create(unit=unit, params={
        "since": since.isoformat(), "until": until.isoformat(), "seed": seed,
        "red_capacity": settings_.red_capacity, "yellow_capacity": settings_.yellow_capacity,
        "exploration_share": settings_.exploration_share})
    if frame.height == 0:
        _finish(run, 0, {}, acting_user)
        return run
    history = history_for(unit, since)
    rules = active_rules(unit)
    index = index_for(unit)
    if index is not None:
        frame = screen_frame(frame, index)
    featured = apply_rules(build(frame, history), rules, on=until, unit_column=UNIT_COLUMN)
    config = ScoringConfig()
    # The unit's approved model, if any: a version that cannot be used is logged, named in
    # the run's params, and scoring goes on without it.
    featured, model_params, model_factors = with_active_model(unit.pk, featured, frame, rules,
                                                               config)
    run.params = {**run.params, **model_params}
    scored = score(featured, rules, config)
    chosen = select(scored, {unit.code: Capacity(settings_.red_capacity,
                                                 settings_.yellow_capacity)},
                    exploration_share=settings_.exploration_share, seed=seed,
                    unit_column=UNIT_COLUMN, day_column="arrival_date")
    chosen = _explain_selected(chosen, rules, config, model_factors)
    counts = _store(chosen, unit, run)
    _finish(run, chosen.height, counts, acting_user)
    return run


def _explain_selected(chosen: pl.DataFrame, rules: list[EngineRule], config: ScoringConfig,
                      model_factors: FactorTexts | None) -> pl.DataFrame:
    """Reasons for every container selected red or yellow: scoring explains the batch's
    top share by risk, and a day's selection can reach below it (the model's factors too,
    when a model took part)."""
    selected = pl.col(CHANNEL).is_in([RED, YELLOW])
    if model_factors is not None and MODEL_FACTORS in chosen.columns:
        # scoring and selection keep the lines' order: a row's position is its line's
        lacking = chosen.select(pl.int_range(pl.len(), dtype=pl.UInt32).filter(
            selected & pl.col(REASONS).is_null()).alias("row"))["row"]
        if lacking.len():
            texts = pl.Series(model_factors(lacking.to_list()), dtype=pl.String)
            chosen = chosen.with_columns(chosen[MODEL_FACTORS].scatter(lacking, texts))
    return explain_where(chosen, selected, rules, config)


def _store(chosen: pl.DataFrame, unit: Unit, run: ScoringRun) -> dict[str, int]:
    """Replace the assessments of the chosen containers with this run's. Written as rows, not
    model instances: a busy port's window is tens of thousands of containers, and building
    and saving an instance each took longer than scoring them."""
    cols = chosen.select("container_id", "arrival_date", "risk", "channel", "selection_reason",
                         "selection_probability", "reasons")
    now = timezone.now()
    rows = [(cid, unit.pk, run.pk, day, float(risk), channel, why or "", p, reasons or [], now)
            for cid, day, risk, channel, why, p, reasons in cols.iter_rows()]
    counts: dict[str, int] = {}
    with transaction.atomic():
        # A container already inspected keeps the assessment it was selected by: its channel
        # and selection probability are what the hit-rate estimates and the model's
        # calibration weigh its outcome with. (One inspected before it was ever assessed, on
        # a tip-off say, gets its first assessment.)
        kept = {pk for ids in in_chunks([r[0] for r in rows])
                for pk in Assessment.objects.filter(
                    container_id__in=ids, container__outcome__inspected=True)
                .values_list("container_id", flat=True)}
        if kept:
            rows = [r for r in rows if r[0] not in kept]
            counts["kept_inspected"] = len(kept)
        for ids in in_chunks([r[0] for r in rows]):
            Assessment.objects.filter(container_id__in=ids).delete()
        RawWriter().insert(Assessment, ASSESSMENT_COLUMNS, rows)
    for row in rows:
        counts[row[_CHANNEL_AT]] = counts.get(row[_CHANNEL_AT], 0) + 1
    return counts


ASSESSMENT_COLUMNS = ("container", "unit", "run", "arrival_date", "risk", "channel",
                      "selection_reason", "selection_probability", "reasons", "scored_at")
_CHANNEL_AT = ASSESSMENT_COLUMNS.index("channel")


def _finish(run: ScoringRun, n: int, counts: dict[str, int], acting_user: Any) -> None:
    with transaction.atomic():
        ScoringRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), containers=n,
                                                    counts=counts, params=run.params)
        audit(actor=acting_user, action="risk.score", object_type="scoring_run",
              object_id=run.pk, unit_id=run.unit_id, after={**run.params, **counts,
                                                             "containers": n})
