"""Learned-model versions: trained on a unit's own history, compared, approved by a second
supervisor, and used (or, when unusable, refused) by the unit's scoring."""

from __future__ import annotations

import csv
import logging
from types import SimpleNamespace
from datetime import date, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portcontrol.accounts.actions import do_create_user
from portcontrol.accounts.models import Role
from portcontrol.audit.log import verify_chain
from portcontrol.audit.models import AuditRecord
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.engine.model import ModelError
from portcontrol.generator import generate
from portcontrol.manifests.loading import do_load_records, read_ndjson
from portcontrol.manifests.models import Container
from portcontrol.risk.frames import lines_for_units
from portcontrol.risk.learning import (STALE_TRAINING, TrainingRefused,
                                       do_compare_model_version, do_decide_model_version,
                                       do_request_training, do_retire_model_version,
                                       do_submit_model_version, do_train_model_version,
                                       inspection_weights, run_training)
from portcontrol.risk.model_store import load_version, model_table, probabilities
from portcontrol.risk.models import (Assessment, ModelTraining, ModelVersion, Outcome,
                                     ScoringRun)
from portcontrol.risk.pipeline import score_unit

pytestmark = pytest.mark.django_db
# Containers declared far below the usual value per kilogram are often found carrying
# something: a pattern to learn (numbers, since a few hundred rows are too few for LightGBM to
# split on a category).
CHEAP_SHARE = 0.15


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("history")
    generate(out, containers=1500, seed=11, start=date.today() - timedelta(days=28), days=35,
             destinations={"AZBAK": 1.0})
    return out


def _load(generated) -> None:
    result = do_load_records(read_ndjson(generated / "manifests.ndjson"), acting_user=None,
                             source="test:model-history")
    assert result.rejected == 0


def _record_outcomes(generated, before: date) -> int:
    """Planted cases were found; most containers declared cheapest per kilogram were too; a
    third of the others were inspected at random and found clean."""
    with open(generated / "ground_truth.csv", encoding="utf-8") as fh:
        planted = {(r["container_number"], r["voyage_id"]) for r in csv.DictReader(fh)}
    past = (Container.objects.filter(voyage__port_calls__eta__date__lt=before)
            .values_list("id", "number", "voyage__voyage_ref", "unit_id", "goods__value",
                         "goods__gross_kg").order_by("id", "goods__sequence"))
    first: dict[int, tuple] = {}
    for pk, number, voyage, unit, value, kg in past:
        first.setdefault(pk, (number, voyage, unit, float(value or 0) / max(float(kg or 0), 1)))
    cheap = np.quantile([r[3] for r in first.values()], CHEAP_SHARE)
    rng = np.random.default_rng(3)
    rows = []
    for pk, (number, voyage, unit, per_kg) in first.items():
        found = (number, voyage) in planted or (per_kg < cheap and rng.random() < 0.8)
        if found or rng.random() < 0.3:
            rows.append(Outcome(container_id=pk, unit_id=unit, inspected=True, seizure=found))
    Outcome.objects.bulk_create(rows)
    return len(rows)


@pytest.fixture
def history(org, generated):
    _load(generated)
    _record_outcomes(generated, timezone.localdate())
    return generated


@pytest.fixture
def baku_supervisor2(org):
    return do_create_user(username="baku.supervisor2", password="correct-horse-42",
                          unit=org["baku.officer"].unit, roles=[Role.SUPERVISOR],
                          acting_user=None)


def baku(org):
    return org["baku.officer"].unit


def _activate(org, version):
    do_submit_model_version(acting_user=org["baku.analyst"], version=version)
    do_decide_model_version(acting_user=org["baku.supervisor"], version=version, approve=True,
                            note="figures checked")
    version.refresh_from_db()
    return version


def _actions_on(object_type: str, pk: int) -> list[str]:
    return list(AuditRecord.objects.filter(object_type=object_type, object_id=str(pk))
                .order_by("id").values_list("action", flat=True))


def _actions(version) -> list[str]:
    return _actions_on("model_version", version.pk)


