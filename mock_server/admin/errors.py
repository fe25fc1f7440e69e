"""Errors of the admin API, raised where they are found and rendered in one place: every
refused admin call answers `{"error": message}` with its status."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from .front import FailureKeeper, failure_handler

ExceptionHandler = Callable[[Request, Exception], Awaitable[JSONResponse]]


class AdminError(Exception):
    """An admin call refused: its status and a message naming what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def admin_exception_handlers(calls: str, keep_failure: FailureKeeper) -> dict[Any, ExceptionHandler]:
    """The exception handlers of an admin app: an `AdminError`, or Starlette's own refusal (a
    path with no admin call, which ``calls`` then lists, or a method it does not take),
    rendered as `{"error": ...}`; any other exception kept by ``keep_failure`` and
    answered as a JSON 500."""

    async def refused(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, HTTPException):
            message = f"no admin call at {request.url.path}; {calls}" if error.status_code == 404 else error.detail
            error = AdminError(error.status_code, message)
        assert isinstance(error, AdminError)
        return JSONResponse({"error": error.message}, status_code=error.status)

    return {AdminError: refused, HTTPException: refused, Exception: failure_handler(keep_failure)}
