"""`--chaos RATE`: documented server errors and delays at random, repeatable under the seed."""

from __future__ import annotations

import pytest

from mock_server.config import ServerConfig
from mock_server.engine.tools import chaos
from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The delays chaos asks for, without waiting them out."""
    asked: list[float] = []

    async def no_wait(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(chaos.asyncio, "sleep", no_wait)
    return asked


async def _run(client, count: int = 12) -> list[dict]:
    for _ in range(count):
        await client.get("/afosto/cat/channels", headers=AFOSTO)
    return (await client.get("/__admin/requests", params={"operation": "listChannels"})).json()["requests"]


async def test_chaos_answers_documented_errors_or_delays_and_repeats_under_the_seed(waits):
    async with sandbox_client(chaos=1.0, seed=5) as client:
        entries = await _run(client)
        notes = [entry["chaos"] for entry in entries]
        errors = [entry for entry in entries if "status" in entry["chaos"]]
        delayed = [entry for entry in entries if "delay_ms" in entry["chaos"]]
        assert errors and delayed and len(errors) + len(delayed) == len(entries)
        for entry in errors:
            assert entry["status"] == entry["chaos"]["status"] and entry["status"] in (500, 503)
            assert '"code":%d' % entry["status"] in entry["response_body"]
        assert all(entry["status"] == 200 and 0 <= entry["chaos"]["delay_ms"] <= chaos.MAX_DELAY_MS for entry in delayed)
        assert [round(seconds * 1000, 3) for seconds in waits] == [entry["chaos"]["delay_ms"] for entry in delayed]
        await client.post("/__admin/reset")
        await client.delete("/__admin/requests")
        assert [entry["chaos"] for entry in await _run(client)] == notes  # reset starts the draws again
    async with sandbox_client(chaos=1.0, seed=5) as client:
        assert [entry["chaos"] for entry in await _run(client)] == notes
    async with sandbox_client(chaos=1.0, seed=6) as client:
        assert [entry["chaos"] for entry in await _run(client)] != notes


async def test_operations_without_documented_server_errors_only_get_delays(waits):
    async with sandbox_client(chaos=1.0) as client:
        headers = await casavi_headers(client)
        for _ in range(6):
            assert (await client.get("/casavi/contacts", headers=headers)).status_code == 200
        entries = (await client.get("/__admin/requests", params={"operation": "getListOfContacts"})).json()["requests"]
        assert all(set(entry["chaos"]) == {"delay_ms"} for entry in entries)


async def test_a_rate_disturbs_about_that_share_and_zero_adds_no_interceptor(waits):
    async with sandbox_client(chaos=0.25) as client:
        entries = await _run(client, 80)
        disturbed = sum(1 for entry in entries if "chaos" in entry)
        assert 8 <= disturbed <= 32
    async with sandbox_client() as client:
        assert all(pipeline.interceptors == [] for pipeline in client.app.pipelines.values())


def test_the_rate_is_a_share():
    with pytest.raises(ValueError, match="--chaos"):
        ServerConfig.from_env({}, chaos=1.5)
    assert ServerConfig.from_env({"MOCK_SERVER_CHAOS": "0.1"}).chaos == 0.1
