"""Work for a task worker: score the units whose manifests just changed; train a model
version an analyst asked for."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from portcontrol.accounts.models import Unit

from .learning import run_training
from .pipeline import score_unit

# Containers arriving from yesterday to two weeks ahead: pre-arrival targeting.
WINDOW_BEFORE, WINDOW_AFTER = 1, 14


@task()
def score_units(unit_ids: list[int]) -> dict:
    today = timezone.localdate()
    out = {}
    for unit in Unit.objects.filter(pk__in=unit_ids):
        run = score_unit(unit, since=today - timedelta(days=WINDOW_BEFORE),
                         until=today + timedelta(days=WINDOW_AFTER))
        out[unit.code] = run.pk
    return out


def on_manifests_stored(sender, unit_ids, **kwargs) -> None:
    score_units.enqueue(list(unit_ids))


@task()
def train_model_version(training_id: int) -> dict:
    training = run_training(training_id)
    return {"status": training.status, "version": training.version_id}
