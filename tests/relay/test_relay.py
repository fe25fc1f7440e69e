"""Relay over HTTP: API keys, orders with their parts, properties, isolation, bad input."""

from __future__ import annotations

import json

from tests.http_sandbox import FROZEN, RELAY, sandbox_client

OTHER = {"Authorization": "Bearer other-relay-key"}


def _error(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "message", "error"}
    assert body["statusCode"] == status
    text = " ".join(body["message"]) if isinstance(body["message"], list) else body["message"]
    for fragment in fragments:
        assert fragment in text, text


def _order_form(order: dict, files: int = 1) -> list:
    parts = [("order", (None, json.dumps(order), "application/json"))]
    parts += [("files", (f"photo{n}.jpg", b"\xff\xd8data", "image/jpeg")) for n in range(files)]
    return parts


async def test_order_round_trip_with_its_parts(client):
    created = await client.post("/relay/orders", files=_order_form({"title": "Fix the heating", "status": "OPEN"}), headers=RELAY)
    assert created.status_code == 200, created.text
    order_id = created.json()["id"]
    assert isinstance(order_id, int)
    comment = await client.post(f"/relay/orders/{order_id}/comments", data={"text": "On my way", "authorName": "Ann"},
                                files=[("files", ("note.txt", b"x", "text/plain"))], headers=RELAY)
    assert comment.status_code == 200
    field = await client.post("/relay/order-fields", json={"name": "floor", "content": "3", "position": 2, "orderId": order_id}, headers=RELAY)
    first = await client.post("/relay/order-fields", json={"name": "door", "content": "A", "position": 1, "orderId": order_id}, headers=RELAY)
    assert field.status_code == first.status_code == 200
    person = await client.post("/relay/order-contact-persons", json={
        "name": "Ann", "type": "tenant", "email": "ann@example.com", "orderId": order_id}, headers=RELAY)
    assert person.status_code == 204
    patched = await client.patch(f"/relay/orders/{order_id}", json={"status": "FINISHED"}, headers=RELAY)
    assert patched.status_code == 200 and patched.json() == order_id

    order = (await client.get(f"/relay/orders/{order_id}", headers=RELAY)).json()
    assert order["title"] == "Fix the heating" and order["status"] == "FINISHED"
    assert order["createdAt"] == FROZEN
    assert [item["name"] for item in order["fields"]] == ["door", "floor"]
    assert order["attachments"] == [{"name": "photo0.jpg", "itemType": "image/jpeg", "updatedAt": FROZEN}]
    assert [c["text"] for c in order["comments"]] == ["On my way"]
    assert order["comments"][0]["author"] == "Ann"
    assert order["contactPersons"][0]["emailAddress"] == "ann@example.com"
    comments = (await client.get(f"/relay/orders/{order_id}/comments", headers=RELAY)).json()
    assert [c["attachments"][0]["name"] for c in comments] == ["note.txt"]
    assert order_id in [item["id"] for item in (await client.get("/relay/orders", headers=RELAY)).json()]


async def test_order_parts_need_an_existing_order(client):
    _error(await client.post("/relay/order-fields", json={"name": "n", "content": "c", "position": 1, "orderId": 999}, headers=RELAY), 404, "999")
    form = [("text", (None, "t")), ("authorName", (None, "a"))]
    _error(await client.post("/relay/orders/999/comments", files=form, headers=RELAY), 404, "999")
    _error(await client.get("/relay/orders/999/comments", headers=RELAY), 404)


async def test_limits_of_order_files(client):
    _error(await client.post("/relay/orders", files=_order_form({"title": "t"}, files=11), headers=RELAY), 413, "10")
    _error(await client.post("/relay/orders", files=[("order", (None, "{oops", "application/json"))], headers=RELAY),
           400, 'form field "order" is not valid JSON')
    _error(await client.post("/relay/orders", files=_order_form({"status": "OPEN"}), headers=RELAY), 400, '"order.title" is required')


