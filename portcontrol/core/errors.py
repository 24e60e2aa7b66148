"""The domain error hierarchy. Every layer raises these; the web and API layers map them to
HTTP responses in one place (portcontrol.api.errors and the page views)."""

from __future__ import annotations


class PortControlError(Exception):
    """Base of every error PortControl raises on purpose.

    `message` is English (what str() and as_dict() give); `message_ru`, when given, is the
    same in Russian for the officers who read it ("" when there is none).
    """

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 message_ru: str = ""):
        super().__init__(message)
        self.message = message
        self.message_ru = message_ru
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidValue(PortControlError):
    """A value that does not have the form its field requires (bad check digit, unknown code)."""

    code = "invalid"


class NotFound(PortControlError):
    code = "not_found"
    http_status = 404


class PermissionDenied(PortControlError):
    code = "forbidden"
    http_status = 403


class ConfigurationError(PortControlError):
    """The installation is misconfigured (settings, reference data missing)."""

    code = "configuration"
    http_status = 500


class UploadTooLarge(InvalidValue):
    """A file larger than the installation accepts (PORTCONTROL_MAX_UPLOAD_MB)."""

    code = "too_large"
    http_status = 413
