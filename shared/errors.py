"""Refusals (``shared.refusals``) and every other error, rendered as RFC 9457
``application/problem+json`` in English and Vietnamese."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.refusals import AppError, FieldError, TooManyRequests

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

    def messages(self) -> tuple[str, str]:
        size = (f"{self.limit / 2**20:.0f} MB" if self.limit >= 2**20
                else f"{-(-self.limit // 1024)} KB")
        return (f"The request body is too large: at most {size} here.",
                f"Dữ liệu gửi lên quá lớn: tối đa {size}.")


def problem(status: int, code: str, message: str, message_vi: str | None = None,
            errors: list[FieldError] | None = None, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
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


def _field_path(loc: tuple[Any, ...]) -> str:
    # ("body", "subject", "name") -> "subject.name"; the location kind is noise to a person.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of ``app`` as problem+json; never leak internals on a 500."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = problem(exc.status, exc.code, exc.message, exc.message_vi, exc.errors,
                           request.url.path)
        if isinstance(exc, TooManyRequests) and exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(_field_path(tuple(e.get("loc", ()))), str(e.get("msg", "")),
                             from_elsewhere=True) for e in exc.errors()]
        return problem(422, "invalid-input",
                       "Some fields are invalid; see 'errors' for each field and the reason.",
                       "Một số trường không hợp lệ; xem 'errors' để biết trường nào và lý do.",
                       errors, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: ("No such resource.", "Không tìm thấy tài nguyên."),
            405: ("This method is not allowed here.", "Phương thức này không được phép."),
        }
        if isinstance(exc, BodyTooLarge):
            return problem(413, "too-large", *exc.messages(), instance=request.url.path)
        en, vi = messages.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return problem(exc.status_code, f"http-{exc.status_code}", en, vi,
                       instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal",
                       "Something went wrong on our side; nothing was changed. Try again later.",
                       "Đã xảy ra lỗi phía hệ thống; chưa có gì thay đổi. Vui lòng thử lại sau.",
                       instance=request.url.path)