async def test_properties_create_or_update_and_delete(client):
    created = (await client.post("/relay/properties", json={"casaviAccountId": 1, "properties": [{"name": "House"}]})).json()
    property_id = int(created["properties"][0]["id"])
    updated = await client.post("/relay/properties", json={"casaviAccountId": 1, "properties": [{"id": str(property_id), "name": "Villa"}]})
    assert updated.json()["properties"][0]["id"] == str(property_id)
    assert (await client.get(f"/relay/properties/{property_id}")).json()["name"] == "Villa"
    assert (await client.delete(f"/relay/properties/{property_id}")).status_code == 204
    _error(await client.get(f"/relay/properties/{property_id}"), 404)


async def test_customers_are_echoed_and_listed(client):
    created = await client.post("/relay/customers", json={"casaviAccountId": 77, "customer": {"name": "ACME"}}, headers=RELAY)
    assert created.json()["casaviAccountId"] == 77 and created.json()["customer"]["name"] == "ACME"
    customers = (await client.get("/relay/customers", headers=RELAY)).json()["customers"]
    acme = next(item for item in customers if item["name"] == "ACME")
    assert acme["casaviTenantId"] == 77 and acme["accountId"] == 1


async def test_second_account_sees_nothing_of_the_first(client):
    order_id = (await client.post("/relay/orders", files=_order_form({"title": "Mine"}), headers=RELAY)).json()["id"]
    assert (await client.get(f"/relay/orders/{order_id}", headers=OTHER)).status_code == 404
    assert order_id not in [item["id"] for item in (await client.get("/relay/orders", headers=OTHER)).json()]
    assert (await client.patch(f"/relay/orders/{order_id}", json={"status": "OPEN"}, headers=OTHER)).status_code == 404
    assert (await client.post("/relay/order-fields", json={"name": "n", "content": "c", "position": 1, "orderId": order_id}, headers=OTHER)).status_code == 404


async def test_bad_input_is_named(client):
    _error(await client.post("/relay/addresses", content=b"{", headers={**RELAY, "content-type": "application/json"}), 400, "not valid JSON")
    _error(await client.post("/relay/addresses", content=b"a", headers={**RELAY, "content-type": "text/plain"}), 400, "application/json")
    _error(await client.post("/relay/addresses", json={"postalCode": "1", "locality": "x", "country": "DE"}, headers=RELAY),
           400, 'body field "streetAddress" is required')
    _error(await client.post("/relay/order-fields", json={"name": "n", "content": "c", "position": "first", "orderId": 1}, headers=RELAY),
           400, 'body field "position" must be an integer')
    _error(await client.patch("/relay/orders/1", json={"status": "LOST"}, headers=RELAY), 400, "must be one of OPEN")
    _error(await client.get("/relay/orders", headers={}), 401, "missing API key")
    _error(await client.get("/relay/orders", headers={"Authorization": "Bearer nope"}), 401, "invalid API key")
    _error(await client.get("/relay/nowhere", headers=RELAY), 404, "no route")
    _error(await client.put("/relay/orders", headers=RELAY), 405, "PUT is not allowed")
    assert (await client.get("/relay/customers")).status_code == 200  # documented without authorization


# --- what an order's parts may hold ------------------------------------------------------------


async def test_patch_changes_only_what_the_document_lists(client):
    order_id = (await client.post("/relay/orders", files=_order_form({"title": "Fix the heating"}), headers=RELAY)).json()["id"]
    for name, value in (("fields", "abc"), ("comments", "abc"), ("contactPersons", [1]), ("title", "Other"), ("id", 9)):
        _error(await client.patch(f"/relay/orders/{order_id}", json={"status": "FINISHED", name: value}, headers=RELAY),
               400, f'"{name}" is not allowed')
    address = {"streetAddress": "Main St 1", "postalCode": "12345", "locality": "Town", "country": "DE"}
    patched = await client.patch(f"/relay/orders/{order_id}", json={
        "status": "IN_PROGRESS", "dueDate": "2026-02-01T10:00:00Z", "internalId": "INT-7", "address": address}, headers=RELAY)
    assert patched.status_code == 200, patched.text
    field = await client.post("/relay/order-fields", json={"name": "floor", "content": "3", "position": 1, "orderId": order_id}, headers=RELAY)
    assert field.status_code == 200, field.text
    order = (await client.get(f"/relay/orders/{order_id}", headers=RELAY)).json()
    assert order["status"] == "IN_PROGRESS" and order["internalId"] == "INT-7" and order["address"]["locality"] == "Town"
    assert order["title"] == "Fix the heating"
    assert order["fields"] == [{"id": field.json(), "position": 1, "name": "floor", "content": "3"}]


