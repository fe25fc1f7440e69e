"""Resource limits, tried as a client that wants the sandbox's memory, disk or connections."""

from __future__ import annotations

import asyncio
import json

from mock_server.engine import jsonio
from mock_server.engine.sizes import MIB
from mock_server.engine.state.answer_cache import MAX_BYTES, AnswerCache, WireAnswer
from tests.http_sandbox import AFOSTO, RELAY, SECOND_ACCOUNTS, casavi_headers, sandbox_client
from tests.shapes import assert_api_error, message_of

BLOCK = "x" * (200 * 1024)


async def _fill(client, headers: dict[str, str], limit: int = 40) -> list[str]:
    """Create large channels until the budget refuses one; the ids created."""
    created = []
    for number in range(limit):
        response = await client.post("/afosto/cat/channels", json={"name": f"c{number}", "description": BLOCK}, headers=headers)
        if response.status_code != 200:
            body = assert_api_error("afosto", response, 507)
            assert "budget" in message_of(body) and "--max-account-store-mb" in message_of(body)
            return created
        created.append(response.json()["id"])
    raise AssertionError("the budget never refused a write")


async def test_an_account_that_fills_its_budget_gets_507_and_the_server_keeps_serving():
    async with sandbox_client(max_account_store_mb=1) as client:
        assert (await client.post("/__admin/fixtures", json=SECOND_ACCOUNTS)).status_code == 200
        created = await _fill(client, AFOSTO)
        assert 3 <= len(created) <= 5
        assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200
        assert (await client.get("/__admin/health")).status_code == 200
        # Another account has its own budget.
        other = {"Authorization": "Bearer other-afosto-token"}
        assert (await client.post("/afosto/cat/channels", json={"name": "o", "description": BLOCK}, headers=other)).status_code == 200
        # Deleting gives room back.
        assert (await client.delete(f"/afosto/cat/channels/{created[0]}", headers=AFOSTO)).status_code < 300
        assert (await client.post("/afosto/cat/channels", json={"name": "again", "description": BLOCK}, headers=AFOSTO)).status_code == 200


async def test_the_whole_server_has_a_budget_across_apis_and_a_reset_gives_it_back():
    async with sandbox_client(max_store_mb=1) as client:
        await _fill(client, AFOSTO)
        relay = await client.post("/relay/customers", json={"casaviAccountId": 1, "customer": {"name": BLOCK}}, headers=RELAY)
        assert "--max-store-mb" in message_of(assert_api_error("relay", relay, 507))
        budget = client.app.sandbox.budget
        assert budget.used == sum(sum(api.runtime.store.used.values()) for api in client.app.sandbox.apis.values())
        assert (await client.post("/__admin/reset")).status_code == 200
        assert budget.used < 200 * 1024
        assert (await client.post("/relay/customers", json={"casaviAccountId": 1, "customer": {"name": BLOCK}}, headers=RELAY)).status_code == 200


async def test_queued_work_counts_against_the_budget():
    async with sandbox_client(max_account_store_mb=1) as client:
        headers = await casavi_headers(client)
        contacts = [{"id": f"C-{n}", "firstName": BLOCK[:50_000], "lastName": "x"} for n in range(30)]
        response = await client.post("/casavi/import", json={"contacts": contacts}, headers=headers)
        assert "budget" in message_of(assert_api_error("casavi", response, 507))
        assert client.app.sandbox.apis["casavi"].runtime.tasks.tasks == {}


async def test_a_fixture_beyond_the_budget_loads_nothing():
    async with sandbox_client(max_account_store_mb=1) as client:
        before = (await client.get("/__admin/state")).json()
        channels = [{"name": f"c{n}", "description": BLOCK} for n in range(8)]
        response = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": {"/cat/channels": channels}}}})
        assert response.status_code == 400 and "--max-account-store-mb" in response.json()["error"]
        assert (await client.get("/__admin/state")).json() == before
        # A state import replaces what it names, so the room it frees counts.
        exported = (await client.get("/__admin/state")).json()
        assert (await client.put("/__admin/state", json=exported)).status_code == 200


async def test_an_upload_is_held_against_the_budget_and_spooled_to_disk():
    seen = {}
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["relay"]

        async def look(call):
            files = call.request.files
            seen["rolled"] = [getattr(item.file, "_rolled", None) for item in files]
            seen["held"] = client.app.sandbox.budget.held
            return None

        pipeline.interceptors.append(look)
        form = [("order", (None, b'{"title": "big"}', "application/json")), ("files", ("big.bin", b"\x01" * (3 * MIB), "application/octet-stream"))]
        response = await client.post("/relay/orders", files=form, headers=RELAY)
        assert response.status_code == 200, response.text
        assert seen["rolled"] == [True]
        assert seen["held"] >= 3 * MIB
        assert client.app.sandbox.budget.held == 0
    async with sandbox_client(max_store_mb=2) as client:
        response = await client.post("/relay/orders", files=form, headers=RELAY)
        assert_api_error("relay", response, 507)
        assert client.app.sandbox.budget.held == 0
        assert (await client.get("/relay/orders", headers=RELAY)).status_code == 200


