"""The validating proxy against a local upstream with planted drift: real answers pass
through byte for byte, and the drift report names exactly the planted differences."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import httpx
import pytest

from mock_server.proxy import app as proxy_module
from mock_server.proxy.app import ProxyConfig, ValidatingProxy
from tests.live import live_server
from tests.proxy import planted_upstream as upstream
from tests.receiver import refused_port


@pytest.fixture(scope="module")
def upstream_url():
    with live_server(upstream.app) as url:
        yield url


@pytest.fixture
def proxy(upstream_url):
    return ValidatingProxy(ProxyConfig(api="casavi", upstream=upstream_url))


def test_the_report_names_exactly_the_planted_drift_and_answers_pass_unchanged(proxy, upstream_url, caplog):
    caplog.set_level(logging.INFO, logger="mock_server.proxy")
    with live_server(proxy) as proxy_url:
        with httpx.Client(base_url=proxy_url) as through, httpx.Client(base_url=upstream_url) as direct:
            proxied = upstream.drive(through)
            straight = upstream.drive(direct)
            report = through.get("/__admin/drift").json()
            journal = through.get("/__admin/requests").json()
    assert proxied == straight
    assert proxied["contacts"] == upstream.CONTACTS_TEXT
    assert upstream.report_set(report) == upstream.PLANTED
    assert report["checked"] == {"requests": 10, "operations": 7}
    assert report["differences"] == len(upstream.PLANTED)
    seen = {entry["operation"]: entry for entry in report["operations"]}
    assert seen["getATicketByID"]["calls"] == 2 and {d["count"] for d in seen["getATicketByID"]["differences"]} == {2}
    assert seen["getListOfTickets"]["path"] == "/tickets" and seen["getListOfTickets"]["method"] == "GET"
    drifted = [entry for entry in journal["requests"] if "drift" in entry]
    assert [entry["operation"] for entry in drifted] == ["getListOfTickets", "getATicketByID", "getATicketByID", "deleteWebhookSubscriptionByHookId"]
    assert {"side": "response", "kind": "undocumented field", "field": "priority", "status": 200} in drifted[1]["drift"]
    everything = json.dumps([report, journal]) + caplog.text
    for secret in (upstream.TOKEN, upstream.SECRET, upstream.KEY):
        assert secret not in everything
    assert "drift in getATicketByID: response 200: undocumented field at priority" in caplog.text


def test_compressed_answers_and_headers_pass_as_the_upstream_sent_them(proxy, upstream_url):
    async def raw(client: httpx.AsyncClient, headers: dict) -> tuple[httpx.Response, bytes]:
        async with client.stream("GET", "/contacts", headers=headers) as response:
            return response, b"".join([chunk async for chunk in response.aiter_raw()])

    async def main() -> None:
        transport = httpx.ASGITransport(app=proxy)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            login = await client.post("/authenticate", json={"key": upstream.KEY, "secret": upstream.SECRET})
            headers = {"token": login.json()["token"], "accept-encoding": "gzip"}
            response, body = await raw(client, headers)
            assert body == upstream.CONTACTS_GZIP
            assert response.headers["content-encoding"] == "gzip" and response.headers["x-upstream"] == "yes"
            assert response.headers["content-length"] == str(len(upstream.CONTACTS_GZIP))
            decoded = await client.get("/contacts", headers=headers)
            assert decoded.json() == upstream.CONTACTS
            assert (await client.get("/__admin/drift")).json()["differences"] == 0

    import asyncio

    asyncio.run(main())


async def test_requests_outside_the_contract_are_drift_too(proxy):
    transport = httpx.ASGITransport(app=proxy)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        login = await client.post("/authenticate", json={"key": upstream.KEY, "secret": upstream.SECRET})
        headers = {"token": login.json()["token"]}
        await client.get("/tickets", headers=headers, params={"page": "first"})
        assert (await client.get("/nothing/here", headers=headers)).status_code == 404
        await client.post("/authenticate", json={"key": upstream.KEY})
        found = upstream.report_set((await client.get("/__admin/drift")).json())
    assert ("getListOfTickets", "request", None, "wrong type", "query.page", "integer", "string") in found
    assert ("GET /nothing/here", "request", None, "undocumented operation", None, None, "GET /nothing/here") in found
    assert ("getAccessToken", "request", None, "field missing", "body.secret", None, None) in found


async def test_an_upstream_that_does_not_answer_gets_a_502_in_the_apis_shape():
    proxy = ValidatingProxy(ProxyConfig(api="casavi", upstream=f"http://127.0.0.1:{refused_port()}", timeout=2))
    transport = httpx.ASGITransport(app=proxy)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        answer = await client.get("/contacts", headers={"token": "t"})
        assert answer.status_code == 502
        assert answer.json()["statusCode"] == 502 and "did not answer (ConnectError)" in answer.json()["message"]
        entry = (await client.get("/__admin/requests")).json()["requests"][0]
        assert entry["status"] == 502 and entry["upstream"] == "ConnectError"
        assert (await client.get("/__admin/drift")).json()["differences"] == 0
        coverage = (await client.get("/__admin/coverage")).json()["casavi"]
        assert coverage["byOperation"]["getListOfContacts"]["statuses"] == {"502": 1}
        assert (await client.get("/__admin/nothing")).status_code == 404
        health = (await client.get("/__admin/health")).json()
        assert health["mode"] == "proxy" and health["api"] == "casavi"


def test_credential_query_parameters_are_masked_and_bad_settings_refused():
    proxy = ValidatingProxy(ProxyConfig(api="messages", upstream="http://127.0.0.1:9"))
    assert proxy.masked_query("accessToken=secret-value&guid=g") == "accessToken=***&guid=g"
    assert proxy.masked_query("guid=g") == "guid=g"
    with pytest.raises(ValueError, match="not an http"):
        ProxyConfig(api="casavi", upstream="ftp://example.test")
    with pytest.raises(ValueError, match="unknown API"):
        ProxyConfig(api="shop", upstream="http://example.test")


@pytest.mark.slow
def test_the_proxy_and_drift_report_commands_report_exactly_the_planted_drift(upstream_url):
    port = refused_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "proxy", "--api", "casavi", "--upstream", upstream_url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ},
    )
    proxy_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{proxy_url}/__admin/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the proxy did not start")
            time.sleep(0.1)
        with httpx.Client(base_url=proxy_url) as client:
            upstream.drive(client)
        table = subprocess.run(
            [sys.executable, "-m", "mock_server", "drift-report", "--url", proxy_url], capture_output=True, text=True, timeout=60,
        )
        as_json = subprocess.run(
            [sys.executable, "-m", "mock_server", "drift-report", "--url", proxy_url, "--format", "json"],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert table.returncode == 1 and as_json.returncode == 1
    assert upstream.report_set(json.loads(as_json.stdout)) == upstream.PLANTED
    text = table.stdout
    assert "5 difference(s)" in text
    for operation, _, _, kind, field, _, _ in upstream.PLANTED:
        assert operation in text and kind in text and (field is None or field in text)
    assert "getListOfContacts" not in text and "getAccessToken" not in text
    assert f"mock-server proxy for casavi on {proxy_url}" in output
    assert "drift in getListOfTickets" in output
    for secret in (upstream.TOKEN, upstream.SECRET, upstream.KEY):
        assert secret not in output


async def test_a_body_past_the_limit_is_refused_in_the_apis_shape_and_not_forwarded(proxy, monkeypatch):
    monkeypatch.setattr(proxy_module, "REQUEST_BODY_LIMIT", 1024)
    transport = httpx.ASGITransport(app=proxy)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        padding = "x" * 1024
        refused = await client.post("/authenticate", json={"key": upstream.KEY, "secret": upstream.SECRET, "pad": padding})
        assert refused.status_code == 413
        assert refused.json()["statusCode"] == 413 and "request bodies of up to" in refused.json()["message"]
        entry = (await client.get("/__admin/requests")).json()["requests"][0]
        assert entry["status"] == 413 and entry["operation"] == "getAccessToken" and "refused" in entry
        assert (await client.get("/__admin/drift")).json()["differences"] == 0  # nothing was checked or forwarded
        within = await client.post("/authenticate", json={"key": upstream.KEY, "secret": upstream.SECRET})
        assert within.status_code == 200 and within.json()["token"]


async def test_a_body_the_client_leaves_half_sent_is_not_forwarded(proxy):
    messages = [{"type": "http.request", "body": b'{"key": "', "more_body": True}, {"type": "http.disconnect"}]
    sent: dict = {}

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.setdefault(message["type"], message)

    scope = {"type": "http", "method": "POST", "path": "/authenticate", "raw_path": b"/authenticate", "query_string": b"",
             "headers": [(b"host", b"localhost"), (b"content-type", b"application/json"), (b"content-length", b"64")]}
    await proxy(scope, receive, send)
    assert sent["http.response.start"]["status"] == 408
    assert json.loads(sent["http.response.body"]["body"])["statusCode"] == 408
    entry = proxy.journal.select()[0]
    assert entry.status == 408 and "connection closed" in entry.notes["refused"]
    assert proxy.drift.to_json()["differences"] == 0  # nothing was checked or forwarded
