"""The three Case messages operations and the case rules they enforce."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.errors import ApiError, Problem
from ...engine.vendor import Call, Reply
from .cases import Case

if TYPE_CHECKING:
    from .api import MessagesApi

OPTIONAL_FIELDS = ("content", "externalId", "parentMessageId", "userEmail", "userName")


def register(api: "MessagesApi") -> None:
    def case_for(call: Call, guid: str) -> tuple[Case, str]:
        """The case and the caller's role in it: 404 unknown, 403 someone else's."""
        case = api.cases.cases.get(str(guid).lower())
        if case is None:
            raise ApiError(404, f"case {guid} not found")
        role = case.role_of(call.account.name)
        if role is None:
            raise ApiError(403, "No access to this case")
        return case, role

    @api.handler("createCaseMessages")
    def create(call: Call) -> Reply:
        body = call.body
        case, role = case_for(call, body["guid"])
        parent = body.get("parentMessageId")
        if parent is not None and not any(message["id"] == parent for message in case.messages):
            raise ApiError(400, problems=[Problem("body", ("parentMessageId",), "invalid", "must name a message of the same case")])
        now = call.runtime.now()
        message: dict[str, Any] = {
            "id": call.runtime.store.next_number("messages"),
            "caseId": case.case_id,
            "guid": case.guid,
            "senderAccountId": call.account.attributes.get("accountId"),
            "senderType": role,
            "externalId": None,
            "type": body["type"],
            **{name: body[name] for name in OPTIONAL_FIELDS if body.get(name) is not None},
            "confirmedAt": None,
            "createdAt": now,
            "updatedAt": now,
            "declaredAt": body.get("declaredAt") or now,
        }
        api.cases.add_message(case, message)
        return Reply(200, message)

    @api.handler("getCaseMessages")
    def list_messages(call: Call) -> Reply:
        case, _ = case_for(call, call.parameter("guid"))
        return Reply(200, list(case.messages))

    @api.handler("confirmCaseMessages")
    def confirm(call: Call) -> Reply:
        """Confirms what it can, reports the rest, never rolls back."""
        errors = []
        now = call.runtime.now()
        for message_id in call.body:
            found = api.cases.messages.get(message_id)
            if found is None:
                errors.append({"id": message_id, "message": "Not found"})
                continue
            case, message = found
            if case.role_of(call.account.name) is None:
                errors.append({"id": message_id, "message": "No access"})
                continue
            if message["confirmedAt"] is None:
                message["confirmedAt"] = now
                message["updatedAt"] = now
        return Reply(200, {"success": True, "errors": errors, "data": {}})
