"""Schemas inferred from the sample payloads the documents print."""

from __future__ import annotations

from typing import Any, Callable

from .model import JsonSchema

LeafRule = Callable[[Any], JsonSchema]


def scalar_schema(value: Any) -> JsonSchema:
    """The schema of a plain JSON scalar as it appears in a sample."""
    if value is None:
        return {"nullable": True}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    return {"type": "string"}


def schema_from_sample(value: Any, leaf: LeafRule = scalar_schema) -> JsonSchema:
    """Infer a JSON schema from one sample value.

    Objects keep their keys in sample order; arrays take the merged schema of all their
    items; an empty (collapsed) object or array says only its type. ``leaf`` decides
    what a scalar means, so documents that print type names in place of values
    (``"string (uuid)"``) plug in their own reading.
    """
    if isinstance(value, dict):
        if not value:
            return {"type": "object"}
        return {
            "type": "object",
            "properties": {key: schema_from_sample(item, leaf) for key, item in value.items()},
        }
    if isinstance(value, list):
        items: JsonSchema = {}
        for item in value:
            items = merge_schemas(items, schema_from_sample(item, leaf)) if items else schema_from_sample(item, leaf)
        return {"type": "array", "items": items}
    return leaf(value)


def merge_schemas(first: JsonSchema, second: JsonSchema) -> JsonSchema:
    """Combine two inferred schemas of the same value (e.g. two items of one list).

    Properties are united, a null in either makes the result nullable, and the first
    concrete type wins.
    """
    if not first:
        return dict(second)
    if not second:
        return dict(first)
    merged = dict(first)
    if "type" not in merged and "type" in second:
        for key, item in second.items():
            merged.setdefault(key, item)
    if second.get("nullable"):
        merged["nullable"] = True
    if merged.get("type") == "object" and second.get("type") == "object":
        props = dict(merged.get("properties", {}))
        for key, item in second.get("properties", {}).items():
            props[key] = merge_schemas(props[key], item) if key in props else item
        if props:
            merged["properties"] = props
    if merged.get("type") == "array" and second.get("type") == "array":
        merged["items"] = merge_schemas(merged.get("items", {}), second.get("items", {}))
    return merged
