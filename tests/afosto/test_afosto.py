"""Afosto over HTTP: bearer tokens, CRUD, header paging, search, isolation, bad input."""

from __future__ import annotations

import uuid

from tests.http_sandbox import AFOSTO, FROZEN

OTHER = {"Authorization": "Bearer other-afosto-token"}


def _error(response, status: int, required=(), invalid=(), message: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "reference", "errors"}
    assert body["code"] == status
    uuid.UUID(body["reference"])
    assert body["errors"] == {"invalid value": list(invalid), "required": list(required)}
    if message is not None:
        assert message in body["message"], body["message"]


async def test_channel_round_trip(client):
    created = await client.post("/afosto/cat/channels", json={"name": "Webshop"}, headers=AFOSTO)
    assert created.status_code == 200
    channel = created.json()
    uuid.UUID(channel["id"])
    assert channel["name"] == "Webshop" and channel["created_at"] == FROZEN == channel["updated_at"]
    path = f"/afosto/cat/channels/{channel['id']}"
    assert (await client.get(path, headers=AFOSTO)).json() == channel
    replaced = (await client.put(path, json={"name": "Shop"}, headers=AFOSTO)).json()
    assert replaced["name"] == "Shop" and replaced["id"] == channel["id"] and replaced["created_at"] == FROZEN
    deleted = await client.delete(path, headers=AFOSTO)
    assert deleted.status_code == 204 and deleted.content == b""
    _error(await client.get(path, headers=AFOSTO), 404, message=channel["id"])


async def test_lists_page_with_headers(client):
    ids = []
    for number in range(5):
        ids.append((await client.post("/afosto/cat/channels", json={"name": f"c{number}"}, headers=AFOSTO)).json()["id"])
    everything = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
    assert [item["id"] for item in everything[-5:]] == ids
    assert len(everything) == 8  # three demo channels first
    page = await client.get("/afosto/cat/channels", headers={**AFOSTO, "x-page": "2", "x-page-size": "3"})
    assert page.headers["x-page"] == "2"
    assert [item["id"] for item in page.json()] == [item["id"] for item in everything[3:6]]


async def test_search_and_upsert_by_title(client):
    upserted = await client.put("/afosto/rel/contacts", json={"email": "jo@example.com", "given_name": "Jo"}, headers=AFOSTO)
    assert upserted.status_code == 200
    contact = upserted.json()
    again = (await client.put("/afosto/rel/contacts", json={"id": contact["id"], "given_name": "Joanna"}, headers=AFOSTO)).json()
    assert again["id"] == contact["id"]
    found = await client.post("/afosto/rel/contacts", json={"ids": [contact["id"]]}, headers=AFOSTO)
    assert [item["id"] for item in found.json()] == [contact["id"]]
    assert found.json()[0]["given_name"] == "Joanna"
    nobody = await client.post("/afosto/rel/contacts", json={"ids": ["no-such-id"]}, headers=AFOSTO)
    assert nobody.json() == []


async def test_actions_change_the_object(client):
    order = (await client.post("/afosto/odr/orders", json={}, headers=AFOSTO)).json()
    assert (await client.post(f"/afosto/odr/orders/{order['id']}/cancel", json={}, headers=AFOSTO)).status_code == 200
    read = (await client.get(f"/afosto/odr/orders/{order['id']}", headers=AFOSTO)).json()
    assert read["state"]["is_canceled"] is True
    assert (await client.post("/afosto/odr/orders/nope/cancel", json={}, headers=AFOSTO)).status_code == 404


async def test_nested_objects_need_their_parent(client):
    _error(await client.get("/afosto/odr/orders/nope/items", headers=AFOSTO), 404, message="order 'nope' not found")
    order = (await client.post("/afosto/odr/orders", json={}, headers=AFOSTO)).json()
    assert (await client.get(f"/afosto/odr/orders/{order['id']}/items", headers=AFOSTO)).status_code == 200


async def test_second_account_sees_nothing_of_the_first(client):
    channel = (await client.post("/afosto/cat/channels", json={"name": "Mine"}, headers=AFOSTO)).json()
    path = f"/afosto/cat/channels/{channel['id']}"
    assert (await client.get(path, headers=OTHER)).status_code == 404
    assert channel["id"] not in [item["id"] for item in (await client.get("/afosto/cat/channels", headers=OTHER)).json()]
    assert (await client.put(path, json={"name": "x"}, headers=OTHER)).status_code == 404
    assert (await client.delete(path, headers=OTHER)).status_code == 404
    assert (await client.get(path, headers=AFOSTO)).status_code == 200


async def test_bad_input_in_the_error_model(client):
    json_headers = {**AFOSTO, "content-type": "application/json"}
    _error(await client.post("/afosto/cat/channels", content=b"{", headers=json_headers), 400, invalid=["body"],
           message="not valid JSON")
    _error(await client.post("/afosto/cat/channels", content=b"name=x", headers={**AFOSTO, "content-type": "text/plain"}),
           400, invalid=["body"], message="must be sent as application/json")
    _error(await client.post("/afosto/cat/channels", json={"name": 5}, headers=AFOSTO), 400, invalid=["name"],
           message='body field "name" must be a string')
    _error(await client.get("/afosto/int/apps/integrations?is_deleted=2", headers=AFOSTO), 400, invalid=["is_deleted"],
           message="must be one of 1, 0")
    _error(await client.get("/afosto/cat/channels", headers={}), 401, message="missing bearer token")
    _error(await client.get("/afosto/cat/channels", headers={"Authorization": "Bearer wrong"}), 401,
           message="invalid bearer token")
    _error(await client.get("/afosto/cat/nothing", headers=AFOSTO), 404, message="no route")
    response = await client.patch("/afosto/cat/channels", headers=AFOSTO)
    _error(response, 405, message="PATCH is not allowed")


async def test_a_path_that_only_exists_for_other_methods_answers_405(client):
    # `/mes/conversations/{id}` takes integer ids: `search` can only be the search path.
    response = await client.get("/afosto/mes/conversations/search", headers=AFOSTO)
    _error(response, 405, message="GET is not allowed")
    assert response.headers["allow"] == "POST"
    assert (await client.post("/afosto/mes/conversations/search", json={}, headers=AFOSTO)).status_code == 200
    # `/mes/emails/{id}` takes any text: `form` may name an email, as the contract routes it.
    emails = await client.delete("/afosto/mes/emails/form", headers=AFOSTO)
    assert emails.status_code != 405, emails.text
