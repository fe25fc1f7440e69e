"""Relay, poison then trigger: hostile values in every field the module's code reads (an
order and the parts it carries, a patch of an order, order fields, contact persons and
comments, customers, properties), then the code that reads them driven: the listener that
shows each part inside its order, every read and list, and the state export. See
poison.py for what every answer is held to."""

from __future__ import annotations

import json
from typing import Any

from tests.http_sandbox import RELAY, sandbox_client
from tests.poison import HOSTILE, Watch

R = "/relay"
PARTS = {"fields": "/order-fields", "contactPersons": "/order-contact-persons"}


async def _order(watch: Watch, fields: dict[str, Any]) -> Any:
    return await watch.post(f"{R}/orders", headers=RELAY, files={"order": (None, json.dumps(fields), "application/json")})


async def _read_order(watch: Watch, order: Any) -> dict[str, Any]:
    found = await watch.get(f"{R}/orders/{order}", headers=RELAY)
    return found.json() if found.status_code == 200 else {}


def _field(order: Any, value: Any) -> dict[str, Any]:
    return {"orderId": order, "name": "colour", "content": value, "position": 1}


def _person(order: Any, value: Any) -> dict[str, Any]:
    return {"orderId": order, "name": value, "type": "tenant", "email": "t@example.com"}


# What tells the parts of an order apart in its answer.
KEYS = {"fields": ("name", "content"), "contactPersons": ("name", "emailAddress"), "comments": ("text", "author")}


async def _parts_are_shown(watch: Watch, order: Any, stored: dict[str, list[dict[str, Any]]]) -> None:
    """Each part stored for the order is shown inside it, and nothing else is (fields come in
    `position` order, so the parts are compared without their order)."""
    shown = await _read_order(watch, order)
    for name, parts in stored.items():
        listed = shown.get(name)
        if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
            watch.problem(f"order {order} shows {name} {str(listed)[:200]}")
            continue
        seen = sorted(json.dumps([item.get(key) for key in KEYS[name]]) for item in listed)
        sent = sorted(json.dumps([part.get(key) for key in KEYS[name]]) for part in parts)
        if seen != sent:
            watch.problem(f"order {order} shows {name} {str(listed)[:200]}, stored: {parts}")


async def _add_parts(watch: Watch, order: Any, bodies: list[tuple[str, Any]], valid: int = 0) -> dict[str, list[dict[str, Any]]]:
    """Create the parts; the first ``valid`` bodies are valid and must be stored. Returns the
    parts the answers say were stored for ``order``, as an answer shows them."""
    stored: dict[str, list[dict[str, Any]]] = {"fields": [], "contactPersons": [], "comments": []}
    for position, (name, body) in enumerate(bodies):
        if name == "comments":
            made = await watch.post(f"{R}/orders/{order}/comments", headers=RELAY, files={key: (None, str(value)) for key, value in body.items()})
            shown = {"text": body["text"], "author": body["authorName"]}
        else:
            made = await watch.post(f"{R}{PARTS[name]}", headers=RELAY, json=body)
            shown = {**body, "emailAddress": body.get("email")}
        named = body.get("orderId", order)
        if made.status_code < 300 and type(named) in (int, float) and named == order:
            stored[name].append(shown)
        elif position < valid:
            watch.problem(f"a {name} part of order {order} sent as {json.dumps(body)} was refused: {made.status_code} {made.text[:160]}")
    return stored


async def test_a_patched_order_keeps_showing_the_parts_stored_for_it(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "relay"):
            for name in ("fields", "comments", "contactPersons", "attachments"):
                order = (await _order(watch, {"title": "Fix the heating"})).json()["id"]
                await watch.patch(f"{R}/orders/{order}", headers=RELAY, json={name: value})
                await watch.patch(f"{R}/orders/{order}", headers=RELAY, json={name: [value]})
                stored = await _add_parts(watch, order, [("fields", _field(order, "red")), ("contactPersons", _person(order, "Tess")),
                                                         ("comments", {"text": "hi", "authorName": "me"})], valid=3)
                await watch.get(f"{R}/orders/{order}/comments", headers=RELAY)
                await _parts_are_shown(watch, order, stored)
            await watch.get(f"{R}/orders", headers=RELAY)
        watch.assert_clean()


async def test_order_parts_with_any_values_are_shown_inside_their_order(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "relay"):
            order = (await _order(watch, {"title": "Fix the heating"})).json()["id"]
            text = value if isinstance(value, str) else json.dumps(value)
            stored = await _add_parts(watch, order, [
                ("comments", {"text": text, "authorName": "me"}), ("comments", {"text": "hi", "authorName": text}),
                # the same JSON number as the order's id, written as a float
                ("fields", {**_field(order, "blue"), "orderId": float(order)}),
                ("contactPersons", {**_person(order, "Ben"), "orderId": float(order)}),
                ("fields", _field(order, value)), ("fields", {**_field(order, "red"), "position": value}),
                ("fields", {**_field(order, "red"), "orderId": value}), ("contactPersons", _person(order, value)),
                ("contactPersons", {**_person(order, "Tess"), "email": value}), ("contactPersons", {**_person(order, "Tess"), "orderId": value}),
            ], valid=4)
            await watch.get(f"{R}/orders/{order}/comments", headers=RELAY)
            await _parts_are_shown(watch, order, stored)
            await watch.get(f"{R}/orders", headers=RELAY)
        watch.assert_clean()


async def test_an_order_created_with_its_parts_keeps_them(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "relay"):
            sent = {"title": "Fix the heating", "fields": [{"name": "colour", "content": "red", "position": 1}],
                    "contactPersons": [{"name": "Tess", "type": "tenant", "emailAddress": "t@example.com"}]}
            created = await _order(watch, sent)
            if created.status_code == 200:
                shown = await _read_order(watch, created.json()["id"])
                for name in ("fields", "contactPersons"):
                    kept = [{key: item.get(key) for key in sent[name][0]} for item in shown.get(name) or []]
                    if kept != sent[name]:
                        watch.problem(f"order created with {name} {sent[name]} shows {shown.get(name)}")
            for fields in ({"title": value}, {"title": "x", "status": value}, {"title": "x", "customerId": value},
                           {"title": "x", "fields": [{"name": value, "content": value, "position": value}]},
                           {"title": "x", "contactPersons": [{"name": value, "type": value}]}, {"title": "x", "dueDate": value}):
                made = await _order(watch, fields)
                if made.status_code == 200:
                    await _read_order(watch, made.json()["id"])
            await watch.get(f"{R}/orders", headers=RELAY)
        watch.assert_clean()


async def test_customers_and_properties_with_any_values_are_listed(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "relay"):
            for body in ({"customer": {"name": value}}, {"customer": {"name": "ACME"}, "casaviAccountId": value}):
                await watch.post(f"{R}/customers", headers=RELAY, json=body)
            for item in ({"name": value}, {"id": value, "name": "p"}, {"name": "p", "address": {"streetAddress": value}}):
                made = await watch.post(f"{R}/properties", headers=RELAY, json={"properties": [item]})
                if made.status_code == 200:
                    for stored in made.json().get("properties", []):
                        await watch.get(f"{R}/properties/{stored.get('id')}", headers=RELAY)
            await watch.get(f"{R}/customers", headers=RELAY)
            await watch.get(f"{R}/properties", headers=RELAY)
        watch.assert_clean()
