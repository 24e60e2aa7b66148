"""Pages: the hit-rate report of a unit over a period, on screen and as CSV (risk.reports).

A unit role sees its own unit, a national coordinator chooses among the units of their
country; a unit the user may not see is a 404, and a role without operational data (the
programme administrator) gets no figures."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portcontrol.accounts.models import Unit, User
from portcontrol.accounts.scoping import visible_unit_ids

from .forms_reports import HitRateForm
from .reports import HitRateReport, hit_rate_report

DEFAULT_DAYS = 30
CSV_HEADER = ["unit", "since", "until", "measure", "value"]


def _units(user: User) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=visible_unit_ids(user)).order_by("name"))


def _form(request, units: list[Unit]) -> HitRateForm:
    """The request's choice over defaults: the user's own unit when it works a port (a
    national coordinator's headquarters does not: then the first visible unit that does;
    else the first visible one) and the last 30 days."""
    today = timezone.localdate()
    own = next((u for u in units if u.pk == request.user.unit_id and u.ports), None) or next(
        (u for u in units if u.ports), units[0])
    data = {"unit": own.pk, "since": today - timedelta(days=DEFAULT_DAYS - 1), "until": today}
    data.update({k: v for k, v in request.GET.items() if k in data and v})
    return HitRateForm(data, units=units)


def _chosen(request) -> tuple[HitRateForm | None, Unit | None]:
    """The bound form and its unit; 404 when the request names a unit the user may not see."""
    units = _units(request.user)
    if not units:
        return None, None
    form = _form(request, units)
    if not form.is_valid():
        if "unit" in form.errors:
            raise Http404("No such unit.")
        return form, None
    return form, next(u for u in units if u.pk == form.cleaned_data["unit"])


def _percent(value: float | None) -> float | None:
    return None if value is None else 100.0 * value


def _rows(report: HitRateReport) -> list[dict]:
    return [{"key": key, "label": label, "group": group, "rate": _percent(group.hit_rate)}
            for key, label, group in (
                ("risk", _("Selected by risk"), report.risk),
                ("random", _("Selected at random"), report.random),
                ("selected", _("All selected"), report.selected),
                ("not_selected", _("Not selected (green)"), report.not_selected))]


@login_required
@require_GET
def report_hit_rate(request):
    form, unit = _chosen(request)
    context: dict = {"form": form, "unit": unit, "report": None}
    if unit is not None:
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        report = hit_rate_report([unit.pk], since, until)
        context.update(report=report, rows=_rows(report),
                       naive=_percent(report.risk.hit_rate),
                       ipw=_percent(report.ipw.ht_rate),
                       hajek=_percent(report.ipw.hajek_rate),
                       query=f"unit={unit.pk}&since={since.isoformat()}"
                             f"&until={until.isoformat()}")
    status = 400 if form is not None and form.errors else 200
    return render(request, "risk/report_hit_rate.html", context, status=status)


@login_required
@require_GET
def report_hit_rate_csv(request):
    form, unit = _chosen(request)
    if form is None:
        raise Http404("No operational data for this role.")
    if unit is None:
        return HttpResponse("; ".join(f"{field}: {' '.join(errors)}"
                                      for field, errors in form.errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    report = hit_rate_report([unit.pk], since, until)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="hit-rate-{unit.code}-'
                                       f'{since.isoformat()}-{until.isoformat()}.csv"')
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for measure, value in report.measures():
        writer.writerow([unit.code, since.isoformat(), until.isoformat(), measure, value])
    return response
