"""casavi tokens: bound to the account and key that asked, ended with their key, random
unless the server runs reproducibly."""

from __future__ import annotations

import re

from tests.http_sandbox import casavi_headers, sandbox_client

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def _token(client, key: str = "demo-key", secret: str = "demo-secret") -> str:
    return (await casavi_headers(client, key, secret))["token"]


async def test_deactivating_a_key_ends_all_its_tokens_at_once(client):
    first, second = await _token(client), await _token(client)
    other = await _token(client, "other-key", "other-secret")
    answer = await client.post("/__admin/casavi/keys/demo-key/deactivate")
    assert answer.status_code == 200
    assert answer.json() == {"account": "demo", "key": "demo-key", "active": False, "tokensEnded": 2}
    for token in (first, second):
        assert (await client.get("/casavi/contacts", headers={"token": token})).status_code == 401
    refused = await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
    assert refused.status_code == 401 and "deactivated" in refused.json()["message"]
    refresh = await client.post("/casavi/authenticate/refresh", json={"apiKey": "demo-key", "token": first})
    assert refresh.status_code == 401
    assert (await client.get("/casavi/contacts", headers={"token": other})).status_code == 200  # another key

    state = (await client.get("/__admin/state", params={"api": "casavi"})).json()["casavi"]
    assert state["deactivatedKeys"] == ["demo-key"]
    assert (await client.post("/__admin/casavi/keys/demo-key/activate")).json()["active"] is True
    assert (await client.get("/casavi/contacts", headers={"token": await _token(client)})).status_code == 200
    assert (await client.post("/__admin/casavi/keys/nope/deactivate")).status_code == 404


async def test_a_deactivated_key_survives_export_and_import_and_ends_with_a_reset(client):
    await client.post("/__admin/casavi/keys/demo-key/deactivate")
    exported = (await client.get("/__admin/state", params={"api": "casavi"})).json()
    assert (await client.post("/__admin/reset", params={"api": "casavi"})).status_code == 200
    assert (await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})).status_code == 200
    assert (await client.put("/__admin/state", json=exported)).status_code == 200
    assert (await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})).status_code == 401


async def test_tokens_are_random_unless_the_clock_is_frozen():
    tokens = []
    for _ in range(2):
        async with sandbox_client(frozen_time=None, seed=7) as client:
            tokens.append(await _token(client))
    assert tokens[0] != tokens[1]
    assert all(UUID.match(token) for token in tokens)
    reproduced = []
    for _ in range(2):
        async with sandbox_client(seed=7) as client:
            reproduced.append(await _token(client))
    assert reproduced[0] == reproduced[1]


async def test_a_token_is_never_reissued_to_another_account_after_a_reset():
    async with sandbox_client(seed=7) as client:  # frozen clock: tokens derived from the seed
        second = {"casavi": {"accounts": [{"name": "other", "key": "other-key", "secret": "other-secret"}]}}
        await client.post("/__admin/fixtures", json=second)
        demo_token = await _token(client)
        await client.post("/__admin/reset", params={"api": "casavi"})
        await client.post("/__admin/fixtures", json=second)
        other_token = await _token(client, "other-key", "other-secret")
        assert other_token != demo_token
        assert (await client.get("/casavi/contacts", headers={"token": demo_token})).status_code == 401
        assert await _token(client) == demo_token  # the same account, the same sequence


async def test_a_token_is_bound_to_the_key_it_was_issued_for(client):
    token = await _token(client)
    renamed = {"casavi": {"accounts": [{"name": "demo", "key": "new-key", "secret": "new-secret", "tenantId": 3215}]}}
    assert (await client.post("/__admin/fixtures", json=renamed)).status_code == 200
    assert (await client.get("/casavi/contacts", headers={"token": token})).status_code == 401
    refresh = await client.post("/casavi/authenticate/refresh", json={"apiKey": "demo-key", "token": token})
    assert refresh.status_code == 401
    assert (await client.get("/casavi/contacts", headers={"token": await _token(client, "new-key", "new-secret")})).status_code == 200


async def test_refresh_needs_the_key_of_the_tokens_own_account(client):
    token = await _token(client)
    stolen = await client.post("/casavi/authenticate/refresh", json={"apiKey": "other-key", "token": token})
    assert stolen.status_code == 401
    assert (await client.get("/casavi/contacts", headers={"token": token})).status_code == 200


async def test_the_token_lifetime_is_configurable():
    async with sandbox_client(token_ttl=90) as client:
        answer = await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
        assert answer.json()["expiresAt"] == "2026-01-02T03:05:35.678Z"  # the frozen instant + 90 s
