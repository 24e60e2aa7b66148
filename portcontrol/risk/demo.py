"""Demo risk set-up: a few rules through their full life cycle, the past weeks scored and
inspected as a unit would have done it, and today's scoring, so that the demo shows targets
with reasons for each unit, and hit rates and a model learned from its own past."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from portcontrol.accounts.models import Unit, User
from portcontrol.engine.selection import RANDOM_PICK
from portcontrol.manifests.models import Container

from .actions import do_backtest_rule, do_decide_rule, do_save_rule, do_submit_rule
from .actions_watchlists import do_import_watchlist
from .frames import arriving
from .learning import (
    TrainingRefused,
    do_decide_model_version,
    do_submit_model_version,
    do_train_model_version,
)
from .models import Assessment, ModelVersion, Outcome, Rule, UnitRiskSettings
from .pipeline import score_unit

DEMO_EXPLORATION_SHARE = 0.1
TIP_OFF_SHARE = 0.5  # of the planted cases the selection missed, found on a tip-off
DEMO_RULES = [
    ("reefer-non-perishable", "Reefer carrying goods that need no refrigeration",
     "Рефконтейнер с товаром, не требующим охлаждения",
     "reefer and ind_reefer_non_perishable > 0", 0.6),
    ("cocaine-route-fruit", "Fruit from a cocaine source country via a transshipment hub",
     "Фрукты из страны-источника кокаина через порт перевалки",
     'hs2 == "08" and ind_route > 0', 0.7),
    ("new-consignee-low-value", "New consignee declaring goods far below their normal value",
     "Новый грузополучатель, стоимость товара намного ниже обычной",
     "ind_consignee_new > 0 and ind_value_low > 0", 0.5),
]


def simulate_past(ground_truth: Path, since: date, before: date, seed: int = 0
                  ) -> dict[str, int]:
    """The units' past from `since` to the day before `before`, as they would have worked
    it, day after day: each day's containers scored and selected (each unit's active rules,
    capacity and exploration share, the days before as history), the red and yellow ones
    inspected that day, and some of the planted cases the selection missed inspected on a
    tip-off (no selection probability: such a container stands for itself). Planted cases
    that were inspected were found, and their finds are history for the days after. Returns
    the number of inspections, finds and random picks inspected.

    Scored all at once, the first day's history would have served every day: nothing known
    about any party, route or price, nearly every risk 0, the selection made of random
    picks alone."""
    planted = {}
    with open(ground_truth, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            planted[(row["container_number"], row["voyage_id"])] = row["kind"]
    units = list(Unit.objects.exclude(ports=""))
    for unit in units:
        # A tenth of the inspections drawn at random (the default is a fiftieth): enough
        # random picks in three weeks for the hit-rate estimates and the model's
        # calibration to have something to stand on. Places in proportion to the unit's
        # traffic, as a PCU's team is sized (the defaults, 20 and 60 a day, would inspect
        # every box of a port that receives 70 a day).
        UnitRiskSettings.objects.get_or_create(unit=unit, defaults={
            "exploration_share": DEMO_EXPLORATION_SHARE,
            **demo_capacity(_daily_containers(unit, since, before))})
    rng = np.random.default_rng(seed)
    inspections = finds = random_picks = 0
    day = since
    while day < before:
        for unit in units:
            score_unit(unit, since=day, until=day, seed=seed)
        rows = []
        for pk, number, voyage, unit_id, channel, reason in (
                Assessment.objects.filter(arrival_date=day).order_by("container_id")
                .values_list("container_id", "container__number",
                             "container__voyage__voyage_ref", "unit_id", "channel",
                             "selection_reason")):
            kind = planted.get((number, voyage))
            u = rng.random()
            if channel != Assessment.Channel.GREEN or (kind and u < TIP_OFF_SHARE):
                # inspected the day the ship arrived
                rows.append(Outcome(container_id=pk, unit_id=unit_id, inspected=True,
                                    seizure=bool(kind), kind=kind or "", inspected_on=day))
                random_picks += reason == RANDOM_PICK
        Outcome.objects.bulk_create(rows, ignore_conflicts=True)
        inspections += len(rows)
        finds += sum(r.seizure for r in rows)
        day += timedelta(days=1)
    return {"inspections": inspections, "finds": finds, "random_picks": random_picks}


def demo_capacity(daily: float) -> dict[str, int]:
    """Red places for about 2 % of a day's containers and yellow ones for about 6 % (so
    8 % of the traffic looked at; a small port keeps 3 and 8, enough for one random pick a
    day at the demo's exploration share)."""
    return {"red_capacity": max(3, round(0.02 * daily)),
            "yellow_capacity": max(8, round(0.06 * daily))}


