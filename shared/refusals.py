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

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt field by field: a worker process raises refusals too, and the default
        # (the class called with ``args``) does not fit these constructors.
        return _rebuilt, (type(self), dict(vars(self)))


def _rebuilt(kind: type[AppError], state: dict[str, object]) -> AppError:
    error = kind.__new__(kind)
    vars(error).update(state)
    Exception.__init__(error, state["message"])
    return error


class Refusal(AppError):
    """A refusal with its HTTP status (``STATUS``) and the code it carries unless it names a
    more precise one: the kinds below differ only in these two."""

    STATUS = 400
    CODE = "error"

    def __init__(self, message: str, message_vi: str, *, code: str | None = None,
                 errors: list[FieldError] | None = None) -> None:
        super().__init__(message, message_vi, code or self.CODE, self.STATUS, errors or [])


class BadRequest(Refusal):
    STATUS, CODE = 400, "bad-request"


class NotFound(Refusal):
    STATUS, CODE = 404, "not-found"


class Conflict(Refusal):
    STATUS, CODE = 409, "conflict"


class Unauthorized(Refusal):
    STATUS, CODE = 401, "unauthorized"


class Forbidden(Refusal):
    STATUS, CODE = 403, "forbidden"


class TooManyRequests(Refusal):
    """``retry_after`` (seconds), when known, is sent as the Retry-After header."""

    STATUS, CODE = 429, "too-many-requests"
    retry_after: int | None = None


class ServiceUnavailable(Refusal):
    STATUS, CODE = 503, "unavailable"


def invalid(field: str, message: str, message_vi: str) -> BadRequest:
    """One field refused: ``message`` says what to give instead."""
    return BadRequest(f"{field}: {message}", f"{field}: {message_vi}", code="invalid-field",
                      errors=[FieldError(field, message, message_vi)])