async def test_order_views_take_parts_whatever_the_order_held_before(client):
    """An order loaded as given (a fixture) with parts of another shape still takes new parts."""
    loaded = await client.post("/__admin/fixtures", json={"relay": {"data": {"demo": {"/orders": [
        {"id": 500, "title": "Loaded", "fields": "abc", "comments": 5, "contactPersons": ["x", {"id": 77, "name": "Old"}]},
    ]}}}})
    assert loaded.status_code == 200, loaded.text
    field = await client.post("/relay/order-fields", json={"name": "floor", "content": "3", "position": 1, "orderId": 500}, headers=RELAY)
    assert field.status_code == 200, field.text
    comment = await client.post("/relay/orders/500/comments", files=[("text", (None, "Hi")), ("authorName", (None, "Ann"))], headers=RELAY)
    assert comment.status_code == 200, comment.text
    person = await client.post("/relay/order-contact-persons", json={"name": "Ann", "type": "tenant", "email": "a@b.c", "orderId": 500}, headers=RELAY)
    assert person.status_code == 204, person.text
    order = (await client.get("/relay/orders/500", headers=RELAY)).json()
    assert order["fields"] == [{"id": field.json(), "position": 1, "name": "floor", "content": "3"}]
    assert [item["text"] for item in order["comments"]] == ["Hi"]
    assert [item["name"] for item in order["contactPersons"]] == ["Old", "Ann"]


async def test_an_order_keeps_the_parts_its_create_carries(client):
    order = {
        "title": "Fix the heating",
        "fields": [{"name": "floor", "content": "3", "position": 2}, {"name": "door", "content": "A", "position": 1}],
        "contactPersons": [{"name": "Ann", "type": "tenant", "emailAddress": "ann@example.com", "telephone": "+49 1"}],
    }
    created = await client.post("/relay/orders", files=_order_form(order), headers=RELAY)
    assert created.status_code == 200, created.text
    order_id = created.json()["id"]
    later = await client.post("/relay/order-fields", json={"name": "room", "content": "kitchen", "position": 3, "orderId": order_id}, headers=RELAY)
    read = (await client.get(f"/relay/orders/{order_id}", headers=RELAY)).json()
    assert [(item["name"], item["content"], item["position"]) for item in read["fields"]] == [
        ("door", "A", 1), ("floor", "3", 2), ("room", "kitchen", 3)]
    ids = [item["id"] for item in read["fields"]]
    assert all(isinstance(value, int) for value in ids) and len(set(ids)) == 3 and later.json() in ids
    assert read["contactPersons"] == [
        {"id": read["contactPersons"][0]["id"], "name": "Ann", "type": "tenant", "emailAddress": "ann@example.com", "telephone": "+49 1"}]
    listed = next(item for item in (await client.get("/relay/orders", headers=RELAY)).json() if item["id"] == order_id)
    assert listed["fields"] == read["fields"] and listed["contactPersons"] == read["contactPersons"]


