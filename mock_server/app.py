"""Assembles the ASGI application from the configuration."""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .config import ServerConfig
from .engine.contracts import default_contracts_dir, load_contract, served_contract


class Sandbox:
    """The running sandbox: its configuration, contracts and start time."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        contracts_dir = config.contracts_dir or default_contracts_dir()
        self.contracts = {api: load_contract(contracts_dir, api) for api in config.apis}

    def operation_count(self, api: str) -> int:
        return sum(
            1
            for item in self.contracts[api]["paths"].values()
            for method in item
            if method in ("get", "put", "post", "delete", "patch", "head", "options")
        )


def create_app(config: ServerConfig | None = None, **overrides: Any) -> Starlette:
    """The ASGI app for a configuration (or the defaults with ``overrides``).

    For in-process tests: ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()))``.
    """
    config = config or ServerConfig.from_env(**overrides)
    sandbox = Sandbox(config)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "apis": {
                    api: {"mount": config.mount_of(api) or "/", "operations": sandbox.operation_count(api)}
                    for api in config.apis
                },
                "uptimeSeconds": round(time.monotonic() - sandbox.started, 3),
            }
        )

    async def contract(request: Request) -> JSONResponse:
        api = request.path_params["api"]
        if api not in sandbox.contracts:
            return JSONResponse({"error": f"unknown API {api!r}; served: {', '.join(config.apis)}"}, status_code=404)
        return JSONResponse(served_contract(sandbox.contracts[api], config.mount_of(api)))

    app = Starlette(
        routes=[
            Route("/__admin/health", health),
            Route("/__admin/contracts/{api}", contract),
        ]
    )
    app.state.sandbox = sandbox
    return app
