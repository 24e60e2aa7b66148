"""Error pages: JSON in the API's error shape under /api/, HTML elsewhere."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portcontrol.api.errors import error_body


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return render(request, "web/error.html", {"title": _("Not found"),
                  "text": _("This page does not exist or you may not see it.")}, status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Internal error; it has been logged."),
                            status=500)
    return render(request, "web/error.html", {"title": _("Something went wrong"),
                  "text": _("The error has been logged. Nothing you entered was lost.")},
                  status=500)