async def test_an_integral_number_names_the_same_order(client):
    order_id = (await client.post("/relay/orders", files=_order_form({"title": "t"}), headers=RELAY)).json()["id"]
    as_float = {**RELAY, "content-type": "application/json"}
    field = await client.post("/relay/order-fields", headers=as_float,
                              content=b'{"name": "n", "content": "c", "position": 1.0, "orderId": %d.0}' % order_id)
    assert field.status_code == 200, field.text
    person = await client.post("/relay/order-contact-persons", headers=as_float,
                               content=b'{"name": "n", "type": "t", "email": "e@x.y", "orderId": %d.0}' % order_id)
    assert person.status_code == 204, person.text
    assert (await client.get(f"/relay/orders/{order_id}.0", headers=RELAY)).json()["id"] == order_id
    assert (await client.patch(f"/relay/orders/{order_id}.00", json={"status": "FINISHED"}, headers=RELAY)).status_code == 200
    comment = await client.post(f"/relay/orders/{order_id}.0/comments", files=[("text", (None, "t")), ("authorName", (None, "a"))], headers=RELAY)
    assert comment.status_code == 200, comment.text
    comments = (await client.get(f"/relay/orders/{order_id}.0/comments", headers=RELAY)).json()
    assert [item["orderId"] for item in comments] == [order_id]
    order = (await client.get(f"/relay/orders/{order_id}", headers=RELAY)).json()
    assert order["status"] == "FINISHED" and len(order["fields"]) == 1 and len(order["contactPersons"]) == 1
    assert order["fields"][0]["position"] == 1
    _error(await client.post("/relay/order-fields", json={"name": "n", "content": "c", "position": 1, "orderId": order_id + 0.5},
                             headers=RELAY), 404, "not found")


async def test_an_order_that_does_not_fit_leaves_none_of_its_parts():
    async with sandbox_client(max_account_store_mb=1) as client:
        store = client.app.sandbox.apis["relay"].runtime.store
        assert (await client.get("/relay/orders", headers=RELAY)).status_code == 200  # the demo orders are made
        used = dict(store.used)
        fields = [{"name": f"f{n}", "content": "x" * 100_000, "position": n} for n in range(6)]
        refused = await client.post("/relay/orders", files=_order_form({"title": "Big", "fields": fields}), headers=RELAY)
        _error(refused, 507, "--max-account-store-mb")
        assert len(store.collection("demo", "/order-fields")) == 0 and dict(store.used) == used
        assert "Big" not in [order["title"] for order in (await client.get("/relay/orders", headers=RELAY)).json()]


async def test_an_order_and_a_property_name_a_customer_of_the_account(client):
    mine = (await client.post("/relay/customers", json={"customer": {"name": "Mine"}}, headers=RELAY)).json()["customer"]["id"]
    theirs = (await client.post("/relay/customers", json={"customer": {"name": "Theirs"}}, headers=OTHER)).json()["customer"]["id"]
    mine = int(mine)
    orders_before = len((await client.get("/relay/orders", headers=RELAY)).json())
    for customer in (987654, int(theirs) + 1000):
        refused = await client.post("/relay/orders", files=_order_form({"title": "Fix", "customerId": customer}), headers=RELAY)
        _error(refused, 400, 'body field "order.customerId" does not exist')
        refused = await client.post("/relay/properties", json={"properties": [{"name": "House", "customerId": customer}]}, headers=RELAY)
        _error(refused, 400, 'body field "properties[0].customerId" does not exist')
    assert len((await client.get("/relay/orders", headers=RELAY)).json()) == orders_before
    # Another account's customer is no customer of this one.
    other_only = await client.post("/relay/orders", files=_order_form({"title": "Fix", "customerId": int(theirs)}), headers=OTHER)
    assert other_only.status_code == 200, other_only.text
    for customer in (mine, float(mine)):
        created = await client.post("/relay/orders", files=_order_form({"title": "Fix", "customerId": customer}), headers=RELAY)
        assert created.status_code == 200, created.text
        assert (await client.get(f"/relay/orders/{created.json()['id']}", headers=RELAY)).json()["customerId"] == mine
    placed = await client.post("/relay/properties", json={"properties": [{"name": "House", "customerId": mine}]}, headers=RELAY)
    assert placed.status_code == 200 and placed.json()["properties"][0]["customerId"] == mine