def test_training_stores_a_draft_with_holdout_figures(org, history):
    version = do_train_model_version(acting_user=org["baku.analyst"], unit=baku(org))
    assert version.status == "draft" and version.label == "v1"
    assert version.created_by == org["baku.analyst"]
    assert version.positives >= 8 and version.holdout_positives >= 3
    assert version.training_from < version.holdout_from <= version.training_until
    assert set(version.metrics["precision_at"]) == {"1", "2", "5", "10"}
    assert set(version.metrics["recall_at"]) == {"1", "2", "5", "10"}
    assert version.metrics["rows"] == version.holdout_rows
    # The figures are those of a model that learned the pattern, not of random picks.
    assert version.metrics["recall_at"]["10"] > 0.1
    assert {"value", "goods_gross_kg", "origin_country"} <= set(version.input_columns)
    stored = ModelVersion.objects.get(pk=version.pk)
    assert load_version(stored).state.names == stored.features
    assert version.comparison is None  # nothing active to compare with
    assert _actions(version) == ["model.train"]
    record = AuditRecord.objects.get(action="model.train")
    assert record.actor == org["baku.analyst"] and record.after["label"] == "v1"
    assert record.after["artifact_sha256"] == stored.artifact_sha256


@pytest.mark.parametrize("chances, weights", [
    ([1.0, 0.25, None], [1.0, 4.0, 1.0]),  # risk pick, random pick, inspected outside
    ([0.5, 0.0, 2.0], [2.0, 1.0, 1.0]),  # impossible chances count as no chance recorded
])
def test_inspection_weights(chances, weights):
    import polars as pl

    lines = pl.DataFrame({"selection_probability": chances},
                         schema={"selection_probability": pl.Float64})
    assert inspection_weights(lines).to_list() == weights


def test_random_picks_weigh_for_the_traffic_they_stand_for(org, history, login):
    """The history's clean containers were inspected at random (a third of them): recorded
    as random picks with that chance, they stand for three containers each, and the model's
    probability over the unit's traffic comes down to its hit rate."""
    unit = baku(org)
    plain = do_train_model_version(acting_user=org["baku.analyst"], unit=unit)
    assert plain.training["calibration"]["rows_weighing_more"] == 0
    Assessment.objects.bulk_create(
        Assessment(container_id=o.container_id, unit=unit, risk=0.5,
                   channel="red", selection_reason="risk" if o.seizure else "random",
                   selection_probability=1.0 if o.seizure else 0.3)
        for o in Outcome.objects.filter(unit=unit))
    weighted = do_train_model_version(acting_user=org["baku.analyst"], unit=unit)
    assert weighted.training["calibration"]["rows_weighing_more"] > 0
    assert "inspection_weight" not in weighted.input_columns
    traffic = model_table(lines_for_units([unit.pk]))
    found = Outcome.objects.filter(unit=unit, seizure=True).count()
    rate = found / traffic.height  # the clean containers not inspected found nothing
    p_plain = probabilities(load_version(plain), traffic).mean()
    p_weighted = probabilities(load_version(weighted), traffic).mean()
    assert p_weighted < p_plain
    assert abs(p_weighted - rate) < abs(p_plain - rate)
    client = login(org["baku.analyst"])
    page = client.get(reverse("model_version", args=[plain.pk])).content.decode()
    assert "calibrated on inspected containers only" in page
    page = client.get(reverse("model_version", args=[weighted.pk])).content.decode()
    n = weighted.training["calibration"]["rows_weighing_more"]
    assert weighted.training["calibration"]["weighted"] is True
    assert f"calibrated for the unit's whole traffic: {n} random inspections" in page
    assert ('id="few-finds"' in page) == (weighted.holdout_positives < 10)
    ModelVersion.objects.filter(pk=weighted.pk).update(holdout_positives=3)
    page = client.get(reverse("model_version", args=[weighted.pk])).content.decode()
    assert "Only 3 finds among the held-out containers: one find more or less" in page
    too_few = {**weighted.training, "calibration": {
        "weighted": False, "weighted_rows": 40.0, "rows_weighing_more": 2,
        "min_rows_weighing_more": 20}}
    ModelVersion.objects.filter(pk=plain.pk).update(training=too_few)
    page = client.get(reverse("model_version", args=[plain.pk])).content.decode()
    assert ("calibrated on inspected containers only: 2 random inspections in the validation "
            "period are too few to stand for the whole traffic (at least 20 are needed)") in page


def test_too_few_labelled_outcomes_are_refused_clearly(org, generated, login, capsys):
    _load(generated)  # manifests, but no inspection outcomes yet
    with pytest.raises(TrainingRefused) as err:
        do_train_model_version(acting_user=org["baku.analyst"], unit=baku(org))
    assert "Inspection history page" in err.value.message
    assert "Too little history" in err.value.message and "0 inspected containers" in \
        err.value.message and "at least 100" in err.value.message
    client = login(org["baku.analyst"])
    response = client.post(reverse("model_train"), {"days": 365}, follow=True)
    assert response.status_code == 200 and "Too little history" in response.content.decode()
    assert not ModelVersion.objects.exists()
    with pytest.raises(SystemExit) as exit_:
        call_command("model", "train_unit", "--unit", "pcu-baku")
    assert exit_.value.code == 1
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("portcontrol model train_unit: ")
    assert "Too little history" in err_lines[0]


