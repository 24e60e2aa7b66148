"""Model versions learned from a unit's own inspection history, from training to retirement.

Training reads the unit's inspected containers (risk.Outcome) with their declaration fields,
holds out the latest ones (cut on a day boundary) as a test the model never sees, and trains
the engine's LightGBM pipeline on the earlier ones (which itself validates in time order and
calibrates). Each inspected container weighs 1 / the chance its selection gave it: a random
pick stands for the containers like it that were not inspected, so that the probability holds
for the unit's whole traffic and not only for containers like the ones inspected. Precision
and recall at 1, 2, 5 and 10 % inspected on the holdout are what a supervisor compares and
approves. Four eyes: a supervisor who neither trained nor submitted a
version activates it, which retires the unit's previous active version. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portcontrol.accounts.models import Role, Unit, User
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied, PortControlError
from portcontrol.engine import model as engine_model
from portcontrol.engine.model import ModelError, at_percents
from portcontrol.manifests.rawsql import in_chunks

from .frames import arriving, container_lines
from .model_store import (
    DATE,
    ID,
    LABEL,
    library_errors,
    load_version,
    model_table,
    pack,
    probabilities,
    sha256,
)
from .models import Assessment, ModelTraining, ModelVersion

OPEN = (ModelTraining.Status.QUEUED, ModelTraining.Status.RUNNING)
WEIGHT = "inspection_weight"

DEFAULT_DAYS = 365
HOLDOUT_SHARE = 0.2  # the latest fifth of the labelled containers tests the model
MIN_LABELLED = 100  # inspected containers with a recorded outcome
MIN_POSITIVES = 15  # ... of which something was found
MIN_HOLDOUT_POSITIVES = 3  # finds among the held-out containers, for figures that mean something
FEW_HOLDOUT_FINDS = 10  # below this, the version page warns that its figures are fragile
MIN_FIT_POSITIVES = 8  # finds the model learns from (the engine validates on part of them)


class TrainingRefused(InvalidValue):
    """Not enough, or unusable, labelled history: a message for the person who asked."""

    code = "too_little_history"


def can_train_models(user: User) -> bool:
    return user.has_role(Role.ANALYST, Role.SUPERVISOR)


def can_approve_models(user: User) -> bool:
    return user.has_role(Role.SUPERVISOR)


def _check_days(days: int) -> None:
    if not 30 <= days <= 3650:
        raise InvalidValue(_("Train on 30 to 3650 days of history."), field="days")


def _require(user: User | None, unit: Unit, *, approve: bool = False) -> None:
    if user is None:
        raise PermissionDenied(_("Only a signed-in analyst or supervisor can do this."))
    allowed = can_approve_models(user) if approve else can_train_models(user)
    if not allowed or unit.pk not in visible_unit_ids(user):
        raise PermissionDenied(_("Your role does not allow this on the models of this unit."))


def labelled_lines(unit: Unit, since: date, until: date) -> pl.DataFrame:
    """The unit's inspected containers that arrived from `since` to `until`, oldest first."""
    lines = container_lines(arriving(since, until) & Q(consignment__unit_id=unit.pk,
                                                       container__outcome__inspected=True))
    lines = lines.filter(pl.col(DATE).is_between(since, until))
    chances = pl.DataFrame(
        [row for ids in in_chunks(lines[ID].to_list())
         for row in Assessment.objects.filter(container_id__in=ids)
         .values_list("container_id", "selection_probability")],
        schema={ID: pl.Int64, "selection_probability": pl.Float64}, orient="row")
    return (lines.join(chances, on=ID, how="left")
            .sort(DATE, ID, maintain_order=True))


def inspection_weights(lines: pl.DataFrame) -> pl.Series:
    """1 / the chance of inspection each container had: a random pick drawn with chance p
    stands for 1/p containers; risk picks (chance 1) and containers inspected outside the
    selection (no recorded chance, a tip-off say) stand for themselves."""
    chance = pl.col("selection_probability")
    return lines.select(pl.when((chance > 0) & (chance < 1)).then(1 / chance)
                        .otherwise(1.0).alias(WEIGHT)).to_series()


@dataclass(frozen=True)
class Split:
    fit: pl.DataFrame
    holdout: pl.DataFrame
    holdout_from: date


