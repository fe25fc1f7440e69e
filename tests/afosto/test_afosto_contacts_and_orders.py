"""Afosto contacts (upsert by email, search that stores nothing) and order actions whose
change a second read shows."""

from __future__ import annotations

from tests.http_sandbox import AFOSTO


async def _contacts(client) -> list[dict]:
    return (await client.get("/afosto/rel/contacts", headers={**AFOSTO, "x-page-size": "100"})).json()


async def test_put_upserts_contacts_by_email(client):
    before = len(await _contacts(client))
    created = await client.put("/afosto/rel/contacts", json={"email": "Jo@Example.com", "given_name": "Jo",
                                                           "billing": {"primary": "addr-1"}}, headers=AFOSTO)
    assert created.status_code == 200
    contact = created.json()
    again = await client.put("/afosto/rel/contacts", json={"email": "jo@example.COM", "family_name": "Doe",
                                                          "billing": {"primary": "addr-2"}}, headers=AFOSTO)
    assert again.json()["id"] == contact["id"]
    stored = (await client.get(f"/afosto/rel/contacts/{contact['id']}", headers=AFOSTO)).json()
    assert (stored["given_name"], stored["family_name"]) == ("Jo", "Doe")
    assert len(await _contacts(client)) == before + 1
    state = (await client.get("/__admin/state", params={"api": "afosto"})).json()
    kept = next(c for c in state["afosto"]["data"]["demo"]["/rel/contacts"] if c["id"] == contact["id"])
    assert kept["billing"] == {"primary": "addr-2", "secondary": ["addr-1"]}  # the old primary moved down
    other = await client.put("/afosto/rel/contacts", json={"email": "ann@example.com"}, headers=AFOSTO)
    assert other.json()["id"] != contact["id"]
    assert len(await _contacts(client)) == before + 2


async def test_post_searches_contacts_and_creates_nothing(client):
    jo = (await client.put("/afosto/rel/contacts", json={"email": "jo@example.com", "tags": ["vip"]}, headers=AFOSTO)).json()
    ann = (await client.put("/afosto/rel/contacts", json={"email": "ann@example.com"}, headers=AFOSTO)).json()
    before = len(await _contacts(client))
    by_email = await client.post("/afosto/rel/contacts",
                                 json={"constraints": [{"key": "email", "operator": "in", "value": ["ANN@example.com"]}]},
                                 headers=AFOSTO)
    assert by_email.status_code == 200 and [c["id"] for c in by_email.json()] == [ann["id"]]
    by_id = await client.post("/afosto/rel/contacts",
                              json={"constraints": [{"key": "id", "operator": "in", "value": [jo["id"], ann["id"]]},
                                                    {"key": "tags", "operator": "in", "value": ["vip"]}]}, headers=AFOSTO)
    assert [c["id"] for c in by_id.json()] == [jo["id"]]
    nobody = await client.post("/afosto/rel/contacts",
                               json={"constraints": [{"key": "email", "operator": "in", "value": ["no@example.com"]}]}, headers=AFOSTO)
    assert nobody.json() == []
    assert len(await _contacts(client)) == before
    bad = await client.post("/afosto/rel/contacts", json={"constraints": [{"key": "email", "operator": "like", "value": ["x"]}]},
                            headers=AFOSTO)
    assert bad.status_code == 400 and bad.json()["errors"]["invalid value"] == ["constraints[0].operator"]


async def test_order_actions_change_the_state_a_second_read_shows(client):
    order = (await client.post("/afosto/odr/orders", json={}, headers=AFOSTO)).json()
    path = f"/afosto/odr/orders/{order['id']}"

    async def state() -> dict:
        return (await client.get(path, headers=AFOSTO)).json()["state"]

    assert (await client.post(f"{path}/accept", json={}, headers=AFOSTO)).status_code == 204
    assert (await state())["is_accepted"] is True
    assert (await client.post(f"{path}/confirm", json={}, headers=AFOSTO)).status_code == 204
    assert (await state())["is_confirmed"] is True
    allocated = await client.post(f"{path}/allocate", json={}, headers=AFOSTO)
    assert allocated.status_code == 202 and allocated.headers["x-task-id"]
    assert (await state())["progress"] == {"allocation": "allocated"}
    assert (await client.post(f"{path}/fulfil", json={}, headers=AFOSTO)).status_code == 202
    fulfilled = await state()
    assert fulfilled["progress"] == {"allocation": "allocated", "fulfilment": "fulfilled"} and fulfilled["is_finished"] is True
    assert (await client.post(f"{path}/cancel", json={}, headers=AFOSTO)).status_code == 200
    assert (await state())["is_canceled"] is True
    assert (await client.post("/afosto/odr/orders/nope/allocate", json={}, headers=AFOSTO)).status_code == 404


async def test_authorize_locks_the_order_and_keeps_its_transaction_secret(client):
    order = (await client.post("/afosto/odr/orders", json={}, headers=AFOSTO)).json()
    calculations = (await client.get("/afosto/odr/calculations", headers=AFOSTO)).json()
    body = {"calculation_id": calculations[0]["id"]}
    first = await client.post(f"/afosto/odr/orders/{order['id']}/authorize", json=body, headers=AFOSTO)
    assert first.status_code == 200, first.text
    assert first.json()["is_locked"] is True and first.json()["is_accepted"] is True
    second = await client.post(f"/afosto/odr/orders/{order['id']}/authorize", json=body, headers=AFOSTO)
    assert second.json()["transaction_secret"] == first.json()["transaction_secret"]
    state = (await client.get(f"/afosto/odr/orders/{order['id']}", headers=AFOSTO)).json()["state"]
    assert state["is_locked"] is True
    unknown = await client.post(f"/afosto/odr/orders/{order['id']}/authorize", json={"calculation_id": order["id"]}, headers=AFOSTO)
    # The action's plain "Not found" is about the order its path names, which exists.
    assert unknown.status_code == 400 and unknown.json()["errors"]["invalid value"] == ["calculation_id"]


async def test_an_invoice_marked_paid(client):
    invoice = (await client.post("/afosto/odr/invoices", json={}, headers=AFOSTO)).json()
    paid = await client.put(f"/afosto/odr/invoices/{invoice['id']}/paid", json={"paid_at": "2026-01-01"}, headers=AFOSTO)
    assert paid.status_code == 200
    assert paid.json()["is_paid"] is True and paid.json()["paid_at"] == "2026-01-01T00:00:00.000Z"


async def test_contact_constraints_compare_big_integers_exactly(client):
    big = 10**400
    small = (await client.put("/afosto/rel/contacts", json={"email": "small@example.com", "metadata": {"points": big}}, headers=AFOSTO)).json()
    large = (await client.put("/afosto/rel/contacts", json={"email": "large@example.com", "metadata": {"points": big + 1}}, headers=AFOSTO)).json()
    found = await client.post("/afosto/rel/contacts", headers=AFOSTO,
                              json={"constraints": [{"key": "metadata.points", "operator": "gte", "value": [str(big + 1)]}]})
    assert found.status_code == 200, found.text
    assert [c["id"] for c in found.json()] == [large["id"]]
    both = await client.post("/afosto/rel/contacts", headers=AFOSTO,
                             json={"constraints": [{"key": "metadata.points", "operator": "gt", "value": ["1.5e308"]}]})
    assert both.status_code == 200 and {c["id"] for c in both.json()} == {small["id"], large["id"]}
