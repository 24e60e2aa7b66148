"""Score a unit's containers: features, rules, combined risk, channel, reasons — and store.

Runs after manifests arrive (a task enqueued by intake) and on demand. History is the unit's
own past: containers that arrived before the first day scored, with their outcomes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.audit.log import record as audit
from portcontrol.engine.features import build
from portcontrol.engine.rules import Rule as EngineRule
from portcontrol.engine.rules import apply_rules
from portcontrol.engine.scoring import MODEL_FACTORS, REASONS, ScoringConfig, explain_where, score
from portcontrol.engine.selection import CHANNEL, RED, YELLOW, Capacity, select
from portcontrol.manifests.rawsql import RawWriter, in_chunks

from .frames import lines_for_units
from .history import history_for
from .model_store import FactorTexts, with_active_model
from .models import Assessment, Rule, ScoringRun, UnitRiskSettings
from .watchlists import index_for, screen_frame

# The engine's own "unit" column is derived from the port of call; ours is the unit's code.
UNIT_COLUMN = "unit_code"


def engine_rule(rule: Rule) -> EngineRule:
    return EngineRule(id=rule.code, expression=rule.expression, weight=rule.weight,
                      description=rule.description, description_ru=rule.description_ru,
                      valid_from=rule.valid_from, valid_to=rule.valid_to, unit=rule.unit.code)


def active_rules(unit: Unit) -> list[EngineRule]:
    return [engine_rule(r) for r in Rule.objects.filter(unit=unit, status=Rule.Status.ACTIVE)
            .select_related("unit")]


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