def split_history(unit: Unit, lines: pl.DataFrame, since: date, until: date) -> Split:
    """Refuse too little history; otherwise cut off the latest containers as the holdout."""
    rows, positives = lines.height, int(lines["seizure"].sum()) if lines.height else 0
    if rows < MIN_LABELLED or positives < MIN_POSITIVES:
        raise TrainingRefused(_(
            "Too little history to train a model for %(unit)s: from %(since)s to %(until)s "
            "there are %(rows)d inspected containers with a recorded outcome, %(positives)d "
            "of them with a find; at least %(min_rows)d and %(min_positives)d are needed. "
            "Past inspections can be imported on the Inspection history page (or with "
            "portcontrol import_outcomes).")
            % {"unit": unit.name, "since": since, "until": until, "rows": rows,
               "positives": positives, "min_rows": MIN_LABELLED,
               "min_positives": MIN_POSITIVES})
    days = lines[DATE]
    cut = days[min(rows - 1, int(rows * (1 - HOLDOUT_SHARE)))]
    fit, holdout = lines.filter(pl.col(DATE) < cut), lines.filter(pl.col(DATE) >= cut)
    fit_pos, held_pos = int(fit["seizure"].sum()), int(holdout["seizure"].sum())
    if fit.height == 0 or fit_pos < MIN_FIT_POSITIVES or held_pos < MIN_HOLDOUT_POSITIVES:
        raise TrainingRefused(_(
            "Too little history to train and test a model for %(unit)s: the containers "
            "before %(cut)s include %(fit)d finds to learn from (at least %(min_fit)d are "
            "needed) and those from %(cut)s on, held out for testing, %(held)d finds (at "
            "least %(min_held)d are needed).")
            % {"unit": unit.name, "cut": cut, "fit": fit_pos, "min_fit": MIN_FIT_POSITIVES,
               "held": held_pos, "min_held": MIN_HOLDOUT_POSITIVES})
    return Split(fit, holdout, cut)


def evaluate(model: engine_model.Model, lines: pl.DataFrame) -> dict[str, Any] | None:
    """Precision and recall at 1, 2, 5 and 10 % inspected, scoring as in production (None
    without rows)."""
    if lines.height == 0:
        return None
    y = lines["seizure"].cast(pl.Int8).to_numpy()
    return dict(at_percents(y, probabilities(model, model_table(lines))))


