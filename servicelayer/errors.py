"""One error hierarchy for the service layer.

Every error carries a stable, machine-readable ``code``. ``node`` maps the classes to
HTTP statuses in one table; ``InvariantViolation`` marks a bug and is never caught.
Third-party errors are wrapped at the adapter that calls the library.
"""

from __future__ import annotations


class ServiceLayerError(Exception):
    code = "service_layer_error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class NotFound(ServiceLayerError):
    code = "not_found"


class Conflict(ServiceLayerError):
    code = "conflict"


class InvalidInput(ServiceLayerError):
    code = "invalid_input"


class Unauthorized(ServiceLayerError):
    code = "unauthorized"


class Forbidden(ServiceLayerError):
    """Signed in, but not as the account the request is about (HTTP 403)."""

    code = "forbidden"


class LedgerUnavailable(ServiceLayerError):
    code = "ledger_unavailable"


class RateLimited(ServiceLayerError):
    """Too many requests from one account or client address; retry after ``retry_after``
    seconds (HTTP 429 with ``Retry-After``)."""

    code = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConfigError(ServiceLayerError):
    code = "config_error"


class InvariantViolation(Exception):
    """A bug: an invariant of the system does not hold. Never caught."""
