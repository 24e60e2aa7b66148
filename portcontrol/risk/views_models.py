"""Pages for learned-model versions: the unit's versions with their holdout figures side by
side, training, the comparison of a candidate with the active version, and the four-eyes life
cycle (submit, approve or reject, retire). Every write goes through risk.learning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portcontrol.accounts.models import User
from portcontrol.accounts.scoping import scope, visible_unit_ids
from portcontrol.core.errors import PortControlError
from portcontrol.engine.model import PERCENTS

from .forms import DecisionForm
from .learning import (DEFAULT_DAYS, FEW_HOLDOUT_FINDS, can_approve_models, can_train_models,
                       do_compare_model_version, do_decide_model_version,
                       do_request_training, do_retire_model_version,
                       do_submit_model_version)
from .models import ModelTraining, ModelVersion


class TrainForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Days of history"), min_value=30,
                              max_value=3650, initial=DEFAULT_DAYS)


def versions_for(user: User) -> QuerySet[ModelVersion]:
    return scope(ModelVersion.objects.select_related("unit", "created_by", "submitted_by",
                                                     "decided_by").defer("artifact"), user)


def figure_rows(metrics: dict[str, Any] | None) -> list[dict[str, Any]]:
    """[{percent, precision, recall}] for 1, 2, 5 and 10 % inspected (empty without figures)."""
    if not metrics:
        return []
    return [{"percent": p, "precision": metrics["precision_at"].get(str(p)),
             "recall": metrics["recall_at"].get(str(p))} for p in PERCENTS]


def comparison_rows(comparison: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not comparison:
        return []
    mine = {r["percent"]: r for r in figure_rows(comparison.get("candidate"))}
    theirs = {r["percent"]: r for r in figure_rows(comparison["active"].get("metrics"))}
    return [{"percent": p, "candidate": mine.get(p), "active": theirs.get(p)}
            for p in PERCENTS]


@login_required
@require_GET
def model_list(request):
    versions = list(versions_for(request.user))
    for v in versions:
        v.figures = figure_rows(v.metrics)
    can_train = can_train_models(request.user) and request.user.unit_id is not None
    trainings = list(ModelTraining.objects.filter(
        unit_id__in=visible_unit_ids(request.user)).select_related("unit", "requested_by",
                                                                  "version")[:5])
    return render(request, "risk/model_list.html", {
        "versions": versions, "percents": PERCENTS, "can_train": can_train,
        "train_form": TrainForm(), "trainings": trainings,
        "training_open": any(t.open for t in trainings)})


@login_required
@require_POST
def model_train(request):
    if not can_train_models(request.user) or request.user.unit is None:
        raise DjangoPermissionDenied(_("Your role does not allow training models."))
    form = TrainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Train on 30 to 3650 days of history."))
        return redirect("model_versions")
    try:
        training = do_request_training(acting_user=request.user, unit=request.user.unit,
                                       days=form.cleaned_data["days"])
    except PortControlError as exc:
        messages.error(request, exc.message)
        return redirect("model_versions")
    if training.status == ModelTraining.Status.DONE:
        messages.success(request, _("Model version %(label)s trained and saved as a draft. "
                                    "Compare its figures, then submit it for approval.")
                         % {"label": training.version.label})
        return redirect("model_version", pk=training.version_id)
    if training.status == ModelTraining.Status.FAILED:
        messages.error(request, training.error)
    else:
        messages.info(request, _("Training has started in the background. This page shows "
                                 "the new version when it is ready."))
    return redirect("model_versions")


@login_required
@require_GET
def model_detail(request, pk: int):
    version = get_object_or_404(versions_for(request.user), pk=pk)
    active = (versions_for(request.user).filter(unit_id=version.unit_id,
                                                status=ModelVersion.Status.ACTIVE)
              .exclude(pk=version.pk).first())
    compared_with = (version.comparison or {}).get("active", {}).get("id")
    open_ = version.status in (ModelVersion.Status.DRAFT, ModelVersion.Status.PENDING)
    user = request.user
    return render(request, "risk/model_detail.html", {
        "version": version, "figures": figure_rows(version.metrics), "active": active,
        "comparison": version.comparison,
        "comparison_rows": comparison_rows(version.comparison),
        "comparison_stale": open_ and active is not None and compared_with != active.pk,
        "decision_form": DecisionForm(),
        "can_write": can_train_models(user),
        "can_approve": can_approve_models(user)
        and user.pk not in (version.created_by_id, version.submitted_by_id),
        "can_retire": can_approve_models(user), "few_finds": FEW_HOLDOUT_FINDS})


def _act(request, pk: int, action) -> Any:
    version = get_object_or_404(versions_for(request.user), pk=pk)
    try:
        action(version)
    except PortControlError as exc:
        messages.error(request, exc.message)
    return redirect("model_version", pk=version.pk)


@login_required
@require_POST
def model_submit(request, pk: int):
    return _act(request, pk, lambda v: do_submit_model_version(acting_user=request.user,
                                                               version=v))


@login_required
@require_POST
def model_decide(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    return _act(request, pk, lambda v: do_decide_model_version(
        acting_user=request.user, version=v, approve=approve, note=note))


@login_required
@require_POST
def model_retire(request, pk: int):
    note = request.POST.get("note", "")
    return _act(request, pk, lambda v: do_retire_model_version(acting_user=request.user,
                                                               version=v, note=note))


@login_required
@require_POST
def model_compare(request, pk: int):
    return _act(request, pk, lambda v: do_compare_model_version(acting_user=request.user,
                                                                version=v))
