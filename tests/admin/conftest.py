"""The sandbox in-process behind an httpx client, for the inspector's admin calls."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.config import ServerConfig

FROZEN = "2026-01-02T03:04:05.678Z"
AFOSTO = {"Authorization": "Bearer demo-afosto-token"}


@asynccontextmanager
async def admin_client(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh sandbox (frozen clock unless said otherwise); `client.app` is the app."""
    app = create_app(ServerConfig(**{"frozen_time": FROZEN, **settings}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        client.app = app  # type: ignore[attr-defined]
        try:
            yield client
        finally:
            await app.sandbox.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client() as client:
        yield client
