"""Files uploaded with `POST /files`, and the attachments on tickets, comments and tasks that name them.

An upload is kept as its name, content type and size in the account's `/files`
collection under an integer id (the bytes are not kept). Attachment ids must name files
the same account uploaded (400 naming the id otherwise); stored tickets, comments and
tasks show each attachment's details. A comment's attachments are connected to its
ticket, the documented way to attach files to a ticket after it was created.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.generic import generic_handler
from ...engine.behaviour.replies import success
from ...engine.contract.references import RequiredReference
from ...engine.errors import ApiError, Problem
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import CREATED, SERVER_ORIGINS, UPDATED, Change
from ...engine.values.identifiers import identifier_key
from ...engine.vendor import Call, Reply
from .collection_paths import COMMENTS, FILES, TASKS, TICKETS

ATTACHING = (TICKETS, COMMENTS, TASKS)
# The bodies whose `attachments` must name files the account uploaded.
ATTACHMENT_REFERENCES = tuple(
    RequiredReference(method, path, "attachments", FILES)
    for method, path in (("POST", TICKETS), ("POST", COMMENTS), ("POST", TASKS), ("PUT", f"{TASKS}/{{taskId}}"))
)


def upload_file(call: Call) -> Reply:
    """`POST /files`: raw bytes with `X-Filename` and `Content-Type` -> `{id}`."""
    info = toolkit.info_of(call)
    content = call.body if isinstance(call.body, (bytes, bytearray)) else b""
    record = {
        "name": call.incoming.headers.get("x-filename", ""),
        "contentType": call.incoming.headers.get("content-type") or "application/octet-stream",
        "size": len(content),
    }
    stored = toolkit.store_new(call, info, toolkit.new_record(call, info, record))
    return success(call, stored, str(stored[info.id_field]))


def require_uploaded(call: Call, ids: Any) -> None:
    """400 naming every attachment id that is not a file this account uploaded."""
    if not isinstance(ids, list):
        return
    files = call.runtime.collection(call.account, FILES)
    problems = [
        Problem(
            "body", ("attachments", index), "invalid",
            f"names file {value!r}, which this account has not uploaded (upload it with POST /files first)",
        )
        for index, value in enumerate(ids)
        if identifier_key(value) not in files
    ]
    if problems:
        raise ApiError(400, problems=problems)


def with_uploaded_attachments(call: Call) -> Reply:
    """The generic behaviour, once the body's attachment ids are known files."""
    if isinstance(call.body, dict):
        call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
        require_uploaded(call, call.body.get("attachments"))
    return generic_handler(call)


def update_ticket(call: Call) -> Reply:
    """`PUT /tickets/{ticketId}` replaces the ticket but not its attachments (they come with comments)."""
    current = toolkit.collection_of(call).get(toolkit.object_key(call))
    if not isinstance(call.body, dict) or current is None:
        return generic_handler(call)
    body = {name: value for name, value in call.body.items() if name != "attachments"}
    if "attachments" in current:
        body["attachments"] = copy.deepcopy(current["attachments"])
    return generic_handler(dataclasses.replace(call, request=dataclasses.replace(call.request, body=body)))


def attachment_details(runtime: ApiRuntime, account: str, ids: list[Any]) -> list[dict[str, Any]]:
    files = runtime.store.collection(account, FILES)
    details = []
    for value in ids:
        found = files.get(identifier_key(value))
        if found is not None:
            details.append({key: found.get(key) for key in ("id", "name", "contentType", "size")})
    return details


class AttachmentDetails:
    """Preparer of tickets, comments and tasks: `attachmentDetails` follow `attachments`."""

    collections = ATTACHING

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        ids = (change.after or {}).get("attachments")
        if change.after is not None and isinstance(ids, list):
            change.after["attachmentDetails"] = attachment_details(self.runtime, change.account, ids)


class CommentAttachmentsOnTicket:
    """Listener: files attached to a comment are attached to its ticket too."""

    collections = (COMMENTS,)
    kinds = (CREATED, UPDATED)
    origins = SERVER_ORIGINS

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        ids = (change.after or {}).get("attachments")
        if not isinstance(ids, list) or not ids or not change.parents:
            return
        ticket = self.runtime.store.collection(change.account, TICKETS).get(change.parents[0])
        if ticket is None:
            return
        current = list(ticket.get("attachments") or [])
        added = [value for value in ids if value not in current]
        if not added:
            return
        changed = copy.deepcopy(ticket)
        changed["attachments"] = current + added
        self.runtime.store.put(change.account, TICKETS, (), change.parents[0], changed, origin=change.origin)
