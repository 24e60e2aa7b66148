"""Pages: upload manifests, follow a job, correct or discard quarantined records, see what
stowage plans say against the manifests."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portcontrol.core.errors import PortControlError
from portcontrol.core.spreadsheet import as_text_cell

from . import queries
from .actions import do_create_job, do_discard_quarantined, do_replay_quarantined, save_upload
from .forms import DiscardForm, ReplayForm, UploadForm
from .models import QuarantinedRecord, StowageDiscrepancy, StowagePlan
from .submit import submit_job


def _require_ingest(user) -> None:
    if not queries.can_ingest(user):
        raise DjangoPermissionDenied(_("Your role does not allow loading manifests."))


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    _require_ingest(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [save_upload(f.name, f.chunks()) for f in form.cleaned_data["files"]]
        try:
            job = do_create_job(files=files, door="web", acting_user=request.user,
                                unit_id=request.user.unit_id, fmt=form.cleaned_data["format"],
                                mapping=form.cleaned_data["mapping"],
                                profile=form.cleaned_data["profile"])
        except PortControlError as exc:
            form.add_error(None, exc.message)
        else:
            submit_job(job)
            return redirect("intake_job", pk=job.pk)
    return render(request, "ingest/upload.html", {
        "form": form, "jobs": queries.jobs_for(request.user)[:20],
        "pending": queries.quarantine_for(request.user).filter(
            status=QuarantinedRecord.Status.PENDING).count()})


@login_required
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(queries.jobs_for(request.user), pk=pk)
    polled = bool(request.headers.get("HX-Request"))
    template = "ingest/job_status.html" if polled else "ingest/job.html"
    response = render(request, template, {
        "job": job, "quarantined": job.quarantined.all()[:50],
        "plans": queries.plans_for(request.user).filter(job=job).annotate(
            found=Count("discrepancies"),
            superseded=Exists(StowagePlan.objects.filter(voyage_id=OuterRef("voyage_id"),
                                                        id__gt=OuterRef("id"))))})
    if polled and job.finished:
        # the job has just finished: the whole page again, with what only a finished job
        # has (its rejected records, its stowage plans)
        response["HX-Refresh"] = "true"
    return response


STOWAGE_ROWS = 500


def _stowage_rows(request) -> tuple[QuerySet[StowageDiscrepancy], str, str]:
    """The user's discrepancies with the page's filters (an unknown kind is no filter)."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in StowageDiscrepancy.Kind.values else ""
    voyage = request.GET.get("voyage", "").strip()[:40]
    return queries.discrepancies_for(request.user, kind=kind, voyage=voyage), kind, voyage


@login_required
@require_GET
def stowage(request):
    """What the stowage plans say against the manifests: boxes on board that no manifest
    declares, boxes declared but not on board, and plans still waiting for their manifest."""
    rows, kind, voyage = _stowage_rows(request)
    total = rows.count()
    return render(request, "ingest/stowage.html", {
        "rows": rows[:STOWAGE_ROWS], "total": total, "shown": min(total, STOWAGE_ROWS),
        "kind": kind, "voyage": voyage, "kinds": StowageDiscrepancy.Kind.choices,
        "waiting": queries.plans_for(request.user).filter(voyage__isnull=True)[:50]})


STOWAGE_CSV_HEADER = ["voyage", "container_number", "discrepancy", "mass_on_plan_kg",
                      "mass_declared_kg", "size_type_on_plan", "size_type_declared",
                      "stowage_plan_file", "plan_received_at"]
STOWAGE_CSV_ROWS = 100_000


@login_required
@require_GET
def stowage_csv(request):
    """The stowage page's discrepancies (same filters) as CSV, for the terminal or a report.
    A cell that a spreadsheet would run as a formula (a hostile box number on a plan) is
    written as text."""
    rows, _kind, _voyage = _stowage_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stowage-discrepancies.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(STOWAGE_CSV_HEADER)
    for d in rows[:STOWAGE_CSV_ROWS]:
        writer.writerow([as_text_cell(v) for v in (
            d.voyage_ref, d.container_number, d.kind, d.plan_mass_kg, d.declared_mass_kg,
            d.plan_size_type, d.declared_size_type, d.plan.source if d.plan else "",
            d.plan.received_at.isoformat() if d.plan else "")])
    return response



@login_required
@require_GET
def quarantine_list(request):
    status = request.GET.get("status", QuarantinedRecord.Status.PENDING)
    if status not in QuarantinedRecord.Status.values:
        status = QuarantinedRecord.Status.PENDING
    records = queries.quarantine_for(request.user).filter(status=status)[:200]
    return render(request, "ingest/quarantine.html", {
        "records": records, "status": status, "statuses": QuarantinedRecord.Status.choices})


@login_required
@require_GET
def quarantine_detail(request, pk: int):
    rec = get_object_or_404(queries.quarantine_for(request.user), pk=pk)
    return _render_record(request, rec, ReplayForm(initial={"record": rec.raw}), DiscardForm())


def _render_record(request, rec, replay_form, discard_form, status=200):
    return render(request, "ingest/record.html", {
        "rec": rec, "replay_form": replay_form, "discard_form": discard_form}, status=status)


@login_required
@require_POST
def quarantine_replay(request, pk: int):
    rec = get_object_or_404(queries.quarantine_for(request.user), pk=pk)
    form = ReplayForm(request.POST)
    if form.is_valid():
        try:
            remaining = do_replay_quarantined(rec=rec, corrected=form.cleaned_data["record"],
                                              acting_user=request.user)
        except PortControlError as exc:
            form.add_error(None, exc.message)
        else:
            if not remaining:
                messages.success(request, _("The corrected record was loaded."))
                return redirect("intake_quarantine")
            rec.refresh_from_db()
            form.add_error(None, _("The record still has errors; see the reasons below."))
    return _render_record(request, rec, form, DiscardForm(), status=400)


@login_required
@require_POST
def quarantine_discard(request, pk: int):
    rec = get_object_or_404(queries.quarantine_for(request.user), pk=pk)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            do_discard_quarantined(rec=rec, acting_user=request.user,
                                   reason=form.cleaned_data["reason"])
        except PortControlError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(request, _("The record was discarded."))
            return redirect("intake_quarantine")
    return _render_record(request, rec, ReplayForm(initial={"record": rec.raw}), form, 400)
