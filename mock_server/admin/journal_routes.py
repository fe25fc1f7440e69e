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
    """GET: the journal, oldest first, filtered by api, method, path (prefix), status,
    operation, body (a JSON predicate, see `engine/behaviour/matching.py`) and note
    (`override`, `chaos`, `drift`, `errors`); `after=<sequence>` keeps newer entries only
    and `limit=<n>` the first n of them (without `after`: the newest n); `latest` is the
    highest sequence kept. DELETE: empty it."""
    journal = request.app.state.journal
    if request.method == "DELETE":
        journal.clear()
        return Response(status_code=204)
    params = request.query_params
    status = _whole_number(params, "status")
    after = _whole_number(params, "after")
    limit = _whole_number(params, "limit")
    if limit == 0:
        raise AdminError(400, "limit must be 1 or more")
    body: Any = NO_PREDICATE
    if params.get("body") is not None:
        try:
            body = jsonio.loads(params["body"])
        except ValueError as problem:
            raise AdminError(400, f"body must be JSON, e.g. body={{\"eventName\": \"contact_created\"}}: {problem}") from None
    entries = journal.select(
        api=params.get("api"), method=params.get("method"), path=params.get("path"), status=status,
        operation=params.get("operation"), body=body, note=params.get("note"), after=after,
    )
    if limit is not None:
        entries = entries[:limit] if after is not None else entries[-limit:]
    return JSONResponse(
        {"count": len(entries), "latest": journal.latest, "requests": [entry.to_json() for entry in entries]}
    )


async def journal_entry(request: Request) -> Response:
    """GET: one journal entry by its sequence (404 once it is no longer kept)."""
    text = request.path_params["sequence"]
    if not text.isdigit():
        raise AdminError(400, f"sequence must be a number, not {text!r}")
    entry = request.app.state.journal.find(int(text))
    if entry is None:
        raise AdminError(404, f"the journal keeps no request {text} (GET /__admin/requests lists those kept)")
    return JSONResponse(entry.to_json())


def _whole_number(params: Any, name: str) -> int | None:
    """A query parameter that must be a whole number (0 or more), or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise AdminError(400, f"{name} must be a whole number, not {value!r}")
    return int(value)


async def coverage(request: Request) -> Response:
    """GET: per API and operation, the calls by status code, the documented status codes
    not seen yet, the operations never called, and the share covered."""
    state = request.app.state
    return JSONResponse(coverage_report(state.contracts(), state.journal.statuses))
