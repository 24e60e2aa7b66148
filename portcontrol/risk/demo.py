"""Demo risk set-up: past inspection outcomes, a few rules through their full life cycle,
and today's scoring, so that the demo shows targets with reasons for each unit."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from portcontrol.accounts.models import Unit, User
from portcontrol.manifests.models import Container

from .actions import do_backtest_rule, do_decide_rule, do_save_rule, do_submit_rule
from .actions_watchlists import do_import_watchlist
from .learning import (TrainingRefused, do_decide_model_version, do_submit_model_version,
                       do_train_model_version)
from .models import ModelVersion, Outcome, Rule
from .pipeline import score_unit

RANDOM_INSPECTION_SHARE = 0.03
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


def record_outcomes(ground_truth: Path, before: date, seed: int = 0) -> int:
    """Planted cases that arrived before `before` were found; a few others were inspected."""
    found = {}
    with open(ground_truth, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            found[(row["container_number"], row["voyage_id"])] = row["kind"]
    past = list(Container.objects.filter(voyage__port_calls__eta__date__lt=before)
                .values_list("id", "number", "voyage__voyage_ref", "unit_id"))
    rng = np.random.default_rng(seed)
    rows = []
    for (pk, number, voyage, unit), u in zip(past, rng.random(len(past)), strict=True):
        kind = found.get((number, voyage))
        if kind or u < RANDOM_INSPECTION_SHARE:
            rows.append(Outcome(container_id=pk, unit_id=unit, inspected=True,
                                seizure=bool(kind), kind=kind or ""))
    Outcome.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


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


def demo_model(analyst: User, supervisor: User, unit: Unit) -> str:
    """Train a model version on the unit's past outcomes, submitted by the analyst and
    approved by the supervisor, unless the unit has one; returns what was done."""
    existing = ModelVersion.objects.filter(unit=unit).first()
    if existing is not None:
        return f"model {existing.label} already there"
    try:
        version = do_train_model_version(acting_user=analyst, unit=unit)
    except TrainingRefused as exc:
        return f"no model: {exc.message}"
    do_submit_model_version(acting_user=analyst, version=version)
    do_decide_model_version(acting_user=supervisor, version=version, approve=True,
                            note="Demo: approved after comparing the held-out figures.")
    return (f"model {version.label} trained on {version.rows} outcomes and approved "
            f"(precision {version.metrics['precision_at']['10']:.2f} at 10 % held out)")


def score_all(today: date) -> dict[str, int]:
    out = {}
    for unit in Unit.objects.exclude(ports=""):
        run = score_unit(unit, since=today - timedelta(days=1), until=today + timedelta(days=7))
        run.refresh_from_db()
        out[unit.code] = run.containers
    return out
