"""Credentials behave like credentials: a wrong key is refused, and the journal never shows one."""

from __future__ import annotations

from tests.http_sandbox import AFOSTO, GUID, RELAY, casavi_headers
from tests.shapes import assert_api_error, message_of


async def test_a_wrong_relay_key_is_refused_on_operations_open_without_one(client):
    """`Authorizations: None` means a key is not needed, not that any key is somebody's."""
    for method, url, body in [("GET", "/relay/customers", None),
                              ("POST", "/relay/properties", {"casaviAccountId": 1, "properties": [{"name": "House"}]})]:
        for wrong in ["Bearer wrong-key", "Bearer ", "Basic ZGVtbzpkZW1v", "Bearer d\u00e9mo".encode("latin-1")]:
            response = await client.request(method, url, json=body, headers={"authorization": wrong})
            assert "API key" in message_of(assert_api_error("relay", response, 401)), (url, wrong)
        assert (await client.request(method, url, json=body)).status_code == 200
        assert (await client.request(method, url, json=body, headers=RELAY)).status_code == 200
    # A right key acts as its own account, not the first one.
    mine = await client.post("/relay/properties", json={"casaviAccountId": 1, "properties": [{"name": "Other's"}]},
                             headers={"authorization": "Bearer other-relay-key"})
    assert mine.status_code == 200
    state = (await client.get("/__admin/state")).json()["relay"]["data"]
    assert any(item.get("name") == "Other's" for item in state["other"]["/properties"])
    assert not any(item.get("name") == "Other's" for item in state["demo"]["/properties"])


async def test_no_secret_reaches_the_journal(client):
    await client.delete("/__admin/requests")
    login = await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
    token = login.json()["token"]
    old_style = await client.post("/casavi/authenticate", json={"apiKey": "demo-key", "email": "a@b.c", "password": "demo-secret"})
    refreshed = await client.post("/casavi/authenticate/refresh", json={"apiKey": "demo-key", "token": old_style.json()["token"]})
    assert refreshed.status_code == 200, refreshed.text
    await client.get("/casavi/tickets", headers={"token": token})
    await client.get("/casavi/tickets", headers={"token": "not-a-real-token-but-still-secret"})
    await client.get("/messages/api/v3/case-messages", params={"accessToken": "demo-partner-token", "guid": GUID})
    await client.post("/messages/api/v3/case-messages/create?accessToken=demo-provider-token&x=1",
                      json={"guid": GUID, "type": "reminder"})
    await client.get("/afosto/cat/channels", headers=AFOSTO)
    await client.get("/relay/customers", headers=RELAY)
    journal = await client.get("/__admin/requests")
    text = journal.text
    secrets = ["demo-secret", token, old_style.json()["token"], refreshed.json()["token"], "not-a-real-token-but-still-secret",
               "demo-partner-token", "demo-provider-token", "demo-afosto-token", "demo-relay-key"]
    for secret in secrets:
        assert secret not in text, secret
    entries = journal.json()["requests"]
    assert len(entries) == 9
    # What the client sent is still there to see, with the credentials masked.
    first = entries[0]
    assert first["request_headers"]["user-agent"].startswith("python-httpx")
    assert '"key":"demo-key"' in first["request_body"] and '"secret":"***"' in first["request_body"]
    assert '"token":"***"' in first["response_body"]
    tickets = next(entry for entry in entries if entry["path"] == "/tickets")
    assert tickets["request_headers"]["token"] == "***"
    messages = next(entry for entry in entries if entry["api"] == "messages")
    assert messages["query"] == f"accessToken=***&guid={GUID}"
    afosto = next(entry for entry in entries if entry["api"] == "afosto")
    assert afosto["request_headers"]["authorization"] == "Bearer ***"


async def test_unrouted_requests_record_their_headers_too(client):
    await client.delete("/__admin/requests")
    await client.get("/afosto/no/such/path", headers={**AFOSTO, "x-trace": "abc"})
    entry = (await client.get("/__admin/requests")).json()["requests"][0]
    assert entry["status"] == 404 and entry["request_headers"]["x-trace"] == "abc"
    assert entry["request_headers"]["authorization"] == "Bearer ***"


async def test_a_casavi_token_header_with_odd_bytes_is_refused(client):
    for value in [b"\xff\xfe", "t\u00f6ken".encode("latin-1"), b" ", b"a" * 4000]:
        response = await client.get("/casavi/tickets", headers={"token": value})
        assert_api_error("casavi", response, 401)
    await casavi_headers(client)
