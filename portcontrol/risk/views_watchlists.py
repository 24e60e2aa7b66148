"""Pages: a unit's watchlists. Every role that sees the unit lists them and browses their
entries; analysts and supervisors upload a new list, replace a list's entries or delete it
(risk.actions_watchlists, audited). Another country's list is a 404 like any record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portcontrol.accounts.models import Unit, User
from portcontrol.accounts.scoping import scope, visible_unit_ids
from portcontrol.core.errors import PortControlError

from .actions_watchlists import (ImportReport, can_manage_watchlists, do_delete_watchlist,
                                 do_upload_watchlist)
from .forms_watchlists import (WatchlistDeleteForm, WatchlistReplaceForm, WatchlistSearchForm,
                               WatchlistUploadForm)
from .models import Watchlist, WatchlistEntry

PAGE_SIZE = 50
KIND_LABELS = {
    "company": gettext_lazy("company"), "person": gettext_lazy("person"),
    "vessel": gettext_lazy("vessel"), "container": gettext_lazy("container"),
    "address": gettext_lazy("address"),
}


def _report_key(pk: int) -> str:
    return f"watchlist-report-{pk}"


def watchlists_for(user: User) -> QuerySet[Watchlist]:
    return scope(Watchlist.objects.select_related("unit", "created_by", "imported_by"), user)


def _may_manage(user: User, unit: Unit | None) -> bool:
    return unit is not None and can_manage_watchlists(user) and \
        unit.pk in visible_unit_ids(user)


def _require_manage(user: User, unit: Unit | None) -> None:
    if not _may_manage(user, unit):
        raise DjangoPermissionDenied(_("Your role does not allow changing watchlists."))


def _upload_form(request, data=None, files=None) -> WatchlistUploadForm:
    unit_id = request.user.unit_id
    names = Watchlist.objects.filter(unit_id=unit_id).values_list("name", flat=True) \
        if unit_id else []
    return WatchlistUploadForm(data, files, existing_names=list(names))


def _render_list(request, form: WatchlistUploadForm, report: ImportReport | None = None,
                 status: int = 200):
    return render(request, "risk/watchlist_list.html", {
        "watchlists": list(watchlists_for(request.user)), "form": form, "report": report,
        "can_manage": _may_manage(request.user, request.user.unit),
        "max_upload_mb": settings.PORTCONTROL_MAX_UPLOAD_MB}, status=status)


def _form_error(form, exc: PortControlError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _import(request, form, unit: Unit, name: str) -> ImportReport | None:
    """Run the upload; on success remember the report for the list's page and say so."""
    upload = form.cleaned_data["file"]
    try:
        report = do_upload_watchlist(acting_user=request.user, unit=unit, name=name,
                                     filename=upload.name or "upload", data=form.read())
    except PortControlError as exc:
        _form_error(form, exc)
        return None
    if not report.stored:
        form.add_error("file", _("No row of the file could be loaded, so nothing was stored "
                                 "and the unit's lists are unchanged. The reasons are below."))
        return report
    request.session[_report_key(report.watchlist_id)] = report.as_dict()
    messages.success(request, _("%(accepted)s entries loaded into the list %(name)s; "
                                "%(rejected)s rows rejected.") % {
        "accepted": report.accepted, "name": report.name, "rejected": report.rejected})
    return report


@login_required
@require_GET
def watchlist_list(request):
    return _render_list(request, _upload_form(request))


@login_required
@require_POST
def watchlist_upload(request):
    _require_manage(request.user, request.user.unit)
    form = _upload_form(request, request.POST, request.FILES)
    report = None
    if form.is_valid():
        report = _import(request, form, request.user.unit, form.cleaned_data["name"])
        if report is not None and report.stored:
            return redirect("watchlist_detail", pk=report.watchlist_id)
    return _render_list(request, form, report, status=400)


def _entries_page(request, watchlist: Watchlist, query: str) -> Any:
    """A page of the list's entries, those matching `query` when one is given: a substring
    of an id, a name or alias, a container or IMO number, or a country code, in any case and
    any script (matched here rather than in SQL, where JSON text escapes non-Latin letters on
    SQLite)."""
    rows = WatchlistEntry.objects.filter(watchlist=watchlist).order_by("pk")
    if not query:
        return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    needle = query.casefold()
    matched = [pk for pk, entry_id, *lists in rows.values_list(
        "pk", "entry_id", "names", "container_numbers", "imo_numbers", "countries")
        .iterator(chunk_size=5000)
        if needle in entry_id.casefold() or needle in _folded(lists)]
    page = Paginator(matched, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(WatchlistEntry.objects.filter(pk__in=page.object_list)
                            .order_by("pk"))
    return page


def _folded(lists: list[list[str]]) -> str:
    # One string per entry; "\x00" keeps a match from spanning two values.
    return "\x00".join(v.casefold() for values in lists for v in values or ())


def _render_detail(request, watchlist: Watchlist, form: WatchlistReplaceForm,
                   report: ImportReport | None = None, status: int = 200):
    search = WatchlistSearchForm(request.GET if request.method == "GET" else None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = _entries_page(request, watchlist, query)
    for entry in page.object_list:
        entry.kind_label = KIND_LABELS.get(entry.kind, entry.kind)
    return render(request, "risk/watchlist_detail.html", {
        "watchlist": watchlist, "form": form, "delete_form": WatchlistDeleteForm(),
        "report": report, "search": search,
        "query": query, "page": page, "can_manage": _may_manage(request.user, watchlist.unit),
        "max_upload_mb": settings.PORTCONTROL_MAX_UPLOAD_MB}, status=status)


@login_required
@require_GET
def watchlist_detail(request, pk: int):
    watchlist = get_object_or_404(watchlists_for(request.user), pk=pk)
    saved = request.session.pop(_report_key(watchlist.pk), None)
    report = ImportReport(**saved) if saved else None
    return _render_detail(request, watchlist, WatchlistReplaceForm(), report)


@login_required
@require_POST
def watchlist_replace(request, pk: int):
    watchlist = get_object_or_404(watchlists_for(request.user), pk=pk)
    _require_manage(request.user, watchlist.unit)
    form = WatchlistReplaceForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        report = _import(request, form, watchlist.unit, watchlist.name)
        if report is not None and report.stored:
            return redirect("watchlist_detail", pk=watchlist.pk)
    return _render_detail(request, watchlist, form, report, status=400)


@login_required
@require_POST
def watchlist_delete(request, pk: int):
    watchlist = get_object_or_404(watchlists_for(request.user), pk=pk)
    _require_manage(request.user, watchlist.unit)
    form = WatchlistDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the list is to be deleted."))
        return redirect("watchlist_detail", pk=watchlist.pk)
    name = watchlist.name
    do_delete_watchlist(acting_user=request.user, watchlist=watchlist)
    messages.success(request, _("The list %(name)s was deleted.") % {"name": name})
    return redirect("watchlists")
