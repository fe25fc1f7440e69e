"""HTTP-level fixtures: the sandbox in-process behind an httpx client (a plugin of
`tests/conftest.py`, so every test folder has the `client` fixture)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.config import ServerConfig

FROZEN = "2026-01-02T03:04:05.678Z"
AFOSTO = {"Authorization": "Bearer demo-afosto-token"}
RELAY = {"Authorization": "Bearer demo-relay-key"}
GUID = "1e0abcb7-b94c-4072-a9c0-37072a1ef015"

SECOND_ACCOUNTS = {
    "casavi": {"accounts": [{"name": "other", "key": "other-key", "secret": "other-secret", "tenantId": 9}]},
    "afosto": {"accounts": [{"name": "other", "token": "other-afosto-token"}]},
    "relay": {"accounts": [{"name": "other", "apiKey": "other-relay-key", "accountId": 2}]},
    "messages": {
        "accounts": [
            {"name": "outsider", "token": "outsider-token", "accountId": 2001, "role": "partner"},
        ]
    },
}


@asynccontextmanager
async def sandbox_client(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    config = ServerConfig(**{"frozen_time": FROZEN, **settings})
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        client.app = app  # type: ignore[attr-defined]
        try:
            yield client
        finally:
            await app.sandbox.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox with the demo accounts plus a second account per API."""
    async with sandbox_client() as client:
        response = await client.post("/__admin/fixtures", json=SECOND_ACCOUNTS)
        assert response.status_code == 200, response.text
        yield client


async def casavi_headers(client: httpx.AsyncClient, key: str = "demo-key", secret: str = "demo-secret") -> dict[str, str]:
    response = await client.post("/casavi/authenticate", json={"key": key, "secret": secret})
    assert response.status_code == 200, response.text
    return {"token": response.json()["token"]}
