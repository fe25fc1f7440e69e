"""The demo data of every API keeps its promise to look real, read as a client reads it:
every listed collection and the collections under its objects, through the HTTP API.

The rules come from the contracts: an object is made before it changes and before
anything happens to it; what it holds (a ticket's tasks) and its child collections'
objects are made after it; a state and what names it agree (a nullable `declinedAt` only
on a DECLINED task, `completed` only on a COMPLETED one). And casavi's own: a ticket's
contact details are its contact's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from mock_server.apis import API_NAMES
from mock_server.engine.clock import parse_instant
from mock_server.engine.contract.collections import CREATED_FIELDS
from mock_server.engine.values.demo import timestamp_fields
from tests.http_sandbox import AFOSTO, RELAY, casavi_headers

ACCESS = {"afosto": (AFOSTO, {}), "relay": (RELAY, {}), "messages": ({}, {"accessToken": "demo-partner-token"})}
PARENTS_WALKED = 2  # the child collections of this many objects of each listed collection
_PARAMETER = re.compile(r"{[^}]+}")


@dataclass
class Listed:
    path: str  # the concrete path read, e.g. `/tickets/T-00001/comments`
    schema: dict[str, Any]  # the model of its objects
    objects: list[dict[str, Any]]
    parent: dict[str, Any] | None  # the object the collection belongs to


def _rows(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        body = next((value for value in body.values() if isinstance(value, list)), [])
    return [row for row in body if isinstance(row, dict)] if isinstance(body, list) else []


async def _walk(client, api: str) -> list[Listed]:
    """Every collection a client can list without naming anything but its parents, top-level
    first, then under the first objects of each listed one."""
    runtime = client.app.sandbox.apis[api].runtime
    headers, query = (await casavi_headers(client), {}) if api == "casavi" else ACCESS[api]
    lists = sorted(
        (
            operation
            for operation in runtime.contract.operations.values()
            if operation.kind == "list"
            and operation.resource in runtime.collections
            and not any(p.required for p in operation.parameters if p.location != "path")
        ),
        key=lambda operation: operation.path.count("{"),
    )
    listed: dict[str, list[Listed]] = {}  # template -> the collections read of it
    walked = []
    for operation in lists:
        info = runtime.collections[operation.resource]
        if "{" not in operation.path:
            places: list[tuple[str, dict[str, Any] | None]] = [(operation.path, None)]
        else:
            owner = operation.path[: operation.path.rfind("/{")]
            rest = operation.path[operation.path.rfind("/{") :]
            if "{" in rest[2:] or owner not in runtime.collections:
                continue
            id_field = runtime.collections[owner].id_field
            places = [
                (seen.path + _PARAMETER.sub(lambda _: str(parent[id_field]), rest, count=1), parent)
                for seen in listed.get(owner, [])
                for parent in seen.objects[:PARENTS_WALKED]
                if parent.get(id_field) not in (None, "")
            ]
        for path, parent in places:
            answer = await client.get(f"/{api}{path}", headers={**headers, "x-page-size": "100"}, params=query)
            assert answer.status_code == 200, (path, answer.text)
            found = Listed(path, info.item_schema, _rows(answer.json()), parent)
            listed.setdefault(operation.path, []).append(found)
            walked.append(found)
    return walked


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_instant(f"{value}T00:00:00Z" if len(value) == 10 else value)
    except ValueError:
        return None


def _made(record: dict[str, Any]) -> datetime | None:
    return next((_instant(record[name]) for name in CREATED_FIELDS if _instant(record.get(name))), None)


def _not_before(value: str, instant: datetime) -> bool:
    """A date is on or after the day of ``instant``; a time on or after the instant."""
    stamp = _instant(value)
    assert stamp is not None
    return stamp.date() >= instant.date() if len(value) == 10 else stamp >= instant


def _held(record: dict[str, Any], schema: dict[str, Any]):
    """(field, object, model) of the objects a record holds, however deep."""
    for name, prop in schema.get("properties", {}).items():
        value = record.get(name)
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if isinstance(value, dict) and prop.get("properties"):
            yield name, value, prop
        elif isinstance(value, list) and items.get("properties"):
            yield from ((name, item, items) for item in value if isinstance(item, dict))


def _problems(record: dict[str, Any], schema: dict[str, Any], where: str, made_after: datetime | None) -> list[str]:
    """What makes one object (and what it holds) look made up rather than real."""
    found = []
    properties = schema.get("properties", {})
    made = _made(record)
    if made is not None:
        if made_after is not None and made < made_after:
            found.append(f"{where}: made {made} before what it belongs to ({made_after})")
        for name in timestamp_fields(schema):
            value = record.get(name)
            if _instant(value) is not None and not _not_before(value, made):
                found.append(f"{where}.{name}: {value} is before the object was made ({made})")
    for state_field in ("status", "state"):
        current = record.get(state_field)
        for option in properties.get(state_field, {}).get("enum") or []:
            if not isinstance(option, str):
                continue
            word = re.sub(r"[^a-z]", "", option.lower())
            for name, prop in properties.items():
                value = record.get(name)
                flag = re.sub(r"[^a-z]", "", name.lower())
                flag = flag[2:] if re.match(r"is[_A-Z]", name) else flag
                if prop.get("type") == "boolean" and flag == word and isinstance(value, bool) and value != (current == option):
                    found.append(f"{where}: {state_field} {current} but {name} is {value}")
                if name in (f"{word}At", f"{word}_at") and prop.get("nullable") and value is not None and current != option:
                    found.append(f"{where}: {state_field} {current} but {name} is set")
    for name in record:
        if re.fullmatch(r"(?i)(deleted|archived|removed)(At|_at)", name) and record[name] is not None:
            found.append(f"{where}.{name}: a listed object is not gone")
    for name, held, held_schema in _held(record, schema):
        found += _problems(held, held_schema, f"{where}.{name}[]", made or made_after)
    return found


@pytest.mark.parametrize("api", API_NAMES)
async def test_demo_objects_look_real(client, api):
    walked = await _walk(client, api)
    problems = []
    for listed in walked:
        parent_made = _made(listed.parent) if listed.parent is not None else None
        for index, record in enumerate(listed.objects):
            problems += _problems(record, listed.schema, f"{listed.path}[{index}]", parent_made)
    assert not problems, "\n".join(problems[:20])
    objects = sum(len(listed.objects) for listed in walked)
    assert objects or api == "messages"  # its cases come from fixtures: no demo objects


async def test_afosto_children_are_walked_under_their_parents(client):
    """The walk reaches collections under listed objects (the rules above apply to them)."""
    walked = await _walk(client, "afosto")
    nested = {listed.path for listed in walked if listed.parent is not None and listed.objects}
    assert any("/positions" in path for path in nested), sorted(nested)[:10]


async def test_casavi_demo_tickets_name_their_contact_as_it_is(client):
    headers = await casavi_headers(client)
    contacts = {contact["id"]: contact for contact in (await client.get("/casavi/contacts", headers=headers)).json()}
    tickets = (await client.get("/casavi/tickets", headers=headers)).json()
    assert tickets and all(ticket.get("contactId") in contacts for ticket in tickets)
    for ticket in tickets:
        contact = contacts[ticket["contactId"]]
        assert ticket["contactName"] == f"{contact['firstName']} {contact['lastName']}", ticket
        assert ticket["contactEmail"] == contact["email"]
        assert ticket.get("contactTelephone") == (contact.get("telephone") or contact.get("mobile"))


async def test_casavi_demo_tasks_agree_with_their_state(client):
    """The tasks a demo ticket holds: `completed` only when COMPLETED, only their own state's
    stamp, made after their ticket."""
    headers = await casavi_headers(client)
    tickets = (await client.get("/casavi/tickets", headers=headers)).json()
    tasks = [(ticket, task) for ticket in tickets for task in ticket.get("tasks") or []]
    assert tasks
    stamps = {"ACCEPTED": "acceptedAt", "DECLINED": "declinedAt", "COMPLETED": "completedAt"}
    for ticket, task in tasks:
        assert task["completed"] == (task["status"] == "COMPLETED"), task
        for status, field in stamps.items():
            assert (task.get(field) is not None) == (task["status"] == status), (field, task)
        assert task["createdAt"] >= ticket["createdAt"]
