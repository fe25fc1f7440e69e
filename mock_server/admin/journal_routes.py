"""`/__admin/requests` and `/__admin/coverage`: what the request journal shows, shared by
the sandbox's admin API and the validating proxy's."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..engine import jsonio
from ..engine.contract.operations import CompiledContract
from ..engine.tools.coverage import coverage_report
from ..engine.tools.journal import NO_PREDICATE, RequestJournal

Endpoint = Callable[[Request], Awaitable[Response]]


def error(status: int, message: str) -> JSONResponse:
    """An admin error answer: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status)


def requests_endpoint(journal: RequestJournal) -> Endpoint:
    """GET: the journal, filtered by api, method, path (prefix), status, operation, body
    (a JSON predicate, see `engine/behaviour/matching.py`) and note (`override`, `chaos`, `drift`);
    DELETE: empty it."""

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            journal.clear()
            return Response(status_code=204)
        params = request.query_params
        status = params.get("status")
        if status is not None and not status.isdigit():
            return error(400, "status must be a number")
        body: Any = NO_PREDICATE
        if params.get("body") is not None:
            try:
                body = jsonio.loads(params["body"])
            except ValueError as problem:
                return error(400, f"body must be JSON, e.g. body={{\"eventName\": \"contact_created\"}}: {problem}")
        entries = journal.select(
            api=params.get("api"), method=params.get("method"), path=params.get("path"),
            status=int(status) if status else None, operation=params.get("operation"), body=body,
            note=params.get("note"),
        )
        return JSONResponse({"count": len(entries), "requests": [entry.to_json() for entry in entries]})

    return requests


def coverage_endpoint(contracts: Callable[[], Mapping[str, CompiledContract]], journal: RequestJournal) -> Endpoint:
    """GET: per API and operation, the calls by status code, the documented status codes
    not seen yet, the operations never called, and the share covered."""

    async def coverage(request: Request) -> Response:
        return JSONResponse(coverage_report(contracts(), journal.statuses))

    return coverage
