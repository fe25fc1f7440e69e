"""`/__admin`: health, reset, state, fixtures, request journal, coverage, override rules,
background work, webhook deliveries, contained failures, contracts, and each API module's
own calls under `/__admin/<api>/`."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..engine import jsonio
from ..engine.contract.files import served_contract
from ..engine.sizes import PARSE_OFF_LOOP_BYTES  # documents this large are parsed on a worker thread
from ..engine.state.failures import ADMIN
from ..engine.tools.override_rules import OverrideError
from ..fixtures import FixtureError, parse_fixture
from ..sandbox import Sandbox
from .front import FailureKeeper, failure_handler
from .journal_routes import coverage_endpoint
from .journal_routes import error as _error
from .journal_routes import requests_endpoint


async def _parsed(data: bytes, source: str) -> dict[str, Any]:
    if len(data) > PARSE_OFF_LOOP_BYTES:
        return await asyncio.to_thread(parse_fixture, data, source)
    return parse_fixture(data, source)


def admin_app(sandbox: Sandbox, keep_failure: FailureKeeper) -> Starlette:
    """The admin API as a Starlette application (mounted at `/__admin`); an exception a call
    did not expect is kept by ``keep_failure`` and answered as a JSON 500."""

    def selected_apis(request: Request) -> list[str] | JSONResponse:
        api = request.query_params.get("api")
        if api is None:
            return list(sandbox.apis)
        if api not in sandbox.apis:
            return _error(404, f"unknown API {api!r}; served: {', '.join(sandbox.apis)}")
        return [api]

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "apis": {
                    name: {
                        "mount": sandbox.config.mount_of(name) or "/",
                        "operations": len(api.runtime.contract.operations),
                        "accounts": len(api.runtime.accounts),
                    }
                    for name, api in sandbox.apis.items()
                },
                "uptimeSeconds": round(time.monotonic() - sandbox.started, 3),
            }
        )

    async def reset(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        sandbox.reset(apis)
        return JSONResponse({"reset": apis})

    async def get_state(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        return JSONResponse(sandbox.export_state(apis))

    async def put_state(request: Request) -> JSONResponse:
        try:
            document = await _parsed(await request.body(), "state")
            sandbox.replace_state(document)
        except FixtureError as error:
            return _error(400, str(error))
        return JSONResponse({"loaded": sorted(document)})

    async def fixtures(request: Request) -> JSONResponse:
        try:
            loaded = sandbox.load_fixture(await _parsed(await request.body(), "fixture"))
        except FixtureError as error:
            return _error(400, str(error))
        return JSONResponse({"loaded": loaded})

    async def overrides(request: Request) -> Response:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        if request.method == "DELETE":
            sandbox.clear_overrides(apis)
            return Response(status_code=204)
        if request.method == "POST":
            try:
                data = jsonio.loads(await request.body())
            except ValueError as problem:
                return _error(400, f"a rule is a JSON object: {problem}")
            try:
                rule = sandbox.add_override(data)
            except OverrideError as problem:
                return _error(problem.status, str(problem))
            return JSONResponse(rule.to_json(), status_code=201)
        listed = [rule.to_json() for rule in sandbox.overrides.listed(apis)]
        return JSONResponse({"count": len(listed), "overrides": listed})

    async def override(request: Request) -> Response:
        rule_id = request.path_params["id"]
        rule = sandbox.overrides.find(rule_id)
        if rule is None:
            return _error(404, f"no override rule {rule_id!r}")
        if request.method == "DELETE":
            sandbox.remove_override(rule_id)
            return Response(status_code=204)
        return JSONResponse(rule.to_json())

    async def run_jobs(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        return JSONResponse({"finished": await sandbox.run_pending(apis)})

    async def tasks(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        listed = [
            {"api": name, **task.to_state(), "progress": task.progress}
            for name in apis
            for task in sandbox.apis[name].runtime.tasks.tasks.values()
        ]
        return JSONResponse({"count": len(listed), "tasks": listed})

    async def webhooks(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        params = request.query_params
        deliveries = [
            delivery.to_json()
            for name in apis
            for delivery in sandbox.apis[name].runtime.outbox.select(
                event=params.get("event"), target=params.get("target")
            )
        ]
        return JSONResponse({"count": len(deliveries), "deliveries": deliveries})

    async def errors(request: Request) -> Response:
        """GET: the failures the sandbox contained (listeners, task steps, 500s of the APIs
        and of the admin API), oldest first; DELETE: forget them. Both take `?api=` (an API,
        or `admin`)."""
        wanted = request.query_params.get("api")
        apis: list[str] | None = None
        if wanted == ADMIN:
            apis = [ADMIN]
        elif wanted is not None:
            selected = selected_apis(request)
            if isinstance(selected, JSONResponse):
                return selected
            apis = selected
        if request.method == "DELETE":
            sandbox.failures.clear(apis)
            return Response(status_code=204)
        listed = [failure.to_json() for failure in sandbox.failures.select(apis)]
        return JSONResponse({"count": len(listed), "errors": listed})

    async def contract(request: Request) -> JSONResponse:
        name = request.path_params["api"]
        api = sandbox.apis.get(name)
        if api is None:
            return _error(404, f"unknown API {name!r}; served: {', '.join(sandbox.apis)}")
        return JSONResponse(served_contract(api.runtime.contract.document, sandbox.config.mount_of(name)))

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        if error.status_code == 404:
            return _error(404, f"no admin call at {request.url.path}; see GET /__admin/health and the README")
        return _error(error.status_code, error.detail)

    return Starlette(
        routes=[
            *_api_admin_routes(sandbox),
            Route("/health", health, methods=["GET"]),
            Route("/reset", reset, methods=["POST"]),
            Route("/state", get_state, methods=["GET"]),
            Route("/state", put_state, methods=["PUT"]),
            Route("/fixtures", fixtures, methods=["POST"]),
            Route("/requests", requests_endpoint(sandbox.journal), methods=["GET", "DELETE"]),
            Route("/coverage", coverage_endpoint(lambda: {name: api.runtime.contract for name, api in sandbox.apis.items()}, sandbox.journal), methods=["GET"]),
            Route("/overrides", overrides, methods=["GET", "POST", "DELETE"]),
            Route("/overrides/{id}", override, methods=["GET", "DELETE"]),
            Route("/jobs/run", run_jobs, methods=["POST"]),
            Route("/tasks", tasks, methods=["GET"]),
            Route("/webhooks", webhooks, methods=["GET"]),
            Route("/errors", errors, methods=["GET", "DELETE"]),
            Route("/contracts/{api}", contract, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: failure_handler(keep_failure)},
    )


def _api_admin_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """Each API module's own admin calls, under `/__admin/<api>/...`."""
    return [
        Mount(f"/{name}", routes=routes)
        for name, api in sandbox.apis.items()
        if (routes := api.vendor.admin_routes(api.runtime))
    ]
