"""`/__admin`: health, reset, state, fixtures, request journal, coverage, override rules,
background work, webhook deliveries, contained failures, contracts, and each API module's
own calls under `/__admin/<api>/`.

Each call is a small handler of its own, listed in `ROUTES`; the sandbox is the app's
state. A call that cannot be carried out raises `AdminError`, which the app renders.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..engine import jsonio
from ..engine.contract.files import served_contract
from ..engine.errors import OverrideError
from ..engine.sizes import PARSE_OFF_LOOP_BYTES
from ..engine.state.failures import ADMIN
from ..fixture_files import FixtureError, parse_fixture
from ..sandbox import Sandbox
from .errors import AdminError, admin_exception_handlers
from .event_sources import events, task_entry
from .events import EventHub
from .front import FailureKeeper
from .health import health
from .state_browser import api_state, collection_state
from .ui import asset, page
from .journal_routes import coverage, journal_entry, requests

CALLS = "see GET /__admin/health and the README"


def admin_app(sandbox: Sandbox, keep_failure: FailureKeeper, events: EventHub) -> Starlette:
    """The admin API as a Starlette application (mounted at `/__admin`); an exception a call
    did not expect is kept by ``keep_failure`` and answered as a JSON 500; ``events`` is
    where its event stream reads."""
    app = Starlette(routes=[*_api_admin_routes(sandbox), *ROUTES], exception_handlers=admin_exception_handlers(CALLS, keep_failure))
    app.state.sandbox = sandbox
    app.state.events = events
    app.state.journal = sandbox.journal
    app.state.contracts = lambda: {name: api.runtime.contract for name, api in sandbox.apis.items()}
    return app


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _selected_apis(request: Request) -> list[str]:
    """The API `?api=` names (404 for one not served), or every API served."""
    sandbox = _sandbox(request)
    api = request.query_params.get("api")
    if api is None:
        return list(sandbox.apis)
    if api not in sandbox.apis:
        raise AdminError(404, f"unknown API {api!r}; served: {', '.join(sandbox.apis)}")
    return [api]


async def _parsed(data: bytes, source: str) -> dict[str, Any]:
    """A fixture or state document (a large one parsed on a worker thread)."""
    if len(data) > PARSE_OFF_LOOP_BYTES:
        return await asyncio.to_thread(parse_fixture, data, source)
    return parse_fixture(data, source)


async def reset(request: Request) -> JSONResponse:
    """POST: the selected APIs back to their start-up state."""
    apis = _selected_apis(request)
    _sandbox(request).reset(apis)
    return JSONResponse({"reset": apis})


async def get_state(request: Request) -> JSONResponse:
    """GET: the selected APIs' state, as a fixture document."""
    return JSONResponse(_sandbox(request).export_state(_selected_apis(request)))


async def put_state(request: Request) -> JSONResponse:
    """PUT: import a state export (all of it, or nothing)."""
    try:
        document = await _parsed(await request.body(), "state")
        _sandbox(request).replace_state(document)
    except FixtureError as error:
        raise AdminError(400, str(error)) from None
    return JSONResponse({"loaded": sorted(document)})


async def fixtures(request: Request) -> JSONResponse:
    """POST: add a fixture document to the state (all of it, or nothing)."""
    try:
        loaded = _sandbox(request).load_fixture(await _parsed(await request.body(), "fixture"))
    except FixtureError as error:
        raise AdminError(400, str(error)) from None
    return JSONResponse({"loaded": loaded})


async def list_overrides(request: Request) -> JSONResponse:
    """GET: the override rules of the selected APIs."""
    listed = [rule.to_json() for rule in _sandbox(request).overrides.listed(_selected_apis(request))]
    return JSONResponse({"count": len(listed), "overrides": listed})


async def add_override(request: Request) -> JSONResponse:
    """POST: check a rule and start applying it."""
    _selected_apis(request)
    try:
        data = jsonio.loads(await request.body())
    except ValueError as problem:
        raise AdminError(400, f"a rule is a JSON object: {problem}") from None
    try:
        rule = _sandbox(request).add_override(data)
    except OverrideError as problem:
        raise AdminError(problem.status, str(problem)) from None
    return JSONResponse(rule.to_json(), status_code=201)


async def clear_overrides(request: Request) -> Response:
    """DELETE: forget the override rules of the selected APIs."""
    _sandbox(request).clear_overrides(_selected_apis(request))
    return Response(status_code=204)


async def get_override(request: Request) -> JSONResponse:
    """GET: one override rule."""
    return JSONResponse(_override(request).to_json())


async def remove_override(request: Request) -> Response:
    """DELETE: stop applying one override rule."""
    _sandbox(request).remove_override(_override(request).id)
    return Response(status_code=204)


async def turn_override(request: Request) -> JSONResponse:
    """PATCH `{"enabled": false}`: turn a rule off (its counts stay, it acts on nothing);
    `{"enabled": true}` turns it on again."""
    rule = _override(request)
    try:
        data = jsonio.loads(await request.body())
    except ValueError as problem:
        raise AdminError(400, f'send a JSON object such as {{"enabled": false}}: {problem}') from None
    if not isinstance(data, dict):
        raise AdminError(400, 'send a JSON object such as {"enabled": false}')
    unknown = sorted(str(name) for name in data if name != "enabled")
    if unknown:
        raise AdminError(400, f"{unknown[0]}: only enabled can be changed on a rule (remove it and add it again)")
    if not isinstance(data.get("enabled"), bool):
        raise AdminError(400, "enabled: must be true or false")
    _sandbox(request).turn_override(rule.id, data["enabled"])
    return JSONResponse(rule.to_json())


