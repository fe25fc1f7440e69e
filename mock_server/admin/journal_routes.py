"""`/__admin/requests` and `/__admin/coverage`: what the request journal shows, shared by
the sandbox's admin API and the validating proxy's. Both read the app's state: `journal`
(the request journal) and `contracts` (a function giving the compiled contracts by API)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..engine import jsonio
from ..engine.tools.coverage import coverage_report
from ..engine.tools.journal import NO_PREDICATE
from .errors import AdminError


async def requests(request: Request) -> Response:
    """GET: the journal, filtered by api, method, path (prefix), status, operation, body
    (a JSON predicate, see `engine/behaviour/matching.py`) and note (`override`, `chaos`,
    `drift`); DELETE: empty it."""
    journal = request.app.state.journal
    if request.method == "DELETE":
        journal.clear()
        return Response(status_code=204)
    params = request.query_params
    status = params.get("status")
    if status is not None and not status.isdigit():
        raise AdminError(400, "status must be a number")
    body: Any = NO_PREDICATE
    if params.get("body") is not None:
        try:
            body = jsonio.loads(params["body"])
        except ValueError as problem:
            raise AdminError(400, f"body must be JSON, e.g. body={{\"eventName\": \"contact_created\"}}: {problem}") from None
    entries = journal.select(
        api=params.get("api"), method=params.get("method"), path=params.get("path"),
        status=int(status) if status else None, operation=params.get("operation"), body=body,
        note=params.get("note"),
    )
    return JSONResponse({"count": len(entries), "requests": [entry.to_json() for entry in entries]})


async def coverage(request: Request) -> Response:
    """GET: per API and operation, the calls by status code, the documented status codes
    not seen yet, the operations never called, and the share covered."""
    state = request.app.state
    return JSONResponse(coverage_report(state.contracts(), state.journal.statuses))
