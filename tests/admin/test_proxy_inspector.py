"""The validating proxy's admin API as the inspector reads it: health with its panels,
journal reads by sequence, the page, and the event stream."""

from __future__ import annotations

import httpx
import pytest

from mock_server.proxy.app import ProxyConfig, ValidatingProxy
from tests.live import live_server
from tests.receiver import refused_port

from .sse import EventReader


def _proxy(**settings) -> ValidatingProxy:
    return ValidatingProxy(ProxyConfig(api="casavi", upstream=f"http://127.0.0.1:{refused_port()}", **settings))


@pytest.fixture
async def client():
    proxy = _proxy()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://localhost") as client:
        yield client


async def test_health_names_the_proxy_and_its_panels(client: httpx.AsyncClient):
    answer = (await client.get("/__admin/health")).json()
    assert answer["server"] == "proxy" and answer["panels"] == ["requests", "coverage", "drift"]
    assert answer["version"] and answer["apis"]["casavi"]["mount"] == "/"
    assert answer["settings"]["adminToken"] is False


async def test_health_keeps_the_settings_from_callers_without_the_token():
    proxy = _proxy(admin_token="tkn")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://localhost") as client:
        assert "settings" not in (await client.get("/__admin/health")).json()
        allowed = await client.get("/__admin/health", headers={"Authorization": "Bearer tkn"})
        assert allowed.json()["settings"]["adminToken"] is True and "tkn" not in allowed.text


async def test_journal_reads_by_sequence(client: httpx.AsyncClient):
    for _ in range(3):
        assert (await client.get("/contacts")).status_code == 502
    answer = (await client.get("/__admin/requests", params={"after": 1, "limit": 1})).json()
    assert [entry["sequence"] for entry in answer["requests"]] == [2] and answer["latest"] == 3
    assert (await client.get("/__admin/requests/3")).json()["status"] == 502
    assert (await client.get("/__admin/requests/4")).status_code == 404


async def test_the_page_is_served_by_the_proxy(client: httpx.AsyncClient):
    page = await client.get("/__admin/ui")
    assert page.status_code == 200 and "content-security-policy" in page.headers
    assert (await client.get("/__admin/ui/panels/drift.js")).status_code == 200


def test_the_proxy_streams_its_requests():
    with live_server(_proxy()) as url:
        with EventReader(url) as reader:
            httpx.get(f"{url}/contacts")
            event = reader.wait_for("request")
    assert event.data["status"] == 502 and event.data["path"] == "/contacts"