def _override(request: Request) -> Any:
    rule_id = request.path_params["id"]
    rule = _sandbox(request).overrides.find(rule_id)
    if rule is None:
        raise AdminError(404, f"no override rule {rule_id!r}")
    return rule


async def run_jobs(request: Request) -> JSONResponse:
    """POST: finish the selected APIs' queued tasks and hand over their pending deliveries now."""
    apis = _selected_apis(request)
    return JSONResponse({"finished": await _sandbox(request).run_pending(apis)})


async def tasks(request: Request) -> JSONResponse:
    """GET: the selected APIs' background tasks and their progress."""
    sandbox = _sandbox(request)
    listed = [
        task_entry(name, task)
        for name in _selected_apis(request)
        for task in sandbox.apis[name].runtime.tasks.tasks.values()
    ]
    return JSONResponse({"count": len(listed), "tasks": listed})


async def webhooks(request: Request) -> JSONResponse:
    """GET: the selected APIs' webhook deliveries (`?event=`, `?target=` narrow them)."""
    sandbox = _sandbox(request)
    params = request.query_params
    deliveries = [
        delivery.to_json()
        for name in _selected_apis(request)
        for delivery in sandbox.apis[name].runtime.outbox.select(event=params.get("event"), target=params.get("target"))
    ]
    return JSONResponse({"count": len(deliveries), "deliveries": deliveries})


async def retry_webhook(request: Request) -> JSONResponse:
    """POST: send a recorded delivery again now (one more round of attempts); 202 with the
    delivery, whose attempts list the new one once it ends."""
    delivery_id = request.path_params["id"]
    for api in _sandbox(request).apis.values():
        delivery = api.runtime.outbox.retry(delivery_id)
        if delivery is not None:
            return JSONResponse(delivery.to_json(), status_code=202)
    raise AdminError(404, f"no webhook delivery {delivery_id!r} (GET /__admin/webhooks lists them)")


def _failure_apis(request: Request) -> list[str] | None:
    """The APIs `?api=` names for the failure log (an API, or `admin`), or None for all."""
    wanted = request.query_params.get("api")
    if wanted == ADMIN:
        return [ADMIN]
    return _selected_apis(request) if wanted is not None else None


async def list_errors(request: Request) -> JSONResponse:
    """GET: the failures the sandbox contained (listeners, task steps, 500s of the APIs and
    of the admin API), oldest first; `?api=` takes an API, or `admin`."""
    listed = [failure.to_json() for failure in _sandbox(request).failures.select(_failure_apis(request))]
    return JSONResponse({"count": len(listed), "errors": listed})


async def clear_errors(request: Request) -> Response:
    """DELETE: forget the contained failures (of `?api=`)."""
    _sandbox(request).failures.clear(_failure_apis(request))
    return Response(status_code=204)


async def contract(request: Request) -> JSONResponse:
    """GET: one API's contract as it is served (its `servers` at its mount)."""
    sandbox = _sandbox(request)
    name = request.path_params["api"]
    api = sandbox.apis.get(name)
    if api is None:
        raise AdminError(404, f"unknown API {name!r}; served: {', '.join(sandbox.apis)}")
    return JSONResponse(served_contract(api.runtime.contract.document, sandbox.config.mount_of(name)))


ROUTES: list[BaseRoute] = [
    Route("/health", health, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/state", get_state, methods=["GET"]),
    Route("/state", put_state, methods=["PUT"]),
    Route("/state/{api}", api_state, methods=["GET"]),
    Route("/state/{api}/{account}", collection_state, methods=["GET"]),  # answers 404 naming what is missing
    Route("/state/{api}/{account}/{collection:path}", collection_state, methods=["GET"]),
    Route("/fixtures", fixtures, methods=["POST"]),
    Route("/requests", requests, methods=["GET", "DELETE"]),
    Route("/requests/{sequence}", journal_entry, methods=["GET"]),
    Route("/coverage", coverage, methods=["GET"]),
    Route("/overrides", list_overrides, methods=["GET"]),
    Route("/overrides", add_override, methods=["POST"]),
    Route("/overrides", clear_overrides, methods=["DELETE"]),
    Route("/overrides/{id}", get_override, methods=["GET"]),
    Route("/overrides/{id}", remove_override, methods=["DELETE"]),
    Route("/overrides/{id}", turn_override, methods=["PATCH"]),
    Route("/jobs/run", run_jobs, methods=["POST"]),
    Route("/tasks", tasks, methods=["GET"]),
    Route("/webhooks", webhooks, methods=["GET"]),
    Route("/webhooks/{id}/retry", retry_webhook, methods=["POST"]),
    Route("/errors", list_errors, methods=["GET"]),
    Route("/errors", clear_errors, methods=["DELETE"]),
    Route("/contracts/{api}", contract, methods=["GET"]),
    Route("/events", events, methods=["GET"]),
    Route("/ui", page, methods=["GET"]),
    Route("/ui/{asset:path}", asset, methods=["GET"]),
]


def _api_admin_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """Each API module's own admin calls, under `/__admin/<api>/...`."""
    return [
        Mount(f"/{name}", routes=routes)
        for name, api in sandbox.apis.items()
        if (routes := api.vendor.admin_routes(api.runtime))
    ]
