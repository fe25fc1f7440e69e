"""`GET /__admin/health`: whether the server runs, what it serves, which inspector panels
apply to it, and (to a caller the admin token lets in) the settings that explain its
behaviour.

Health stays readable without the token (container health checks, and the inspector reads
its panels before it knows the token); the settings then stay out of it, because the seed
with a frozen clock tells how tokens are made."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..version import __version__
from ..config import ServerConfig
from ..sandbox import Sandbox
from .guard import bearer_matches

SANDBOX_PANELS = ("overview", "requests", "state", "tasks", "webhooks", "coverage", "overrides")
PROXY_PANELS = ("requests", "coverage", "drift")


def may_see_settings(request: Request, admin_token: str | None) -> bool:
    """Whether the caller may read settings: no token is set, or it sent the token."""
    if admin_token is None:
        return True
    return bearer_matches(request.headers.get("authorization", "").encode("latin-1"), admin_token)


def sandbox_settings(config: ServerConfig) -> dict[str, Any]:
    """The settings the inspector's overview explains behaviour with (never the token)."""
    return {
        "seed": config.seed,
        "jobDelay": config.job_delay,
        "webhookTimeout": config.webhook_timeout,
        "webhookAttempts": config.webhook_attempts,
        "chaos": config.chaos,
        "frozenTime": config.frozen_time,
        "adminToken": config.admin_token is not None,
        "allowHttpHooks": config.allow_http_hooks,
        "tokenTtl": config.token_ttl,
    }


async def health(request: Request) -> JSONResponse:
    """GET: each API's mount, operations and accounts, how long the sandbox has run, the
    inspector's panels and the version; the settings too for a caller the token lets in."""
    sandbox: Sandbox = request.app.state.sandbox
    config = sandbox.config
    apis = {
        name: {
            "mount": config.mount_of(name) or "/",
            "operations": len(api.runtime.contract.operations),
            "accounts": len(api.runtime.accounts),
        }
        for name, api in sandbox.apis.items()
    }
    answer: dict[str, Any] = {
        "status": "ok",
        "server": "sandbox",
        "version": __version__,
        "panels": list(SANDBOX_PANELS),
        "apis": apis,
        "uptimeSeconds": round(time.monotonic() - sandbox.started, 3),
    }
    if may_see_settings(request, config.admin_token):
        answer["settings"] = sandbox_settings(config)
    return JSONResponse(answer)
