"""Stored data shaped into the documented response model.

Answers echo what was stored, keep only the fields the model documents, and fill the
fields the model requires but the object lacks with stable fake values. A stored value
of the wrong type for the model (a request field documented differently in the
response) is converted when that is lossless, replaced by a fake value otherwise, so
every answer conforms to its contract by construction.
"""

from __future__ import annotations

import re
from typing import Any

from .fake import MAX_DEPTH, FakeData, is_timestamp_name
from .schema import Schema

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_FORMATS = {"uuid": _UUID, "date-time": _DATE_TIME, "date": _DATE, "email": _EMAIL, "uri": _URI}
# Fields that name an object without an `id`, in the order they are preferred.
_NATURAL_KEYS = ("key", "code", "sku", "reference", "uuid", "secret")


class Shaper:
    """Conforms values to response schemas."""

    def __init__(self, fake: FakeData) -> None:
        self.fake = fake

    def shape(self, value: Any, schema: Schema | None, key: str, depth: int = 0, namespace: str | None = None) -> Any:
        """``value`` made to conform to ``schema``; ``key`` seeds any filled-in value.

        With a ``namespace``, an object that carries an `id` (or a natural key: `key`, `code`,
        `sku`, ...) seeds its filled-in values by it instead of by where it appears, so it
        shows the same values in every answer.
        """
        if not schema or depth > MAX_DEPTH:
            return value
        if value is None:
            return None if schema.get("nullable") else self.fake.value(schema, key, _name(key), depth)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            for option in options:
                if _same_kind(value, option):
                    return self.shape(value, option, key, depth, namespace)
            return self.fake.value(options[0], key, _name(key), depth)
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object":
            return self._object(value, schema, key, depth, namespace)
        if kind == "array":
            if not isinstance(value, list):
                return self.fake.value(schema, key, _name(key), depth)
            items = schema.get("items", {})
            return [self.shape(item, items, f"{key}/{index}", depth + 1, namespace) for index, item in enumerate(value)]
        if kind is None:
            return value
        return self._scalar(value, schema, kind, key)

    def _object(self, value: Any, schema: Schema, key: str, depth: int, namespace: str | None) -> Any:
        if not isinstance(value, dict):
            return self.fake.value(schema, key, _name(key), depth)
        properties = schema.get("properties")
        if not properties:
            return value
        identity = value.get("id")
        if identity is None:
            identity = next((value[name] for name in _NATURAL_KEYS if isinstance(value.get(name), (str, int))), None)
        if namespace is not None and isinstance(identity, (str, int)) and not isinstance(identity, bool):
            key = f"{namespace}/object/{identity}"
        required = set(schema.get("required", ()))
        shaped: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in value:
                item = value[name]
                if item is None and not sub.get("nullable") and name not in required:
                    continue
                shaped[name] = self.shape(item, sub, f"{key}/{name}", depth + 1, namespace)
            elif name in required:
                shaped[name] = self.fake.value(sub, f"{key}/{name}", name, depth + 1)
            elif sub.get("nullable") and is_timestamp_name(name):
                # Something that has not happened yet: documented as null until it does.
                shaped[name] = None
        return shaped

    def _scalar(self, value: Any, schema: Schema, kind: str, key: str) -> Any:
        converted = _convert(value, kind)
        if schema.get("format") == "date" and isinstance(converted, str) and _DATE_TIME.match(converted):
            converted = converted[:10]  # a date written with its (midnight) time
        if converted is not _MISMATCH and _within(converted, schema):
            return converted
        return self.fake.value(schema, key, _name(key))


_MISMATCH = object()


def _convert(value: Any, kind: str) -> Any:
    """The value as ``kind`` when that loses nothing, else `_MISMATCH`."""
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return _MISMATCH
    if kind == "integer":
        if isinstance(value, bool):
            return _MISMATCH
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value):
            return int(value)
        return _MISMATCH
    if kind == "number":
        if isinstance(value, bool):
            return _MISMATCH
        return value if isinstance(value, (int, float)) else _MISMATCH
    if kind == "boolean":
        return value if isinstance(value, bool) else _MISMATCH
    return value


def _within(value: Any, schema: Schema) -> bool:
    """Enum, format and bounds: what a type check alone does not cover."""
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        return False
    if isinstance(value, str):
        pattern = _FORMATS.get(schema.get("format", ""))
        if pattern is not None and not pattern.match(value):
            return False
        if len(value) > schema.get("maxLength", len(value)) or len(value) < schema.get("minLength", 0):
            return False
    elif isinstance(value, (int, float)):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    return True


def _same_kind(value: Any, schema: Schema) -> bool:
    kind = schema.get("type")
    if kind is None:
        return True
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return _convert(value, kind) is not _MISMATCH


def _name(key: str) -> str:
    last = key.rsplit("/", 1)[-1]
    return "" if last.isdigit() else last
