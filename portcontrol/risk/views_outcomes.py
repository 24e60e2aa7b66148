"""Page: a unit's inspection history. Everyone who sees the unit reads how many inspections
and finds are recorded (what the model, backtests and the hit-rate report learn from) and
downloads them as CSV; analysts and supervisors import past outcomes from a file
(risk.actions_outcomes, audited), an export corrected in a spreadsheet included."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.core.errors import PortControlError
from portcontrol.core.spreadsheet import as_text_cell

from .actions_outcomes import (
    ARRIVAL_WINDOW_DAYS,
    EXPORT_COLUMNS,
    MAX_REPORTED,
    can_import_outcomes,
    do_upload_outcomes,
    outcome_export_rows,
)
from .forms_outcomes import OutcomeUploadForm
from .models import Outcome

REPORT_KEY = "outcome-import-report"


def _may_import(user) -> bool:
    return user.unit_id is not None and can_import_outcomes(user) and \
        user.unit_id in visible_unit_ids(user)


def _render(request, form: OutcomeUploadForm, report: dict | None, status: int = 200):
    units = (Outcome.objects.filter(unit_id__in=visible_unit_ids(request.user))
             .values("unit__name").order_by("unit__name")
             .annotate(inspections=Count("id", filter=Q(inspected=True)),
                       finds=Count("id", filter=Q(inspected=True, seizure=True)),
                       last=Max("recorded_at")))
    return render(request, "risk/outcome_history.html", {
        "units": list(units), "form": form, "report": report,
        "can_import": _may_import(request.user), "window_days": ARRIVAL_WINDOW_DAYS,
        "max_upload_mb": settings.PORTCONTROL_MAX_UPLOAD_MB}, status=status)


@login_required
@require_GET
def outcome_history(request):
    return _render(request, OutcomeUploadForm(), request.session.pop(REPORT_KEY, None))


@login_required
@require_POST
def outcome_upload(request):
    if not _may_import(request.user):
        raise DjangoPermissionDenied(_("Your role does not allow recording inspection "
                                       "history."))
    form = OutcomeUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = do_upload_outcomes(acting_user=request.user, unit=request.user.unit,
                                        filename=upload.name or "upload", data=form.read())
        except PortControlError as exc:
            form.add_error("file", exc.message)
        else:
            shown = report.as_dict()
            shown["problems"] = [{"line": p.line, "field": p.field, "message": p.message}
                                 for p in report.problems[:MAX_REPORTED]]
            shown["problems_not_shown"] = max(report.rejected - MAX_REPORTED, 0)
            request.session[REPORT_KEY] = shown
            messages.success(request, _(
                "%(rows)s rows read: %(new)s outcomes recorded, %(updated)s corrected, "
                "%(unchanged)s already recorded, %(rejected)s rejected.") % shown)
            return redirect("outcome_history")
    return _render(request, form, None, status=400)


@login_required
@require_GET
def outcome_history_csv(request):
    """The recorded outcomes of the units the user sees, as a file the import reads back."""
    units = visible_unit_ids(request.user)
    if not units:
        raise Http404("No operational data for this role.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inspection-history.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    # voyage references come from the manifests: one that a spreadsheet would run is text
    writer.writerows([as_text_cell(v) for v in row] for row in outcome_export_rows(units))
    return response
