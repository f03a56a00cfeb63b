"""Refusals (``shared.refusals``) and every other error, rendered as RFC 9457
``application/problem+json`` in English and Vietnamese."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.http.fields import field_error
from shared.refusals import N_, AppError, FieldError, TooManyRequests

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ocop.vn/problems/"

log = logging.getLogger(__name__)


class BodyTooLarge(StarletteHTTPException):
    """A body that passed its cap while arriving. An HTTPException, so FastAPI's body
    parsing lets it through to the problem+json handler instead of calling it a parse
    error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit:,} bytes.")
        self.limit = limit

    def refusal(self) -> AppError:
        size = (f"{self.limit / 2**20:.0f} MB" if self.limit >= 2**20
                else f"{-(-self.limit // 1024)} KB")
        return AppError(N_("The request body is too large: at most %(size)s here."),
                        code="too-large", status=413, size=size)


def problem(status: int, code: str, message: str, message_vi: str | None = None,
            errors: list[FieldError] | None = None, instance: str | None = None,
            extensions: Mapping[str, object] | None = None,
            problem_type: str | None = None) -> JSONResponse:
    """``extensions``: members beside the standard ones (RFC 9457 §3.2); ``problem_type``:
    the type URI a standard names, instead of the platform's own for ``code``."""
    body: dict[str, Any] = {**(extensions or {}),
        "type": problem_type or PROBLEM_TYPE_BASE + code,
        "title": message,
        "status": status,
        "detail": message,
    }
    if message_vi:
        body["detail_vi"] = message_vi
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def refused(refusal: AppError, instance: str | None = None) -> JSONResponse:
    """``refusal`` as problem+json: its message in English and Vietnamese."""
    return problem(refusal.status, refusal.code, refusal.message, refusal.message_vi,
                   refusal.errors, instance, refusal.extensions, refusal.problem_type)


def _field_path(loc: tuple[Any, ...]) -> str:
    # ("body", "subject", "name") -> "subject.name"; the location kind is noise to a person.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of ``app`` as problem+json; never leak internals on a 500."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = refused(exc, request.url.path)
        if isinstance(exc, TooManyRequests) and exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [field_error(_field_path(tuple(e.get("loc", ()))), e) for e in exc.errors()]
        return refused(AppError(N_("Some fields are invalid; see 'errors' for each field and "
                                   "the reason."), code="invalid-input", status=422,
                                errors=errors), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: N_("No such resource."), 405: N_("This method is not allowed here.")}
        if isinstance(exc, BodyTooLarge):
            return refused(exc.refusal(), request.url.path)
        code = f"http-{exc.status_code}"
        if exc.status_code in messages:
            return refused(AppError(messages[exc.status_code], code=code,
                                    status=exc.status_code), request.url.path)
        # Starlette's own detail, not a catalog message: shown as written
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail),
                       instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return refused(AppError(N_("Something went wrong on our side; nothing was changed. "
                                   "Try again later."), code="internal", status=500),
                       request.url.path)
