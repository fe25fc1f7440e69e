"""Demo objects that look like real ones: a timeline in order, states that agree with
their timestamps, references that name other demo objects.

The fake values of a model are drawn field by field; these rules make one object of them
hang together, as if the server had made it and it had lived a while: created first,
changed later, an event stamp only where its state says the event happened (`closedAt`
only on a CLOSED ticket), no deletion stamp on an object that is listed as present.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

from .clock import format_instant, parse_instant
from .fake import is_timestamp_name
from .schema import Schema
from .store import CREATED_FIELDS, UPDATED_FIELDS

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


def settle(record: dict[str, Any], schema: Schema, rng: random.Random) -> dict[str, Any]:
    """Make one demo object's timestamps and state agree (changed in place, returned)."""
    properties = schema.get("properties", {})
    stamps = [name for name in timestamp_fields(schema) if isinstance(record.get(name), str)]
    created = _first_instant(record, stamps)
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
            record[name] = _written_like(record[name], created + timedelta(seconds=offset), properties.get(name, {}))
    for name in list(record):
        if _GONE.match(name):
            if properties.get(name, {}).get("nullable"):
                record[name] = None
            else:
                del record[name]
        elif name in ("is_deleted", "isDeleted", "deleted") and isinstance(record[name], bool):
            record[name] = False
    _agree_with_state(record, properties)
    return record


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
    """`<event>At` is set only when the object's status says the event happened."""
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
