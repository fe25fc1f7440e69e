"""Fields that name an object of another collection: `resourceId`, `location_id`, `orderId`.

A field whose name is a noun followed by `Id` / `_id` names an object of the collection
called by that noun (`resourceId` -> `/consumptions/resources`). Where several collections
share the noun, a top-level collection wins over one nested under another object, then the
one nearest to the operation's own path (most leading path segments in common), then the
shallowest; a tie names none, rather than a guess.

Where a name cannot tell (`settings.phone_number_id`, a proxy named by its key in a path,
a comment author named by a contact's email), an API module states the reference itself
(`RequiredReference`, in its `DataModel`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..inflection import singular
from .kinds import is_parameter
from .schema import Schema

_REFERENCE = re.compile(r"^(?P<noun>[A-Za-z][A-Za-z0-9_]*?)(?:Id|_id|ID)(?P<plural>s?)$")


@lru_cache(maxsize=4096)
def noun_of(template: str) -> str:
    """`/tickets/{ticketId}/comments` -> `comment`: what the collection's objects are called."""
    literals = [segment for segment in template.split("/") if segment and not is_parameter(segment)]
    return singular(literals[-1]).replace("-", " ").replace("_", " ") if literals else "object"


@lru_cache(maxsize=4096)
def referenced_nouns(field: str) -> tuple[str, ...]:
    """The nouns a field name may refer by, most specific first.

    `resourceId` -> [`resource`]; `delivery_route_id` -> [`delivery route`, `route`];
    `item_ids` -> [`item`] (a list of references); `id` and names without the suffix -> [].
    (Returned as a tuple.)
    """
    match = _REFERENCE.match(field)
    if match is None:
        return ()
    words = [word.lower() for word in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", match["noun"].replace("_", " "))]
    if not words:
        return ()
    return (" ".join(words), words[-1]) if len(words) > 1 else (words[0],)


def names_references(field: str) -> bool:
    """Whether the field's name says it holds one or more identifiers of other objects."""
    return bool(referenced_nouns(field))


# A collection's identifier: the field that holds it and that field's schema.
Key = tuple[str, Schema]


@dataclass(frozen=True)
class RequiredReference:
    """A part of a request that an API module requires to name an existing object.

    ``field`` is a body field path (`hub_id`, `settings.shipping.address_id`,
    `indexes[].index_id`, `[].claim_id` in a list body) or a path parameter in braces
    (`{signature}`); ``target`` is the collection whose object it names, by the object's
    identifier or, with ``by``, by another field that tells its objects apart (`email`).
    The contract generator turns these into links, where naming alone cannot tell.
    """

    method: str
    path: str
    field: str
    target: str
    by: str | None = None

    @property
    def in_path(self) -> bool:
        return self.field.startswith("{") and self.field.endswith("}")


@dataclass(frozen=True)
class BodyReference(RequiredReference):
    """A body field that names an object of another collection by its identifier, checked
    wherever it travels (`reference_checks.py`); with ``guards_delete`` the named object
    cannot be deleted while an object still names it (409)."""

    guards_delete: bool = False


@dataclass(frozen=True)
class MadeObjects:
    """An operation that makes objects of a collection other than its own (an upload makes
    files, a trigger makes a webhook message), and the runtime expression of one new
    object's identifier in its answer (`$response.body#/0/id`)."""

    method: str
    path: str
    collection: str
    expression: str


@dataclass(frozen=True)
class Prerequisite:
    """An operation that takes only objects another operation went through first (a batch
    is confirmed once it was validated): the objects its path names come from that one."""

    method: str
    path: str
    before_method: str
    before_path: str


def field_parts(field: str) -> list[str]:
    """`routing[].claim_id` -> [`routing`, `[]`, `claim_id`]; `[].claim_id` -> [`[]`, `claim_id`]."""
    return [part for part in field.replace("[]", ".[]").split(".") if part]


def schema_at(schema: Schema, field: str) -> Schema | None:
    """The schema of a body field path within ``schema`` (None where it has no such field)."""
    current: Schema | None = schema
    for part in field_parts(field):
        if current is None:
            return None
        if part == "[]":
            current = current.get("items") if current.get("type") == "array" else None
        else:
            current = current.get("properties", {}).get(part)
    return current


def referenced_collection(field: str, field_schema: Schema, collections: dict[str, Key], near: str) -> str | None:
    """The collection template whose objects ``field`` names, or None.

    ``collections`` maps each collection template to its identifier field and schema;
    ``near`` is the path of the operation the field belongs to. A list field
    (`item_ids`) is compared by its items.
    """
    if field_schema.get("type") == "array":
        field_schema = field_schema.get("items", {})
    for noun in referenced_nouns(field):
        candidates = [
            template
            for template, key in collections.items()
            if noun_of(template) == noun and compatible(field_schema, key)
        ]
        if candidates:
            return _nearest(candidates, near)
    return None


def _nearest(candidates: Iterable[str], near: str) -> str | None:
    ranked = sorted(
        ("{" in template, -_shared_prefix(template, near), template.count("/"), template) for template in candidates
    )
    if len(ranked) > 1 and ranked[0][:3] == ranked[1][:3]:
        return None
    return ranked[0][3]


def _shared_prefix(template: str, path: str) -> int:
    count = 0
    for left, right in zip(template.strip("/").split("/"), path.strip("/").split("/")):
        if left != right or is_parameter(left):
            break
        count += 1
    return count


def compatible(field_schema: Schema, key: Key) -> bool:
    """A reference's type agrees with the identifier's (text ids take any text, but a
    `uuid` reference names no object keyed by a code or a SKU)."""
    id_field, id_schema = key
    if field_schema.get("format") == "uuid" and id_field != "id" and id_schema.get("format") != "uuid":
        return False
    wanted = field_schema.get("type")
    actual = id_schema.get("type")
    if wanted is None or actual is None:
        return True
    if wanted == actual:
        return True
    return {wanted, actual} == {"integer", "number"}