def test_four_eyes_life_cycle_and_one_active_version(org, history, baku_supervisor2):
    analyst, supervisor = org["baku.analyst"], org["baku.supervisor"]
    first = do_train_model_version(acting_user=analyst, unit=baku(org))
    with pytest.raises(PermissionDenied):  # drafts are not decided
        do_decide_model_version(acting_user=supervisor, version=first, approve=True)
    do_submit_model_version(acting_user=analyst, version=first)
    with pytest.raises(PermissionDenied):  # an analyst does not approve
        do_decide_model_version(acting_user=analyst, version=first, approve=True)
    with pytest.raises(InvalidValue, match="why"):
        do_decide_model_version(acting_user=supervisor, version=first, approve=False)
    do_decide_model_version(acting_user=supervisor, version=first, approve=True)
    first.refresh_from_db()
    assert first.status == "active" and first.decided_by == supervisor

    # A supervisor who trains a version cannot approve it; another supervisor can.
    second = do_train_model_version(acting_user=supervisor, unit=baku(org))
    assert second.label == "v2"
    assert second.comparison["active"]["id"] == first.pk
    assert second.comparison["active"]["comparable"]
    assert set(second.comparison["active"]["metrics"]["precision_at"]) == {"1", "2", "5", "10"}
    do_submit_model_version(acting_user=supervisor, version=second)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        do_decide_model_version(acting_user=supervisor, version=second, approve=True)
    do_decide_model_version(acting_user=baku_supervisor2, version=second, approve=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("retired", "active")
    assert ModelVersion.objects.filter(unit=baku(org), status="active").count() == 1
    assert "v2" in first.decision_note

    with pytest.raises(PermissionDenied):
        do_retire_model_version(acting_user=analyst, version=second)
    do_retire_model_version(acting_user=supervisor, version=second, note="back to rules")
    assert ModelVersion.objects.get(pk=second.pk).status == "retired"

    assert _actions(first) == ["model.train", "model.submit", "model.approve", "model.retire"]
    assert _actions(second) == ["model.train", "model.submit", "model.approve", "model.retire"]
    checked, broken = verify_chain()
    assert checked > 0 and broken == []


def test_pages_are_scoped_and_follow_the_roles(org, history, login):
    client = login(org["baku.analyst"])
    response = client.post(reverse("model_train"), {"days": 365})
    version = ModelVersion.objects.get()
    assert response.status_code == 302 and response.url == reverse("model_version",
                                                                   args=[version.pk])
    page = client.get(reverse("model_versions")).content.decode()
    assert 'id="model-versions"' in page and ">v1</a>" in page and 'id="train-model"' in page
    client.post(reverse("model_submit", args=[version.pk]))
    assert ModelVersion.objects.get().status == "pending"
    # The trainer sees no approval buttons, and posting anyway changes nothing.
    assert 'id="approve-model"' not in client.get(
        reverse("model_version", args=[version.pk])).content.decode()
    client.post(reverse("model_decide", args=[version.pk]), {"decision": "approve"})
    assert ModelVersion.objects.get().status == "pending"

    officer = login(org["baku.officer"])
    assert officer.post(reverse("model_train"), {"days": 365}).status_code == 403
    assert 'id="train-model"' not in officer.get(reverse("model_versions")).content.decode()
    officer.post(reverse("model_decide", args=[version.pk]), {"decision": "approve"})
    assert ModelVersion.objects.get().status == "pending"

    other = login(org["karachi.supervisor"])  # a supervisor of another country
    assert other.get(reverse("model_version", args=[version.pk])).status_code == 404
    assert other.post(reverse("model_decide", args=[version.pk]),
                      {"decision": "approve"}).status_code == 404
    # the version's link, not the bare label: a random token on the page may contain "v1"
    assert f'href="{reverse("model_version", args=[version.pk])}"' not in \
        other.get(reverse("model_versions")).content.decode()
    assert ModelVersion.objects.get().status == "pending"

    supervisor = login(org["baku.supervisor"])
    detail = supervisor.get(reverse("model_version", args=[version.pk])).content.decode()
    assert 'id="approve-model"' in detail
    supervisor.post(reverse("model_decide", args=[version.pk]),
                    {"decision": "approve", "note": "better than rules alone"})
    assert ModelVersion.objects.get().status == "active"
    coordinator = login(org["az.coordinator"])  # sees the units of the country
    assert coordinator.get(reverse("model_version", args=[version.pk])).status_code == 200


def test_comparison_with_a_version_activated_later(org, history, login):
    analyst = org["baku.analyst"]
    first = do_train_model_version(acting_user=analyst, unit=baku(org))
    second = do_train_model_version(acting_user=analyst, unit=baku(org))
    assert second.comparison is None
    _activate(org, first)
    client = login(analyst)
    page = client.get(reverse("model_version", args=[second.pk])).content.decode()
    assert 'id="compare-model"' in page
    client.post(reverse("model_compare", args=[second.pk]))
    second.refresh_from_db()
    assert second.comparison["active"]["label"] == "v1"
    # The same data, the same pipeline: the same figures on the same holdout.
    assert second.comparison["candidate"] == second.comparison["active"]["metrics"]
    page = client.get(reverse("model_version", args=[second.pk])).content.decode()
    assert 'id="comparison-table"' in page and 'id="compare-model"' not in page
    assert "model.compare" in _actions(second)
    with pytest.raises(PermissionDenied):
        do_compare_model_version(acting_user=analyst, version=first)  # it is the active one


def _model_reasons(assessments) -> list[dict]:
    return [r for a in assessments for r in a.reasons if r["kind"] == "model"]


def _score(org):
    today = timezone.localdate()
    run = score_unit(baku(org), since=today, until=today + timedelta(days=7))
    run.refresh_from_db()
    return run, dict(Assessment.objects.filter(unit=baku(org))
                     .values_list("container_id", "risk"))


def test_scoring_uses_the_active_version(org, history):
    run, before = _score(org)
    assert run.params["model_version"] is None
    assert not _model_reasons(Assessment.objects.filter(unit=baku(org)))
    version = _activate(org, do_train_model_version(acting_user=org["baku.analyst"],
                                                    unit=baku(org)))
    run, after = _score(org)
    assert run.params["model_version"] == version.pk and run.params["model_used"] is True
    assert AuditRecord.objects.filter(action="risk.score", object_id=str(run.pk),
                                      after__model_version=version.pk).exists()
    # The model's probability is one more term of the noisy OR: risks rise, never fall.
    assert before.keys() == after.keys()
    assert all(after[c] >= before[c] - 1e-9 for c in before)
    assert sum(after[c] > before[c] + 1e-6 for c in before) > len(before) / 2
    model_reasons = _model_reasons(Assessment.objects.filter(unit=baku(org)))
    assert model_reasons
    texts = " ".join(r["text_en"] for r in model_reasons)
    assert "model probability" in texts and "top factors: " in texts
    # The learned pattern (declared value per kilogram), named by SHAP.
    factors = [r["text_en"].split("top factors: ", 1)[1] for r in model_reasons]
    assert any(f.startswith(("value = ", "value & goods_gross_kg = ")) for f in factors)
    assert all("вероятность по модели" in r["text_ru"] for r in model_reasons)


def test_containers_selected_beyond_the_explained_share_get_the_models_factors(
        org, history, monkeypatch):
    """With only the top 3 explained by the scoring, the rest of the selection gets its
    reasons afterwards, the model's SHAP factors included."""
    from portcontrol.engine.scoring import ScoringConfig
    from portcontrol.risk import pipeline

    _activate(org, do_train_model_version(acting_user=org["baku.analyst"], unit=baku(org)))
    monkeypatch.setattr(pipeline, "ScoringConfig",
                        lambda: ScoringConfig(explain_share=0.0, explain_min=3))
    run, _risks = _score(org)
    selected = Assessment.objects.filter(run_id=run.pk, channel__in=["red", "yellow"])
    assert selected.count() > 3
    model_reasons = _model_reasons(selected)
    assert len(model_reasons) > 3
    factors = [r["text_en"].split("top factors: ", 1)[1] for r in model_reasons]
    assert sum(f != "—" for f in factors) > 3  # "—": no factor given


def test_corrupt_artifact_is_refused_and_scoring_goes_on(org, history, caplog,
                                                         baku_supervisor2):
    version = _activate(org, do_train_model_version(acting_user=org["baku.analyst"],
                                                    unit=baku(org)))
    blob = bytearray(version.artifact)
    blob[len(blob) // 2] ^= 0xFF
    ModelVersion.objects.filter(pk=version.pk).update(artifact=bytes(blob))
    with pytest.raises(ModelError, match="corrupt or was changed"):
        load_version(ModelVersion.objects.get(pk=version.pk))
    with caplog.at_level(logging.ERROR, logger="portcontrol.risk.model_store"):
        run, _ = _score(org)
    assert run.params["model_version"] == version.pk and run.params["model_used"] is False
    assert "corrupt" in run.params["model_error"]
    assert any("not used in scoring" in r.getMessage() and "corrupt" in r.getMessage()
               for r in caplog.records)
    assert Assessment.objects.filter(run_id=run.pk).exists()
    assert not _model_reasons(Assessment.objects.filter(run_id=run.pk))
    assert ScoringRun.objects.get(pk=run.pk).finished_at is not None


def test_mismatched_feature_list_is_refused_and_not_approved(org, history, baku_supervisor2):
    version = do_train_model_version(acting_user=org["baku.analyst"], unit=baku(org))
    ModelVersion.objects.filter(pk=version.pk).update(features=version.features[:-1])
    version.refresh_from_db()
    with pytest.raises(ModelError, match="feature mismatch"):
        load_version(version)
    do_submit_model_version(acting_user=org["baku.analyst"], version=version)
    with pytest.raises(InvalidValue, match="cannot be used: feature mismatch"):
        do_decide_model_version(acting_user=org["baku.supervisor"], version=version,
                                approve=True)
    assert ModelVersion.objects.get(pk=version.pk).status == "pending"
    # Had it been active, scoring would name the refusal and go on without it.
    ModelVersion.objects.filter(pk=version.pk).update(status="active")
    run, _ = _score(org)
    assert run.params["model_used"] is False
    assert "feature mismatch" in run.params["model_error"]


def test_train_unit_command(org, history, capsys):
    call_command("model", "train_unit", "--unit", "pcu-baku", "--by", "baku.analyst")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("model version v1 of pcu-baku: learned from")
    version = ModelVersion.objects.get()
    assert version.created_by == org["baku.analyst"] and version.status == "draft"
    with pytest.raises(SystemExit) as exit_:
        call_command("model", "train_unit", "--unit", "pcu-nowhere")
    assert exit_.value.code == 1
    assert "no unit with code 'pcu-nowhere'" in capsys.readouterr().err


def test_training_is_a_task_whose_request_records_the_version(org, history):
    analyst = org["baku.analyst"]
    training = do_request_training(acting_user=analyst, unit=baku(org), days=365)
    assert training.status == "done" and training.error == ""
    assert training.version == ModelVersion.objects.get() and training.finished_at
    assert training.version.created_by == analyst
    assert _actions_on("model_training", training.pk) == ["model.train_requested"]
    with pytest.raises(PermissionDenied):
        do_request_training(acting_user=org["baku.officer"], unit=baku(org))
    with pytest.raises(PermissionDenied):  # another country's unit
        do_request_training(acting_user=org["karachi.analyst"], unit=baku(org))
    with pytest.raises(InvalidValue, match="30 to 3650"):
        do_request_training(acting_user=analyst, unit=baku(org), days=10)


def test_one_training_per_unit_at_a_time_and_a_failure_says_why(org, generated, login,
                                                                 monkeypatch):
    from portcontrol.risk import tasks

    _load(generated)  # manifests, no inspection outcomes: too little history
    queued: list[int] = []
    monkeypatch.setattr(tasks, "train_model_version", SimpleNamespace(enqueue=queued.append))
    analyst = org["baku.analyst"]
    first = do_request_training(acting_user=analyst, unit=baku(org))
    assert first.status == "queued" and queued == [first.pk]
    with pytest.raises(InvalidValue, match="already being trained"):
        do_request_training(acting_user=org["baku.supervisor"], unit=baku(org))
    client = login(analyst)
    page = client.get(reverse("model_versions")).content.decode()
    assert 'id="trainings"' in page and 'http-equiv="refresh"' in page

    done = run_training(first.pk)  # what the worker does
    assert done.status == "failed" and "Too little history" in done.error
    assert run_training(first.pk).status == "failed"  # delivered twice: left alone
    assert not ModelVersion.objects.exists()
    page = client.get(reverse("model_versions")).content.decode()
    assert "Too little history" in page and 'http-equiv="refresh"' not in page

    # A request whose worker died does not block the unit for ever.
    second = do_request_training(acting_user=analyst, unit=baku(org))
    ModelTraining.objects.filter(pk=second.pk).update(
        requested_at=timezone.now() - STALE_TRAINING - timedelta(minutes=1))
    third = do_request_training(acting_user=analyst, unit=baku(org))
    assert third.status == "queued"
    second.refresh_from_db()
    assert second.status == "failed" and "did not finish" in second.error
    # Another country's analyst sees none of it.
    assert 'id="trainings"' not in login(org["karachi.analyst"]).get(
        reverse("model_versions")).content.decode()
