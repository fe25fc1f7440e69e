"""How the Afosto reference prints types, read as JSON schemas.

Samples hold type placeholders (``"string (uuid)"``, ``"integer"``) instead of values and
``"#/definitions/<Model>"`` strings where a model repeats; parameters and response
headers print a type spec (``string 1, 0 0``: an enum and its default).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from ..model import JsonSchema
from ..samples import LeafRule, scalar_schema

BINARY: JsonSchema = {"type": "string", "format": "binary"}
TYPE_SPEC = re.compile(r"^(?P<type>[a-z]+)(?P<array>\[\])?(?: \((?P<format>[^)]+)\))?(?: (?P<values>.+))?$")
PLACEHOLDER = re.compile(r"^(?P<type>string|integer|number|boolean|object|file)(?: \((?P<format>[^)]+)\))?$")
MODEL_REFERENCE = re.compile(r"^#/definitions/(?P<model>\w+)$")
# Formats as printed -> their OpenAPI spelling (None: the format says nothing).
FORMAT_SPELLINGS: dict[str, str | None] = {
    "datetime": "date-time",
    "string": None,
    "url": "uri",
    "base64": "byte",
    "float64": "double",
}


def placeholder_schema(value: Any, models: Collection[str] = ()) -> JsonSchema:
    """The schema a sample leaf stands for: ``"string (uuid)"`` is a uuid string, ``"integer"``
    an integer, ``"#/definitions/Model"`` the model (a $ref when ``models`` holds it);
    any other value is read as itself."""
    if isinstance(value, str):
        if placeholder := PLACEHOLDER.match(value):
            return _typed_schema(placeholder["type"], placeholder["format"])
        if reference := MODEL_REFERENCE.match(value):
            model = reference["model"]
            return {"$ref": f"#/components/schemas/{model}"} if model in models else {"type": "object"}
    return scalar_schema(value)


def _typed_schema(type_name: str, printed_format: str | None) -> JsonSchema:
    if type_name == "file":
        return dict(BINARY)
    schema: JsonSchema = {"type": type_name}
    spelled = FORMAT_SPELLINGS.get(printed_format, printed_format) if printed_format else None
    if spelled:
        schema["format"] = spelled
    return schema


def leaf_rule(models: Collection[str]) -> LeafRule:
    return lambda value: placeholder_schema(value, models)


def _leaves(sample: Any) -> Iterator[Any]:
    if isinstance(sample, dict):
        for item in sample.values():
            yield from _leaves(item)
    elif isinstance(sample, list):
        for item in sample:
            yield from _leaves(item)
    else:
        yield sample


def _is_placeholder(leaf: Any) -> bool:
    return isinstance(leaf, str) and bool(PLACEHOLDER.match(leaf) or MODEL_REFERENCE.match(leaf))


def real_example(sample: Any) -> Any:
    """The sample when every leaf of it is a real value, otherwise None."""
    leaves = list(_leaves(sample))
    if leaves and not any(_is_placeholder(leaf) for leaf in leaves):
        return sample
    return None


def models_referenced(sample: Any) -> set[str]:
    references = (MODEL_REFERENCE.match(leaf) for leaf in _leaves(sample) if isinstance(leaf, str))
    return {reference["model"] for reference in references if reference}


def _typed_value(printed: str, type_name: str) -> Any:
    if type_name == "integer":
        return int(printed)
    if type_name == "number":
        return float(printed)
    if type_name == "boolean":
        return printed == "true"
    return printed


def _enum_and_default(printed: str | None, type_name: str) -> tuple[list[Any] | None, Any]:
    """``"1, 0 0"`` -> (["1", "0"], "0"); ``"25"`` -> (None, "25").

    Values hold no spaces, so the space in the last one separates the default. A single
    value is read as a default: a one-value enum would print the same.
    """
    if not printed:
        return None, None
    if "," not in printed:
        return None, _typed_value(printed, type_name)
    *leading, last = [value.strip() for value in printed.split(",")]
    last_value, _, printed_default = last.partition(" ")
    enum = [_typed_value(value, type_name) for value in [*leading, last_value]]
    default = _typed_value(printed_default, type_name) if printed_default else None
    if default is not None and default not in enum:
        raise ValueError(f"default {printed_default!r} is not one of {enum}")
    return enum, default


def spec_schema(spec: str) -> JsonSchema:
    """The schema of a printed parameter or header type: ``string 1, 0 0``, ``integer (int64)``."""
    printed = TYPE_SPEC.match(spec)
    if not printed:
        raise ValueError(f"unreadable type {spec!r}")
    schema = _typed_schema(printed["type"], printed["format"])
    enum, default = _enum_and_default(printed["values"], printed["type"])
    if printed["array"]:
        if enum is not None or default is not None:
            raise ValueError(f"enum or default on an array type {spec!r}")
        return {"type": "array", "items": schema}
    if enum is not None:
        schema["enum"] = enum
    if default is not None:
        schema["default"] = default
    return schema

