"""Refusals: errors a caller can act on, each with an English and a Vietnamese message (the
people who read them — provincial officers, producers, channel integrators — read one or
the other) and the HTTP status they map to. Plain exceptions, so domain models raise them
without depending on the web framework; ``shared.errors`` renders them as problem+json."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One input field that was refused, and why."""

    field: str
    message: str
    message_vi: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message}
        if self.message_vi:
            out["message_vi"] = self.message_vi
        return out


@dataclass
class AppError(Exception):
    """An error the caller can fix; ``status`` decides the HTTP code."""

    message: str
    message_vi: str
    code: str = "error"
    status: int = 400
    errors: list[FieldError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class BadRequest(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "bad-request",
                 errors: list[FieldError] | None = None) -> None:
        super().__init__(message, message_vi, code, 400, errors or [])


class NotFound(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "not-found") -> None:
        super().__init__(message, message_vi, code, 404)


class Conflict(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "conflict") -> None:
        super().__init__(message, message_vi, code, 409)


class Unauthorized(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "unauthorized") -> None:
        super().__init__(message, message_vi, code, 401)


class Forbidden(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "forbidden") -> None:
        super().__init__(message, message_vi, code, 403)


class TooManyRequests(AppError):
    """``retry_after`` (seconds), when known, is sent as the Retry-After header."""

    retry_after: int | None = None

    def __init__(self, message: str, message_vi: str, *, code: str = "too-many-requests"
                 ) -> None:
        super().__init__(message, message_vi, code, 429)


class ServiceUnavailable(AppError):
    def __init__(self, message: str, message_vi: str, *, code: str = "unavailable") -> None:
        super().__init__(message, message_vi, code, 503)