def do_train_model_version(*, acting_user: User | None, unit: Unit,
                           days: int = DEFAULT_DAYS, until: date | None = None
                           ) -> ModelVersion:
    """Train on the unit's last `days` days of outcomes and store a draft version (without
    an acting user: the operator's command line)."""
    if acting_user is not None:
        _require(acting_user, unit)
    _check_days(days)
    until = until or timezone.localdate()
    since = until - timedelta(days=days - 1)
    lines = labelled_lines(unit, since, until)
    split = split_history(unit, lines, since, until)
    try:
        table = model_table(split.fit, label=True).with_columns(
            inspection_weights(split.fit).cast(pl.String))
        model = engine_model.train(table, label=LABEL, id=ID, date=DATE, weight=WEIGHT)
        metrics = evaluate(model, split.holdout)
    except (ModelError, *library_errors()) as exc:
        reason = exc.message if isinstance(exc, ModelError) else \
            (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TrainingRefused(_("The model could not be trained on this history: "
                                "%(reason)s") % {"reason": reason}) from None
    blob = pack(model)
    version = ModelVersion(
        unit=unit, artifact=blob, artifact_sha256=sha256(blob), artifact_size=len(blob),
        features=model.state.names, input_columns=model.state.input_columns,
        training_from=lines[DATE].min(), training_until=lines[DATE].max(),
        holdout_from=split.holdout_from, rows=split.fit.height,
        positives=int(split.fit["seizure"].sum()), holdout_rows=split.holdout.height,
        holdout_positives=int(split.holdout["seizure"].sum()), metrics=metrics,
        training=model.training,
        created_by=acting_user)
    version.comparison = comparison(version, split.holdout, candidate_metrics=metrics)
    return _store(version, acting_user)


STALE_TRAINING = timedelta(hours=6)  # a request still open after this: its worker died


def do_request_training(*, acting_user: User, unit: Unit, days: int = DEFAULT_DAYS,
                        ) -> ModelTraining:
    """Ask a task worker to train a version of the unit's model (one request per unit at a
    time); returns the request, whose status says when the version is there. With the
    in-process task backend (tests, small demos) it has already run on return."""
    from .tasks import train_model_version  # tasks imports this module

    _require(acting_user, unit)
    _check_days(days)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        open_ = ModelTraining.objects.filter(unit=unit, status__in=OPEN)
        open_.filter(requested_at__lt=timezone.now() - STALE_TRAINING).update(
            status=ModelTraining.Status.FAILED, finished_at=timezone.now(),
            error=_("The training did not finish (its worker stopped)."))
        if open_.exists():
            raise InvalidValue(_("A version of this unit's model is already being trained; "
                                 "wait until it is done."), field="days")
        training = ModelTraining.objects.create(unit=unit, days=days, requested_by=acting_user)
        audit(actor=acting_user, action="model.train_requested", object_type="model_training",
              object_id=training.pk, unit_id=unit.pk, after={"days": days})
    train_model_version.enqueue(training.pk)
    training.refresh_from_db()
    return training


def run_training(training_id: int) -> ModelTraining:
    """The worker's part of do_request_training: train, and record the version or why not.
    A request that is no longer waiting (a task delivered twice) is left alone."""
    claimed = ModelTraining.objects.filter(pk=training_id, status=ModelTraining.Status.QUEUED) \
        .update(status=ModelTraining.Status.RUNNING)
    training = ModelTraining.objects.select_related("unit", "requested_by").get(pk=training_id)
    if not claimed:
        return training
    try:
        version = do_train_model_version(acting_user=training.requested_by,
                                         unit=training.unit, days=training.days)
    except PortControlError as exc:
        _finish(training, error=exc.message)
        return training
    except Exception as exc:
        _finish(training, error=_("The training stopped on an unexpected error (%(kind)s); "
                                  "the task worker's log has the details.")
                % {"kind": type(exc).__name__})
        raise
    _finish(training, version=version)
    return training


def _finish(training: ModelTraining, *, version: ModelVersion | None = None,
            error: str = "") -> None:
    training.status = ModelTraining.Status.DONE if version else ModelTraining.Status.FAILED
    training.version, training.error, training.finished_at = version, error, timezone.now()
    training.save(update_fields=["status", "version", "error", "finished_at"])


def _store(version: ModelVersion, acting_user: User | None) -> ModelVersion:
    try:
        with transaction.atomic():
            Unit.objects.select_for_update().filter(pk=version.unit_id).first()
            version.label = f"v{ModelVersion.objects.filter(unit_id=version.unit_id).count() + 1}"
            version.save()
            audit(actor=acting_user, action="model.train", object_type="model_version",
                  object_id=version.pk, unit_id=version.unit_id, after=summary(version))
    except IntegrityError:
        raise InvalidValue(_("Another model version was stored at the same time; train "
                             "again."), field="label") from None
    return version


def summary(version: ModelVersion) -> dict[str, Any]:
    return {"label": version.label, "status": version.status,
            "training_from": version.training_from, "training_until": version.training_until,
            "holdout_from": version.holdout_from, "rows": version.rows,
            "positives": version.positives, "holdout_rows": version.holdout_rows,
            "holdout_positives": version.holdout_positives, "features": len(version.features),
            "artifact_sha256": version.artifact_sha256, "metrics": version.metrics}


def comparison(candidate: ModelVersion, holdout: pl.DataFrame,
               candidate_metrics: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The candidate and the unit's active version on the candidate's holdout, when the
    active version never saw it (it learned only from containers before that holdout).
    `candidate_metrics`: the candidate's figures on this very holdout, if already known."""
    active = (ModelVersion.objects.filter(unit_id=candidate.unit_id,
                                          status=ModelVersion.Status.ACTIVE)
              .exclude(pk=candidate.pk).first())
    if active is None:
        return None
    other: dict[str, Any] = {"id": active.pk, "label": active.label, "metrics": None,
                             "comparable": active.holdout_from <= candidate.holdout_from,
                             "error": None}
    if other["comparable"] and holdout.height:
        try:
            other["metrics"] = evaluate(load_version(active), holdout)
        except ModelError as exc:
            other["error"] = exc.message
    return {"computed_at": timezone.now().isoformat(),
            "holdout": {"from": candidate.holdout_from.isoformat(),
                        "until": candidate.training_until.isoformat(),
                        "rows": holdout.height,
                        "positives": int(holdout["seizure"].sum()) if holdout.height else 0},
            "candidate": candidate_metrics or (evaluate(load_version(candidate), holdout)
                                               if holdout.height else None),
            "active": other}


def do_compare_model_version(*, acting_user: User, version: ModelVersion) -> dict | None:
    """Compare a candidate again with whichever version is active now."""
    _require(acting_user, version.unit)
    if version.status not in (ModelVersion.Status.DRAFT, ModelVersion.Status.PENDING):
        raise PermissionDenied(_("Only a draft or a version waiting for approval is "
                                 "compared with the active version."))
    holdout = labelled_lines(version.unit, version.holdout_from, version.training_until)
    try:
        result = comparison(version, holdout)
    except ModelError as exc:
        raise InvalidValue(_("This model version cannot be used: %(reason)s")
                           % {"reason": exc.message}) from None
    with transaction.atomic():
        ModelVersion.objects.filter(pk=version.pk).update(comparison=result)
        audit(actor=acting_user, action="model.compare", object_type="model_version",
              object_id=version.pk, unit_id=version.unit_id, after=result)
    version.comparison = result
    return result


def _transition(version: ModelVersion, user: User | None, action: str, to: str,
                **fields: Any) -> None:
    before = {"status": version.status}
    version.status = to
    for name, value in fields.items():
        setattr(version, name, value)
    version.save(update_fields=["status", *fields])
    audit(actor=user, action=action, object_type="model_version", object_id=version.pk,
          unit_id=version.unit_id, before=before,
          after={"status": to, "label": version.label,
                 **{k: str(v) for k, v in fields.items() if not k.endswith("_by")}})


def do_submit_model_version(*, acting_user: User, version: ModelVersion) -> None:
    _require(acting_user, version.unit)
    if version.status != ModelVersion.Status.DRAFT:
        raise PermissionDenied(_("Only a draft can be submitted for approval."))
    with transaction.atomic():
        _transition(version, acting_user, "model.submit", ModelVersion.Status.PENDING,
                    submitted_by=acting_user, submitted_at=timezone.now())


def do_decide_model_version(*, acting_user: User, version: ModelVersion, approve: bool,
                            note: str = "") -> None:
    """Four eyes: a supervisor who neither trained nor submitted the version decides. An
    approved version becomes the unit's only active one; the previous one is retired."""
    _require(acting_user, version.unit, approve=True)
    if version.status != ModelVersion.Status.PENDING:
        raise PermissionDenied(_("Only a version waiting for approval can be decided."))
    if acting_user.pk in (version.created_by_id, version.submitted_by_id):
        raise PermissionDenied(_("Four eyes: whoever trained or submitted a model version "
                                 "cannot approve it."))
    if not approve and not note.strip():
        raise InvalidValue(_("Say why the model version is rejected."), field="note")
    if approve:
        try:
            load_version(version)
        except ModelError as exc:
            raise InvalidValue(_("This model version cannot be used: %(reason)s")
                               % {"reason": exc.message}, field="artifact") from None
    now = timezone.now()
    with transaction.atomic():
        if approve:
            Unit.objects.select_for_update().filter(pk=version.unit_id).first()
            for previous in ModelVersion.objects.filter(unit_id=version.unit_id,
                                                        status=ModelVersion.Status.ACTIVE):
                _transition(previous, acting_user, "model.retire", ModelVersion.Status.RETIRED,
                            retired_at=now,
                            decision_note=_("Replaced by %(label)s")
                            % {"label": version.label})
        _transition(version, acting_user, "model.approve" if approve else "model.reject",
                    ModelVersion.Status.ACTIVE if approve else ModelVersion.Status.REJECTED,
                    decided_by=acting_user, decided_at=now, decision_note=note[:500])


def do_retire_model_version(*, acting_user: User, version: ModelVersion,
                            note: str = "") -> None:
    """Stop using the active version; scoring goes on with rules and indicators alone."""
    _require(acting_user, version.unit, approve=True)
    if version.status != ModelVersion.Status.ACTIVE:
        raise PermissionDenied(_("Only the active version can be retired."))
    with transaction.atomic():
        _transition(version, acting_user, "model.retire", ModelVersion.Status.RETIRED,
                    retired_at=timezone.now(), decision_note=note[:500])
