"""Pages of the workbench shell: search and the container page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from portcontrol.accounts.scoping import can_see_operational_data
from portcontrol.ingest import queries as intake_queries
from portcontrol.ingest.models import StowageDiscrepancy
from portcontrol.manifests import queries
from portcontrol.risk.models import Assessment
from portcontrol.risk.queries import localized_reasons


@login_required
@require_GET
def home(request):
    return redirect("search")


@login_required
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()
    result = queries.search_containers(request.user, query) if query else None
    unmanifested = []
    if result is not None and not result.error:
        # a box on board that no manifest declares has no container record: say so here
        unmanifested = list(intake_queries.discrepancies_for(
            request.user, kind=StowageDiscrepancy.Kind.NOT_MANIFESTED).filter(
            container_number__startswith=result.query)[:20])
    return render(request, "web/search.html", {
        "query": query,
        "result": result,
        "unmanifested": unmanifested,
        "recent": None if query else queries.recent_voyages(request.user),
        "can_see": can_see_operational_data(request.user),
    })


@login_required
@require_GET
def container_detail(request, pk: int):
    container = get_object_or_404(queries.containers_for(request.user), pk=pk)
    context = queries.container_context(container)
    assessment = Assessment.objects.filter(container=container).first()
    context.update(assessment=assessment,
                   reasons=localized_reasons(assessment.reasons) if assessment else [],
                   stowage=list(StowageDiscrepancy.objects.filter(
                       voyage_id=container.voyage_id, container_number=container.number)))
    return render(request, "web/container.html", context)


@require_GET
def health(request):
    """For load balancers and operators: no login, no operational data."""
    from portcontrol.reference.models import ReferenceDataset

    try:
        datasets = sorted(ReferenceDataset.objects.values_list("name", flat=True))
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    status = "ok" if datasets else "degraded"
    return JsonResponse({"status": status, "database": "ok", "reference_data": datasets,
                         "node": settings.PORTCONTROL_NODE},
                        status=200 if datasets else 503)
