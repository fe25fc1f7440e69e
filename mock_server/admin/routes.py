"""`/__admin`: health, reset, state, fixtures, request journal, coverage, contracts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..engine.contracts import served_contract
from ..fixtures import FixtureError, apply_fixture, export_state, parse_fixture

if TYPE_CHECKING:
    from ..app import Sandbox


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def admin_app(sandbox: "Sandbox") -> Starlette:
    """The admin API as a Starlette application (mounted at `/__admin`)."""

    def selected_apis(request: Request) -> list[str] | JSONResponse:
        api = request.query_params.get("api")
        if api is None:
            return list(sandbox.runtimes)
        if api not in sandbox.runtimes:
            return _error(404, f"unknown API {api!r}; served: {', '.join(sandbox.runtimes)}")
        return [api]

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "apis": {
                    api: {
                        "mount": sandbox.config.mount_of(api) or "/",
                        "operations": len(runtime.contract.operations),
                        "accounts": len(runtime.accounts),
                    }
                    for api, runtime in sandbox.runtimes.items()
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
        return JSONResponse(export_state({api: sandbox.runtimes[api] for api in apis}))

    async def put_state(request: Request) -> JSONResponse:
        try:
            document = parse_fixture(await request.body(), "state")
            sandbox.replace_state(document)
        except FixtureError as error:
            return _error(400, str(error))
        return JSONResponse({"loaded": sorted(document)})

    async def fixtures(request: Request) -> JSONResponse:
        try:
            document = parse_fixture(await request.body(), "fixture")
            loaded = apply_fixture(sandbox.runtimes, document)
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
        for api, runtime in sandbox.runtimes.items():
            operations = {}
            never = []
            for operation_id, operation in runtime.contract.operations.items():
                statuses = sandbox.journal.statuses.get((api, operation_id), {})
                calls = sum(statuses.values())
                operations[operation_id] = {
                    "method": operation.method,
                    "path": operation.path,
                    "calls": calls,
                    "statuses": {str(code): count for code, count in sorted(statuses.items())},
                }
                if not calls:
                    never.append(operation_id)
            called = len(operations) - len(never)
            report[api] = {
                "operations": len(operations),
                "called": called,
                "neverCalled": never,
                "byOperation": operations,
            }
        return JSONResponse(report)

    async def run_jobs(request: Request) -> JSONResponse:
        apis = selected_apis(request)
        if isinstance(apis, JSONResponse):
            return apis
        finished = {api: sandbox.runtimes[api].vendor.run_pending() for api in apis}
        for api in apis:
            sandbox.runtimes[api].answers.invalidate()
        return JSONResponse({"finished": finished})

    async def contract(request: Request) -> JSONResponse:
        api = request.path_params["api"]
        runtime = sandbox.runtimes.get(api)
        if runtime is None:
            return _error(404, f"unknown API {api!r}; served: {', '.join(sandbox.runtimes)}")
        return JSONResponse(served_contract(runtime.contract.document, sandbox.config.mount_of(api)))

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
            Route("/contracts/{api}", contract, methods=["GET"]),
        ]
    )
