"""Pages: today's targets with their reasons; rules drafted, backtested, approved, retired."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portcontrol.core.errors import PortControlError
from portcontrol.engine.rules import fields_by_kind

from . import queries
from .actions import (
    do_backtest_rule,
    do_decide_rule,
    do_retire_rule,
    do_save_rule,
    do_submit_rule,
    try_rule,
)
from .actions_settings import (
    ADVISED_EXPLORATION,
    can_change_settings,
    do_update_selection_settings,
    random_picks,
    settings_for,
)
from .forms import BacktestForm, DayForm, DecisionForm, RuleForm, SelectionSettingsForm

UPCOMING_DAYS = 7


@login_required
@require_GET
def targets(request):
    form = DayForm(request.GET or None)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    # Without a day: the pre-arrival queue, ships due from today to a week ahead.
    since = day or timezone.localdate()
    until = day or since + timedelta(days=UPCOMING_DAYS)
    unit = request.user.unit
    settings = settings_for(unit) if unit is not None and unit.ports else None
    return render(request, "risk/targets.html", {
        "form": form, "since": since, "until": until,
        "assessments": queries.targets(request.user, since, until), "settings": settings,
        "random_picks": random_picks(settings) if settings else None,
        "undeclared": queries.undeclared_on_board(request.user, since, until)})


@login_required
@require_http_methods(["GET", "POST"])
def selection_settings(request):
    """The user's unit's daily capacity and random share: supervisors change them, the
    unit's other members read them. A user without a unit, or whose unit has no port (a
    headquarters), has none to show."""
    unit = request.user.unit
    if unit is None or not unit.ports:
        raise Http404("No unit with a port.")
    settings = settings_for(unit)
    may_change = can_change_settings(request.user, unit)
    if request.method == "POST" and not may_change:
        raise DjangoPermissionDenied(_("Only a supervisor of the unit can change its "
                                       "selection settings."))
    form = SelectionSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_selection_settings(acting_user=request.user, unit=unit,
                                         **{f: form.cleaned_data[f] for f in form.Meta.fields})
        except PortControlError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Selection settings saved; the next scoring uses "
                                        "them."))
            return redirect("selection_settings")
    # as stored: validating a bound form wrote its values onto `settings`
    shown = settings_for(unit) if form.is_bound else settings
    return render(request, "risk/selection_settings.html", {
        "unit": unit, "settings": shown, "random_picks": random_picks(shown), "form": form,
        "can_change": may_change, "advised": ADVISED_EXPLORATION},
        status=400 if form.errors else 200)


@login_required
@require_GET
def rule_list(request):
    return render(request, "risk/rules.html", {
        "rules": queries.rules_for(request.user),
        "can_write": queries.can_write_rules(request.user)})


def _form_error(form, exc: PortControlError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = get_object_or_404(queries.rules_for(request.user), pk=pk) if pk else None
    if not queries.can_write_rules(request.user) or request.user.unit is None:
        raise DjangoPermissionDenied(_("Your role does not allow writing rules."))
    form = RuleForm(request.POST or None, instance=rule)
    days_form = BacktestForm(request.POST if "try" in request.POST else None)
    unit = rule.unit if rule else request.user.unit
    trial = None
    if request.method == "POST" and "try" in request.POST:
        # backtest the rule as written, without saving it
        if form.is_valid() and days_form.is_valid():
            data = {name: form.cleaned_data[name] for name in RuleForm.Meta.fields}
            try:
                trial = try_rule(acting_user=request.user, unit=unit, data=data,
                                 days=days_form.cleaned_data["days"])
            except PortControlError as exc:
                _form_error(days_form if exc.field == "days" else form, exc)
        return render(request, "risk/rule_edit.html", {
            "form": form, "rule": rule, "days_form": days_form, "trial": trial,
            "rule_fields": _rule_fields()}, status=200 if trial is not None else 400)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in RuleForm.Meta.fields}
        try:
            saved = do_save_rule(acting_user=request.user, unit=unit, data=data, rule=rule)
        except PortControlError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Rule saved as a draft. Backtest it before submitting."))
            return redirect("rule_detail", pk=saved.pk)
    return render(request, "risk/rule_edit.html", {"form": form, "rule": rule,
                                                   "days_form": days_form,
                                                   "rule_fields": _rule_fields()},
                  status=400 if request.method == "POST" else 200)


def _rule_fields() -> list[tuple[str, list[str]]]:
    """The fields a rule may name, per kind of value, headed in the reader's language."""
    headings = {"number": pgettext("kind of value", "Numbers"),
                "text": pgettext("kind of value", "Text"),
                "true/false": pgettext("kind of value", "Yes or no"),
                "date": pgettext("kind of value", "Dates")}
    return [(headings[kind], names) for kind, names in fields_by_kind().items() if names]


@login_required
@require_GET
def rule_detail(request, pk: int):
    rule = get_object_or_404(queries.rules_for(request.user), pk=pk)
    return render(request, "risk/rule.html", {
        "rule": rule, "backtest_form": BacktestForm(), "decision_form": DecisionForm(),
        "can_write": queries.can_write_rules(request.user),
        "can_approve": queries.can_approve_rules(request.user)
        and rule.created_by_id != request.user.pk})


def _act(request, pk: int, action) -> object:
    rule = get_object_or_404(queries.rules_for(request.user), pk=pk)
    try:
        action(rule)
    except PortControlError as exc:
        messages.error(request, exc.message)
    return redirect("rule_detail", pk=rule.pk)


@login_required
@require_POST
def rule_backtest(request, pk: int):
    form = BacktestForm(request.POST)
    days = form.cleaned_data["days"] if form.is_valid() else 90
    return _act(request, pk, lambda rule: do_backtest_rule(acting_user=request.user, rule=rule,
                                                            days=days))


@login_required
@require_POST
def rule_submit(request, pk: int):
    return _act(request, pk, lambda rule: do_submit_rule(acting_user=request.user, rule=rule))


@login_required
@require_POST
def rule_decide(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    return _act(request, pk, lambda rule: do_decide_rule(acting_user=request.user, rule=rule,
                                                          approve=approve, note=note))


@login_required
@require_POST
def rule_retire(request, pk: int):
    note = request.POST.get("note", "")
    return _act(request, pk, lambda rule: do_retire_rule(acting_user=request.user, rule=rule,
                                                          note=note))
