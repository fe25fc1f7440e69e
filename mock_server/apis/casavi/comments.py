"""Ticket comments: who wrote them, and changing one without losing that.

The author resolves from `authorId` (a staff member's reference id), else from
`authorEmail` (a contact's email); with neither given the account's name is used. An
author that is given but not found is a 400 naming it, unless `fallbackToAccount` is
true (then the account's name is used). The comment keeps what was resolved as
`author: {type, id, name, email}` with `type` one of staff, contact, account.
"""

from __future__ import annotations

from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.contract.references import RequiredReference
from ...engine.errors import ApiError, Problem
from ...engine.vendor import Call, Reply
from .attachments import require_uploaded
from .collection_paths import COMMENTS, CONTACTS, STAFF

FALLBACK_HINT = "(set fallbackToAccount to write as the account instead)"
# Who may be named as a comment's author (unless `fallbackToAccount` is true).
AUTHOR_REFERENCES = (
    RequiredReference("POST", COMMENTS, "authorId", STAFF),
    RequiredReference("POST", COMMENTS, "authorEmail", CONTACTS, by="email"),
)
# What `PUT /tickets/{ticketId}/comments/{commentId}` may change.
CHANGEABLE = ("text", "isInternal")


def display_name(person: dict[str, Any]) -> str:
    name = " ".join(str(person[part]) for part in ("firstName", "lastName") if person.get(part))
    return name or str(person.get("company") or person.get("email") or person.get("id") or "")


def resolve_author(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """The comment's author, or ApiError(400) naming the author that was not found."""
    author_id, email = body.get("authorId"), body.get("authorEmail")
    problems = []
    if author_id not in (None, ""):
        staff = call.runtime.collection(call.account, STAFF).get(str(author_id))
        if staff is not None:
            return {"type": "staff", "id": staff.get("id"), "name": display_name(staff), "email": staff.get("email")}
        problems.append(Problem("body", ("authorId",), "invalid", f"names {author_id!r}, which is no staff member of this account {FALLBACK_HINT}"))
    if email not in (None, ""):
        call.runtime.collection(call.account, CONTACTS)  # demo contacts are made on first use
        found = call.runtime.store.find(call.account.name, CONTACTS, "email", email)
        if found:
            contact = found[0][1]
            return {"type": "contact", "id": contact.get("id"), "name": display_name(contact), "email": contact.get("email")}
        problems.append(Problem("body", ("authorEmail",), "invalid", f"names {email!r}, which is the email of no contact of this account {FALLBACK_HINT}"))
    if problems and body.get("fallbackToAccount") is not True:
        raise ApiError(400, problems=problems)
    return {"type": "account", "id": None, "name": call.account.name, "email": None}


def comment_ticket(call: Call) -> Reply:
    """`POST /tickets/{ticketId}/comments`: a comment with its resolved author; `id` defaults to a UUID."""
    call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
    body = toolkit.body_fields(call)
    require_uploaded(call, body.get("attachments"))
    author = resolve_author(call, body)
    body.pop("fallbackToAccount", None)
    info = toolkit.info_of(call)
    record = toolkit.new_record(call, info, {**body, "author": author})
    stored = toolkit.store_new(call, info, record)
    return success(call, stored, str(stored[info.id_field]))


def update_comment(call: Call) -> Reply:
    """`PUT .../comments/{commentId}` changes the text and `isInternal`; author and attachments stay."""
    call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
    info = toolkit.info_of(call)
    key = toolkit.object_key(call)
    before = toolkit.find_in(call, info, key)
    changes = {name: value for name, value in toolkit.body_fields(call).items() if name in CHANGEABLE}
    after = toolkit.kept_identity(info, before, toolkit.merged(before, changes))
    return success(call, toolkit.save(call, info, key, after), key)
