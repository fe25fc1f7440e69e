"""The three Case messages operations and what a case allows."""

from __future__ import annotations

import copy
from typing import Any

from ...engine.errors import ApiError, Problem
from ...engine.state.changes import FROM_API
from ...engine.values.identifiers import canonical_identifier, identifier_key
from ...engine.vendor import Call, Reply
from .cases import MESSAGES, Case, CaseBook

OPTIONAL_FIELDS = ("content", "externalId", "parentMessageId", "userEmail", "userName")


def _cases(call: Call) -> CaseBook:
    return call.state


def _case_for(call: Call, guid: str) -> tuple[Case, str]:
    """The case and the caller's role in it: 404 unknown, 403 someone else's."""
    case = _cases(call).cases.get(str(guid).lower())
    if case is None:
        raise ApiError(404, f"case {guid} not found")
    role = case.role_of(call.account.name)
    if role is None:
        raise ApiError(403, "No access to this case")
    return case, role


def messages_of(call: Call, case: Case) -> list[dict[str, Any]]:
    """The case's messages in creation order."""
    return [record for _, record in call.runtime.store.find(case.partner, MESSAGES, "guid", case.guid)]


def create(call: Call) -> Reply:
    body = call.body
    case, role = _case_for(call, body["guid"])
    parent = canonical_identifier(body.get("parentMessageId"))
    if parent is not None and not any(message["id"] == parent for message in messages_of(call, case)):
        raise ApiError(400, problems=[Problem("body", ("parentMessageId",), "invalid", "must name a message of the same case")])
    now = call.runtime.now()
    message: dict[str, Any] = {
        "id": call.runtime.store.next_number(MESSAGES),
        "caseId": case.case_id,
        "guid": case.guid,
        "senderAccountId": call.account.attributes.get("accountId"),
        "senderType": role,
        "externalId": None,
        "type": body["type"],
        **{name: body[name] for name in OPTIONAL_FIELDS if body.get(name) is not None},
        **({"parentMessageId": parent} if parent is not None else {}),
        "confirmedAt": None,
        "createdAt": now,
        "updatedAt": now,
        "declaredAt": body.get("declaredAt") or now,
    }
    call.runtime.store.put(case.partner, MESSAGES, (), str(message["id"]), message, origin=FROM_API)
    return Reply(200, message)


def list_messages(call: Call) -> Reply:
    case, _ = _case_for(call, call.parameter("guid"))
    return Reply(200, messages_of(call, case))


def confirm(call: Call) -> Reply:
    """Confirms what it can, reports the rest, never rolls back."""
    errors = []
    now = call.runtime.now()
    cases = _cases(call)
    for message_id in map(canonical_identifier, call.body):
        found = _message(call, cases, message_id)
        if found is None:
            errors.append({"id": message_id, "message": "Not found"})
            continue
        case, message = found
        if case.role_of(call.account.name) is None:
            errors.append({"id": message_id, "message": "No access"})
            continue
        if message["confirmedAt"] is None:
            confirmed = {**copy.deepcopy(message), "confirmedAt": now, "updatedAt": now}
            call.runtime.store.put(case.partner, MESSAGES, (), identifier_key(message_id), confirmed, origin=FROM_API)
    return Reply(200, {"success": True, "errors": errors, "data": {}})


def _message(call: Call, cases: CaseBook, message_id: Any) -> tuple[Case, dict[str, Any]] | None:
    for partner in cases.partners():
        message = call.runtime.store.collection(partner, MESSAGES).get(identifier_key(message_id))
        if message is not None:
            case = cases.cases.get(str(message.get("guid")))
            if case is not None:
                return case, message
    return None