def _daily_containers(unit: Unit, since: date, before: date) -> float:
    boxes = Container.objects.filter(arriving(since, before - timedelta(days=1), "voyage__"),
                                     unit=unit).distinct().count()
    return boxes / max((before - since).days, 1)


def demo_watchlist(out_dir: Path, unit: Unit, acting_user: User | None) -> int:
    """An analyst's list built the way units build them: the parties of past seizures."""
    seized = (Outcome.objects.filter(unit=unit, seizure=True)
              .values_list("container__consignments__consignee__name",
                           "container__consignments__consignee__country").distinct())
    path = out_dir / f"watchlist-{unit.code}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "kind", "country", "aliases"])
        for i, (name, country) in enumerate(sorted(n for n in seized if n[0]), start=1):
            writer.writerow([f"S{i}", name, "company", country or "", ""])
    watchlist, _issues = do_import_watchlist(path=path, unit=unit, name="past seizures",
                                             acting_user=acting_user)
    return watchlist.entries_count if watchlist else 0


def demo_rules(analyst: User, supervisor: User, unit: Unit) -> None:
    """The demo rules, drafted, backtested, submitted and approved (before the past is
    simulated, so that they took part in its selection; backtest_active_rules measures them
    again once the outcomes are there)."""
    for code, text, text_ru, expression, weight in DEMO_RULES:
        if Rule.objects.filter(unit=unit, code=code).exists():
            continue
        rule = do_save_rule(acting_user=analyst, unit=unit, data={
            "code": code, "description": text, "description_ru": text_ru,
            "expression": expression, "weight": weight, "valid_from": None, "valid_to": None})
        do_backtest_rule(acting_user=analyst, rule=rule, days=30)
        do_submit_rule(acting_user=analyst, rule=rule)
        do_decide_rule(acting_user=supervisor, rule=rule, approve=True,
                       note="Demo: approved after backtest.")


def backtest_active_rules(analyst: User, unit: Unit) -> None:
    for rule in Rule.objects.filter(unit=unit, status=Rule.Status.ACTIVE):
        do_backtest_rule(acting_user=analyst, rule=rule, days=30)


def demo_model(analyst: User, supervisor: User, unit: Unit) -> str:
    """Train a model version on the unit's past outcomes, submitted by the analyst, unless
    the unit has one; the supervisor approves it when it ranks the held-out containers
    better than chance (its precision at 10 % inspected above their rate of finds), as a
    supervisor reading its figures would. Returns what was done."""
    existing = ModelVersion.objects.filter(unit=unit).first()
    if existing is not None:
        return f"model {existing.label} already there"
    try:
        version = do_train_model_version(acting_user=analyst, unit=unit)
    except TrainingRefused as exc:
        return f"no model: {exc.message}"
    do_submit_model_version(acting_user=analyst, version=version)
    precision = version.metrics["precision_at"]["10"]
    chance = version.holdout_positives / max(version.holdout_rows, 1)
    figures = (f"precision {precision:.2f} at 10 % of the held-out containers, whose rate of "
               f"finds is {chance:.2f}")
    if precision <= chance:
        do_decide_model_version(acting_user=supervisor, version=version, approve=False,
                                note="Demo: ranks the held-out containers no better than "
                                     "chance; more outcomes are needed.")
        return (f"model {version.label} trained on {version.rows} outcomes and rejected "
                f"({figures})")
    do_decide_model_version(acting_user=supervisor, version=version, approve=True,
                            note="Demo: approved after comparing the held-out figures.")
    return f"model {version.label} trained on {version.rows} outcomes and approved ({figures})"


def score_all(today: date) -> dict[str, int]:
    out = {}
    for unit in Unit.objects.exclude(ports=""):
        run = score_unit(unit, since=today, until=today + timedelta(days=7))
        run.refresh_from_db()
        out[unit.code] = run.containers
    return out
