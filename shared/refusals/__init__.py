"""Refusals: errors a caller can act on. Each carries a code, an English message with named
parameters (``%(name)s``) and the HTTP status it maps to; the message is the catalog's id
(``shared.i18n``), so the words a person reads are rendered where the refusal leaves the
platform — the problem+json answer (``shared.refusals.http``: English and Vietnamese), a page, the
command line — in the reader's language. Plain exceptions, so domain models raise them
without depending on the web framework.

Where a refusal is raised, its message is marked for ``pybabel extract`` with ``N_``::

    raise NotFound(N_("No product %(product)s."), product=product_id)

A parameter that is itself a word to translate (a stage's name) is given as ``Term(...)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.i18n import N_, Term, words
from shared.i18n.language import LANGUAGES

__all__ = [
    "N_",
    "AppError",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "Refusal",
    "ServiceUnavailable",
    "Term",
    "TooManyRequests",
    "Unauthorized",
    "invalid",
]


def _said(message: str, params: Mapping[str, object], lang: str) -> str:
    return words(lang).gettext(message, **params)


@dataclass(frozen=True)
class FieldError:
    """One input field that was refused, and why: a catalog message (``template``) and its
    parameters. ``from_elsewhere`` marks a reason written by a library (a validation
    error), which is not in the catalog and is shown as written."""

    field: str
    template: str
    # dataclasses.field: the name ``field`` is this class's first attribute
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    from_elsewhere: bool = False

    def text(self, lang: str) -> str:
        """The reason in ``lang``, its parameters filled in."""
        return self.template if self.from_elsewhere else _said(self.template, self.params, lang)

    @property
    def message(self) -> str:
        return self.text("en")

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.text("en")}
        if not self.from_elsewhere:
            out["message_vi"] = self.text("vi")
        return out


class AppError(Exception):
    """An error the caller can fix; ``status`` decides the HTTP code. ``extensions``: what
    the problem+json answer carries beside its standard members, structured for a program
    to read (an import's refused rows); empty for most refusals."""

    extensions: Mapping[str, object] = MappingProxyType({})
    problem_type: str | None = None
    """The problem type URI a standard names for this refusal (EPCIS 2.0's
    ``epcisException:QueryParameterException``); otherwise the platform's own, by code."""

    def __init__(self, message: str, code: str = "error", status: int = 400,
                 errors: list[FieldError] | None = None, **params: object) -> None:
        self.template = message
        self.params: dict[str, object] = params
        self.code = code
        self.status = status
        self.errors: list[FieldError] = errors or []
        super().__init__(self.message)

    def text(self, lang: str) -> str:
        """The message in ``lang``, its parameters filled in."""
        return _said(self.template, self.params, lang)

    def in_every_language(self) -> dict[str, str]:
        return {lang: self.text(lang) for lang in LANGUAGES}

    @property
    def message(self) -> str:
        return self.text("en")

    @property
    def message_vi(self) -> str:
        return self.text("vi")

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt field by field: a worker process raises refusals too, and the default
        # (the class called with ``args``) does not fit these constructors.
        return _rebuilt, (type(self), dict(vars(self)))


def _rebuilt(kind: type[AppError], state: dict[str, object]) -> AppError:
    error = kind.__new__(kind)
    vars(error).update(state)
    Exception.__init__(error, error.message)
    return error


class Refusal(AppError):
    """A refusal with its HTTP status (``STATUS``) and the code it carries unless it names a
    more precise one: the kinds below differ only in these two."""

    STATUS = 400
    CODE = "error"

    def __init__(self, message: str, *, code: str | None = None,
                 errors: list[FieldError] | None = None, **params: object) -> None:
        super().__init__(message, code or self.CODE, self.STATUS, errors, **params)


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


_FIELD = N_("%(field)s: %(reason)s")


def invalid(field: str, message: str, **params: object) -> BadRequest:
    """One field refused: ``message`` (a catalog message, with ``params``) says what to
    give instead."""
    error = FieldError(field, message, params)
    return BadRequest(_FIELD, code="invalid-field", errors=[error], field=field,
                      reason=Term(message, params))
