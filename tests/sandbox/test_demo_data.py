"""The demo data of every API looks real: timestamps in order and never words, state and
stamps agreeing, ticket numbers in sequence, references naming demo objects that exist."""

from __future__ import annotations

import re

import pytest

from mock_server.apis import API_NAMES
from mock_server.engine.clock import parse_instant
from mock_server.engine.contract.collections import CREATED_FIELDS, UPDATED_FIELDS
from mock_server.engine.contract.references import names_references, referenced_collection
from mock_server.engine.values.demo import timestamp_fields
from tests.http_sandbox import AFOSTO, RELAY, casavi_headers

ACCESS = {
    "afosto": (AFOSTO, {}),
    "relay": (RELAY, {}),
    "messages": ({}, {"accessToken": "demo-partner-token"}),
}


async def _access(client, api: str) -> tuple[dict[str, str], dict[str, str]]:
    if api == "casavi":
        return await casavi_headers(client), {}
    return ACCESS[api]


def _rows(body):
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return next((value for value in body.values() if isinstance(value, list)), [])
    return []


async def _demo_objects(client, api: str):
    """(collection, model, objects) for every listed collection that has demo objects."""
    runtime = client.app.sandbox.apis[api].runtime
    headers, query = await _access(client, api)
    for operation in runtime.contract.operations.values():
        info = runtime.collections.get(operation.resource or "")
        if operation.kind != "list" or info is None or operation.path != info.template or not info.top_level:
            continue
        if not info.listable or info.template in runtime.data_model.no_demo:
            continue
        if any(p.required for p in operation.parameters if p.location != "path"):
            continue
        answer = await client.get(f"/{api}{operation.path}", headers={**headers, "x-page-size": "100"}, params=query)
        assert answer.status_code == 200, (operation.path, answer.text)
        stored = list(runtime.collection(runtime.accounts[next(iter(runtime.accounts))], info.template).values())
        yield info, operation, [row for row in _rows(answer.json()) if isinstance(row, dict)], stored


def _instant(text: str):
    return parse_instant(f"{text}T00:00:00Z" if len(text) == 10 else text)


@pytest.mark.parametrize("api", API_NAMES)
async def test_timestamps_are_instants_in_order(client, api):
    checked = 0
    async for info, operation, rows, stored in _demo_objects(client, api):
        item = operation.success.schema.get("items") or {}
        fields = set(timestamp_fields(info.item_schema)) | set(timestamp_fields(item))
        for record in [*rows, *stored]:
            for name in fields:
                value = record.get(name)
                if isinstance(value, str):
                    try:
                        _instant(value)
                    except ValueError:
                        pytest.fail(f"{info.template} {name}: {value!r} is no instant")
                    checked += 1
            created = [record[name] for name in CREATED_FIELDS if isinstance(record.get(name), str)]
            updated = [record[name] for name in UPDATED_FIELDS if isinstance(record.get(name), str)]
            for first in created:
                for last in updated:
                    assert _instant(first) <= _instant(last), (info.template, record)
            for name in ("deleted_at", "deletedAt"):
                assert record.get(name) is None, (info.template, name)
    assert checked or api == "messages"


async def test_casavi_tickets_are_numbered_and_closed_only_when_closed(client):
    headers = await casavi_headers(client)
    tickets = (await client.get("/casavi/tickets", headers=headers)).json()
    assert sorted(int(ticket["number"]) for ticket in tickets) == list(range(1, len(tickets) + 1))
    for ticket in tickets:
        assert (ticket["closedAt"] is not None) == (ticket["status"] == "CLOSED"), ticket
        assert ticket["lastModified"] >= ticket["createdAt"]
        assert not re.fullmatch(r"[a-z]+", ticket["lastModified"])
    created = await client.post("/casavi/tickets", json={"id": "T-NEW", "title": "New", "propertyId": "P-00001"}, headers=headers)
    assert created.json()["number"] == str(len(tickets) + 1)


@pytest.mark.parametrize("api", API_NAMES)
async def test_references_between_demo_objects_resolve(client, api):
    runtime = client.app.sandbox.apis[api].runtime
    headers, query = await _access(client, api)
    readers = {
        operation.resource: operation
        for operation in runtime.contract.operations.values()
        if operation.kind == "read" and operation.path.rsplit("/", 1)[0] == operation.resource
    }
    resolved = 0
    async for info, operation, rows, stored in _demo_objects(client, api):
        for record in stored:
            for name, prop in info.item_schema.get("properties", {}).items():
                value = record.get(name)
                if not names_references(name) or name == info.id_field or value is None:
                    continue
                keys = {template: (other.id_field, other.id_schema) for template, other in runtime.collections.items()}
                target = referenced_collection(name, prop, keys, info.template)
                reader = readers.get(target)
                if reader is None or "{" in (target or "{"):
                    continue
                for key in value if isinstance(value, list) else [value]:
                    path = reader.path.rsplit("/", 1)[0] + f"/{key}"
                    answer = await client.get(f"/{api}{path}", headers=headers, params=query)
                    assert answer.status_code == 200, f"{info.template} {name}={key!r}: {answer.status_code}"
                    resolved += 1
    if api in ("casavi", "afosto"):
        assert resolved

