"""Demo objects that look like real ones: a timeline in order, states that agree with
their timestamps, references that name other demo objects.

`DemoObjects` decides which collections get demo objects (or make one when it is first
named) and draws each object's fields from the seed; the runtime stores them.

The fake values of a model are drawn field by field; these rules make one object of them
hang together, as if the server had made it and it had lived a while: created first,
changed later, an event stamp only where its state says the event happened (`closedAt`
only on a CLOSED ticket), a flag named for a state only where the object is in it (a
DECLINED task is not `completed`), no deletion stamp on an object that is listed as
present. The objects it holds (a ticket's tasks) and the objects of its child collections
are made after it.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any, Callable

import orjson

from ..clock import format_instant, parse_instant
from ..contract.collections import CREATED_FIELDS, UPDATED_FIELDS, CollectionInfo
from ..contract.references import names_references, referenced_collection
from ..contract.schema import Schema
from ..memo import BoundedMemo
from .fake import FakeData, is_timestamp_name, stable_int
from .identifiers import typed_identifier

# Demo objects whose generated fields are kept for the next time they are made, per API.
DEMO_FIELDS_KEPT = 1024
_HOUR = 3600
_DAY = 24 * _HOUR
# Stamps of things planned rather than done: any time after the object was made.
_PLANNED = re.compile(r"(?i)(expire|due|expected|estimated|schedule|ship|departure|arrival|evaluate|follow|end|start)")
# Stamps saying the object is gone; a demo object is present.
_GONE = re.compile(r"(?i)^(deleted|archived|removed|disabled)(At|_at)$")


def timestamp_fields(schema: Schema) -> list[str]:
    """The fields of a model that hold instants: `date-time` strings and instant-named strings."""
    fields = []
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") != "string":
            continue
        if prop.get("format") == "date-time" or (prop.get("format") is None and is_timestamp_name(name)):
            fields.append(name)
    return fields


def settle(
    record: dict[str, Any],
    schema: Schema,
    rng: random.Random,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> dict[str, Any]:
    """Make one demo object's timestamps and state agree, and those of the objects it
    holds; made no earlier than ``not_before`` (its parent's creation) and, but for plans,
    stamped no later than ``not_after`` (now), when given. Changed in place, returned."""
    properties = schema.get("properties", {})
    stamps = [name for name in timestamp_fields(schema) if isinstance(record.get(name), str)]
    created = _first_instant(record, stamps)
    if created is not None and not_before is not None and created < not_before:
        created = not_before + timedelta(seconds=rng.randrange(0, 30 * _DAY))
        if not_after is not None:
            created = min(created, max(not_after, not_before))
    if created is not None:
        lived = rng.randrange(_HOUR, 90 * _DAY)
        for name in stamps:
            if name in CREATED_FIELDS or name.lower().startswith("created"):
                offset = 0
            elif name in UPDATED_FIELDS or "updated" in name.lower() or "modified" in name.lower():
                offset = lived
            elif _PLANNED.search(name):
                offset = rng.randrange(_HOUR, 365 * _DAY)
            else:
                offset = rng.randrange(0, lived)
            instant = created + timedelta(seconds=offset)
            if not_after is not None and not _PLANNED.search(name):
                instant = max(created, min(instant, not_after))
            record[name] = _written_like(record[name], instant, properties.get(name, {}))
    for name in list(record):
        if _GONE.match(name):
            if properties.get(name, {}).get("nullable"):
                record[name] = None
            else:
                del record[name]
        elif name in ("is_deleted", "isDeleted", "deleted") and isinstance(record[name], bool):
            record[name] = False
    _agree_with_state(record, properties)
    for name, prop in properties.items():
        for held, held_schema in _held_objects(record.get(name), prop):
            settle(held, held_schema, rng, created or not_before, not_after)
    return record


def _held_objects(value: Any, schema: Schema) -> list[tuple[dict[str, Any], Schema]]:
    """The objects a field holds (one, or a list of them) with their model, where it has fields."""
    if isinstance(value, dict) and schema.get("properties"):
        return [(value, schema)]
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict) and items.get("properties"):
        return [(item, items) for item in value if isinstance(item, dict)]
    return []


def made_at(record: dict[str, Any] | None) -> datetime | None:
    """When a stored object was made, from its creation stamp (None when it has none)."""
    for name in CREATED_FIELDS:
        value = (record or {}).get(name)
        if isinstance(value, str):
            try:
                return parse_instant(_as_instant(value))
            except ValueError:
                continue
    return None


def _first_instant(record: dict[str, Any], stamps: list[str]) -> Any:
    """When the object was made: its creation stamp, else its earliest stamp."""
    found = []
    for name in stamps:
        try:
            found.append((name not in CREATED_FIELDS and not name.lower().startswith("created"), parse_instant(_as_instant(record[name]))))
        except ValueError:
            continue
    return min(found)[1] if found else None


def _as_instant(text: str) -> str:
    return f"{text}T00:00:00.000Z" if len(text) == 10 else text


def _written_like(previous: str, instant: Any, schema: Schema) -> str:
    text = format_instant(instant)
    return text[:10] if schema.get("format") == "date" or len(previous) == 10 else text


def _agree_with_state(record: dict[str, Any], properties: dict[str, Schema]) -> None:
    """`<event>At` is set only when the object's status says the event happened; a flag
    named for a state (`completed`, `isClosed`) is true only in that state."""
    for state_field in ("status", "state"):
        options = properties.get(state_field, {}).get("enum") or []
        current = record.get(state_field)
        for option in options:
            if not isinstance(option, str):
                continue
            word = re.sub(r"[^a-z]", "", option.lower())
            for name in (f"{word}At", f"{word}_at"):
                if name in properties and properties[name].get("nullable") and option != current:
                    record[name] = None
            for name, value in record.items():
                if isinstance(value, bool) and _flag_word(name) == word:
                    record[name] = option == current


def _flag_word(name: str) -> str:
    """`completed`, `isCompleted`, `is_completed` -> `completed`."""
    word = re.sub(r"[^a-z]", "", name.lower())
    return word[2:] if re.match(r"is[_A-Z]", name) else word


class DemoObjects:
    """The demo objects of one API: which collections get them, and the fields of each."""

    def __init__(
        self, api: str, fake: FakeData, collections: dict[str, CollectionInfo], enabled: bool, left_out: frozenset[str]
    ) -> None:
        self.api = api
        self.fake = fake
        self.collections = collections
        self.enabled = enabled  # demo data is on (`--no-demo-data` turns it off)
        self.left_out = left_out  # collections the API module keeps free of demo objects
        self.reference_keys = {template: (info.id_field, info.id_schema) for template, info in collections.items()}
        # (template, seed key) -> a demo object's generated fields, as JSON: they depend on
        # the seed and the key only, so regenerating demo data after a reset costs a copy.
        self._fields = BoundedMemo(DEMO_FIELDS_KEPT)

    def listed_in(self, info: CollectionInfo) -> bool:
        """Listed collections get demo objects: top-level ones, and nested ones no operation
        fills (the positions of a location, the transports of a transfer)."""
        return (
            self.enabled
            and info.listable
            and info.template not in self.left_out
            and (info.top_level or not info.made_by_operations)
        )

    def looked_up_in(self, info: CollectionInfo) -> bool:
        """Whether any identifier names an object of the collection: the contract neither
        creates nor lists its objects, so they are made from the seed when first named."""
        return self.enabled and not info.listable and not info.made_by_operations and info.template not in self.left_out

    def fields(
        self, info: CollectionInfo, key: str, not_before: datetime | None = None, not_after: datetime | None = None
    ) -> dict[str, Any]:
        """The fields of the demo object ``key`` drawn from the seed, its timeline settled
        between ``not_before`` (its parent's creation) and ``not_after`` (now) when they are
        given (a new copy on every call)."""
        # Kept by parent, not by now: a timeline settled before an earlier now is before this one too.
        kept = self._fields.get((info.template, key, not_before))
        if kept is not None:
            return orjson.loads(kept)
        record = self.fake.value(info.item_schema, key)
        if not isinstance(record, dict):
            record = {}
        settle(record, info.item_schema, self.fake.rng(f"{key}/timeline"), not_before, not_after)
        try:
            self._fields.keep((info.template, key, not_before), orjson.dumps(record))
        except TypeError:
            pass  # an integer beyond 64 bits: made again when next asked for
        return record

    def point_at_others(
        self, info: CollectionInfo, record: dict[str, Any], index: int | str, keys_of: Callable[[str], list[str]]
    ) -> None:
        """Fields naming another collection's objects name that collection's demo objects
        (``keys_of`` gives a top-level collection's keys, making its demo objects first);
        where it has none, an optional reference is left out."""
        required = set(info.item_schema.get("required", ()))
        for name, prop in info.item_schema.get("properties", {}).items():
            if name == info.id_field or name not in record or not names_references(name):
                continue
            template = referenced_collection(name, prop, self.reference_keys, info.template)
            target = self.collections.get(template or "")
            keys = keys_of(target.template) if target is not None and target.top_level and self.listed_in(target) else []
            if keys:
                chosen = keys[(index if isinstance(index, int) else stable_int(index)) % len(keys)]
                value = typed_identifier(target, chosen)
                record[name] = [value] if prop.get("type") == "array" else value
            elif name not in required:
                del record[name]
