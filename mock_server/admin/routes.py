"""`/__admin`: health, reset, state, fixtures, request journal, coverage, background work,
webhook deliveries, contracts."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..engine.contracts import served_contract
from ..fixtures import FixtureError, parse_fixture
from ..sandbox import Sandbox


# Documents larger than this are parsed on a worker thread, so the APIs keep answering.
PARSE_OFF_LOOP_BYTES = 1024 * 1024


async def _parsed(data: bytes, source: str) -> dict[str, Any]:
    if len(data) > PARSE_OFF_LOOP_BYTES:
        return await asyncio.to_thread(parse_fixture, data, source)
    return parse_fixture(data, source)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def admin_app(sandbox: Sandbox) -> Starlette:
    """The admin API as a Starlette application (mounted at `/__admin`)."""

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

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            sandbox.journal.clear()
            return Response(status_code=204)
        params = request.query_params
        status = params.get("status")
        if status is not None and not status.isdigit():
            return _error(400, "status must be a number")
        entries = sandbox.journal.select(
            api=params.get("api"), method=params.get("method"), path=params.get("path"),
            status=int(status) if status else None,
        )
        return JSONResponse({"count": len(entries), "requests": [entry.to_json() for entry in entries]})

    async def coverage(request: Request) -> JSONResponse:
        report: dict[str, Any] = {}
        for name, api in sandbox.apis.items():
            operations = {}
            never = []
            for operation_id, operation in api.runtime.contract.operations.items():
                statuses = sandbox.journal.statuses.get((name, operation_id), {})
                calls = sum(statuses.values())
                operations[operation_id] = {
                    "method": operation.method,
                    "path": operation.path,
                    "calls": calls,
                    "statuses": {str(code): count for code, count in sorted(statuses.items())},
                }
                if not calls:
                    never.append(operation_id)
            report[name] = {
                "operations": len(operations),
                "called": len(operations) - len(never),
                "neverCalled": never,
                "byOperation": operations,
            }
        return JSONResponse(report)

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
            Route("/health", health, methods=["GET"]),
            Route("/reset", reset, methods=["POST"]),
            Route("/state", get_state, methods=["GET"]),
            Route("/state", put_state, methods=["PUT"]),
            Route("/fixtures", fixtures, methods=["POST"]),
            Route("/requests", requests, methods=["GET", "DELETE"]),
            Route("/coverage", coverage, methods=["GET"]),
            Route("/jobs/run", run_jobs, methods=["POST"]),
            Route("/tasks", tasks, methods=["GET"]),
            Route("/webhooks", webhooks, methods=["GET"]),
            Route("/contracts/{api}", contract, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )
