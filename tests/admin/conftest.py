"""The sandbox in-process behind an httpx client, for the inspector's admin calls: a fresh
sandbox of the demo accounts only (frozen clock unless said otherwise)."""

from __future__ import annotations

from typing import AsyncIterator

import httpx
import pytest

from tests.http_sandbox import AFOSTO, FROZEN
from tests.http_sandbox import sandbox_client as admin_client

__all__ = ["AFOSTO", "FROZEN", "admin_client"]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client() as client:
        yield client