async def test_the_relay_order_part_obeys_the_json_size_limit(client):
    order = json.dumps({"title": "t", "description": "x" * (10 * MIB)}).encode()
    response = await client.post("/relay/orders", files=[("order", (None, order, "application/json"))], headers=RELAY)
    body = assert_api_error("relay", response, 413)
    assert 'form field "order" exceeds the limit of 10 MB' in message_of(body)


async def _call(app, path: str, body_parts: list[bytes], headers: list[tuple[bytes, bytes]], then: str) -> tuple[int, bytes]:
    """Send a request straight to the ASGI app; after the parts, the client stalls or leaves."""
    sent = {"status": None, "body": b""}
    parts = list(body_parts)

    async def receive():
        if parts:
            return {"type": "http.request", "body": parts.pop(0), "more_body": True}
        if then == "leave":
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        else:
            sent["body"] += message.get("body", b"")

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"localhost"), *headers], "scheme": "http", "server": ("127.0.0.1", 80)}
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent["status"], sent["body"]


async def _post_unannounced(app, http_version: str) -> int:
    """POST a channel whose body comes without Content-Length or Transfer-Encoding."""
    sent: dict = {}
    messages = [{"type": "http.request", "body": b'{"name": "unannounced"}', "more_body": False}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]

    scope = {"type": "http", "http_version": http_version, "method": "POST", "path": "/afosto/cat/channels",
             "raw_path": b"/afosto/cat/channels", "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 80),
             "headers": [(b"host", b"localhost"), (b"authorization", AFOSTO["Authorization"].encode()),
                         (b"content-type", b"application/json")]}
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent["status"]


async def test_a_body_is_read_only_where_the_http_version_lets_it_come_unannounced():
    async with sandbox_client() as client:
        app = client.app  # type: ignore[attr-defined]
        # HTTP/1: no Content-Length and no Transfer-Encoding means no body (so one is required: 400)
        assert await _post_unannounced(app, "1.1") == 400
        # HTTP/2: the length need not be announced; the body is read and stored
        assert await _post_unannounced(app, "2") == 200
        names = [channel["name"] for channel in (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()]
        assert names.count("unannounced") == 1


async def test_a_body_shorter_than_its_content_length_is_given_up_and_stores_nothing():
    async with sandbox_client(read_timeout=0.2) as client:
        app = client.app
        count = len((await client.get("/afosto/cat/channels", headers=AFOSTO)).json())
        headers = [(b"authorization", b"Bearer demo-afosto-token"), (b"content-type", b"application/json"), (b"content-length", b"100")]
        for then in ("stall", "leave"):
            status, body = await _call(app, "/afosto/cat/channels", [b'{"name": "half"}'], headers, then)
            assert status == 408, body
            assert json.loads(body)["code"] == 408
        admin_status, _ = await _call(app, "/__admin/fixtures", [b"afosto: {}"], [(b"content-type", b"application/yaml"), (b"content-length", b"100")], "stall")
        assert admin_status == 408
        assert len((await client.get("/afosto/cat/channels", headers=AFOSTO)).json()) == count
        journal = (await client.get("/__admin/requests", params={"status": 408})).json()
        assert journal["count"] == 2


async def test_other_requests_are_answered_while_a_large_body_is_read(client, monkeypatch):
    monkeypatch.setattr(jsonio, "READING_STEP", 0.0)  # a turn for the others after every value read
    reading = []
    real = jsonio.loads_in_steps

    async def watched(data, *args):
        reading.append(True)
        try:
            return await real(data, *args)
        finally:
            reading.clear()

    monkeypatch.setattr(jsonio, "loads_in_steps", watched)
    items = [{"sku": f"SKU-{number}", "price": number, "tags": ["a"]} for number in range(30_000)]
    large = asyncio.create_task(
        client.post("/afosto/cat/channels", json={"name": "bulk", "items": items}, headers=AFOSTO)
    )
    answered_meanwhile = 0
    while not large.done():
        await asyncio.sleep(0)  # an in-process request may be answered without ever waiting
        small = await client.get("/afosto/cat/channels", headers=AFOSTO)
        assert small.status_code == 200
        answered_meanwhile += bool(reading)
    assert (await large).status_code == 200
    assert answered_meanwhile > 0


async def test_a_large_body_read_in_steps_is_refused_like_a_small_one(client):
    body = b'{"name": "x", "items": [' + b'{"n": 1},' * 40_000 + b'{"n": NaN}]}'
    response = await client.post("/afosto/cat/channels", content=body, headers={**AFOSTO, "content-type": "application/json"})
    assert response.status_code == 400
    assert "NaN and Infinity are not JSON numbers" in response.text


def test_the_answer_cache_is_bounded_in_bytes():
    cache = AnswerCache()
    answer = WireAnswer(200, b"x" * MIB, "application/json", ())
    for number in range(200):
        cache.put((number,), answer)
        assert cache.size <= MAX_BYTES
    assert cache.size == sum(len(entry.payload) for entry in cache.entries.values())
    cache.put(("huge",), WireAnswer(200, b"x" * (MAX_BYTES + 1), None, ()))
    assert cache.get(("huge",)) is None
