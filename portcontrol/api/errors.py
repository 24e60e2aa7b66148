"""One JSON error shape for the whole API: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from portcontrol.core.errors import PortControlError


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    body = {"code": code, "message": message, "field": field}
    body.update(extra)
    return {"error": body}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(PortControlError)
    def domain_error(request, exc: PortControlError):
        return api.create_response(request, error_body(exc.code, exc.message, exc.field),
                                   status=exc.http_status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        details = [{"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg")}
                   for e in exc.errors]
        first = details[0] if details else {"field": None, "message": "Invalid request."}
        return api.create_response(
            request, error_body("invalid", str(first["message"]), first["field"],
                                details=details), status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, error_body("unauthenticated", "Log in or send a valid API token "
                                "(Authorization: Bearer …)."), status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", "Not found."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, error_body("http_error", str(exc)),
                                   status=exc.status_code)
