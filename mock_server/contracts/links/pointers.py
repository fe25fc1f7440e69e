"""JSON pointers into values a schema describes, as the links' runtime expressions use them."""

from __future__ import annotations

from ...engine.contract.schema import Schema


def escape(name: str) -> str:
    """A property name as one token of a JSON pointer."""
    return name.replace("~", "~0").replace("/", "~1")


def schema_at_pointer(schema: Schema, pointer: str) -> Schema | None:
    """The schema of the value a JSON pointer names in a value of ``schema``, or None."""
    for token in pointer.split("/")[1:]:
        if token.isdigit() and schema.get("type") == "array":
            schema = schema.get("items", {})
            continue
        properties = schema.get("properties", {})
        name = token.replace("~1", "/").replace("~0", "~")
        if name not in properties:
            return None
        schema = properties[name]
    return schema
