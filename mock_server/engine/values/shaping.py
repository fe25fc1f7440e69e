"""Stored data shaped into the documented response model.

Answers echo what was stored, keep only the fields the model documents, and fill the
fields the model requires but the object lacks with stable fake values. A stored value
of the wrong type for the model (a request field documented differently in the
response) is converted when that is lossless, replaced by a fake value otherwise, so
every answer conforms to its contract by construction.

Each response schema is compiled once into a function (`Shaper.compile`): what can be
decided from the schema alone (which fields, which checks) is decided then, so shaping
an object that already conforms costs one type check per field. Keys that seed filled-in
values are only spelled out when a value is filled in.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..contract.collections import NATURAL_KEYS
from ..contract.schema import Schema
from ..memo import BoundedMemo
from .fake import MAX_DEPTH, FakeData, is_timestamp_name

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_FORMATS = {"uuid": _UUID, "date-time": _DATE_TIME, "date": _DATE, "email": _EMAIL, "uri": _URI}
# Texts seen to conform, by format: stored objects are answered again and again, and a set
# lookup of a text (its hash is kept with it) costs a fraction of a pattern match.
CONFORMING_LIMIT = 50_000  # texts remembered per format
_CONFORMING: dict[str, BoundedMemo] = {name: BoundedMemo(CONFORMING_LIMIT) for name in _FORMATS}

# A compiled shaper: (value, where, name, depth, namespace) -> conforming value. `where`
# and `name` spell the seed key of a filled-in value (`f"{where}/{name}"`) only when needed.
ShapeFunction = Callable[[Any, str, Any, int, "str | None"], Any]
# How one field of an object model is shaped (see `Shaper._field_specs`).
FieldSpec = tuple[ShapeFunction | None, tuple[type, ...] | None, Callable[[str], Any] | None, BoundedMemo | None, bool, bool]
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,), "number": (int, float)}


class Shaper:
    """Conforms values to response schemas."""

    def __init__(self, fake: FakeData) -> None:
        self.fake = fake
        self._compiled: dict[int, ShapeFunction] = {}
        self._schemas: list[Schema] = []  # keeps compiled schemas alive, so their ids stay theirs
        self._object_bodies: dict[int, ShapeFunction] = {}  # an object model's shaper of a dict, unwrapped

    def answer(self, value: Any, schema: Schema, namespace: str, key: str) -> Any:
        """``value`` made to conform to ``schema``, as an answer about object ``key``: a value
        filled in is seeded by `<namespace>/answer/<key>` and where it appears, or, for an
        object that carries an `id` (or a natural key: `key`, `code`, `sku`, ...), by that
        identity, so the object shows the same values in every answer."""
        where, name = f"{namespace}/answer", key
        if "/" in key:
            where, _, name = f"{where}/{key}".rpartition("/")
        return self.compile(schema)(value, where, name, 0, namespace)

    def compile(self, schema: Schema) -> ShapeFunction:
        """The shaping function of a (resolved) schema, made once."""
        found = self._compiled.get(id(schema))
        if found is not None:
            return found
        # Recursive models reach themselves while compiling: point at the finished function.
        cell: list[ShapeFunction] = []
        self._compiled[id(schema)] = lambda value, where, name, depth, namespace: cell[0](value, where, name, depth, namespace)
        self._schemas.append(schema)
        function = self._build(schema)
        cell.append(function)
        self._compiled[id(schema)] = function
        return function

    def _fill(self, schema: Schema, where: str, name: Any, depth: int) -> Any:
        text_name = "" if isinstance(name, int) or (isinstance(name, str) and name.isdigit()) else str(name)
        return self.fake.value(schema, f"{where}/{name}", text_name, depth)

    def _build(self, schema: Schema) -> ShapeFunction:
        fill = self._fill
        nullable = bool(schema.get("nullable"))
        options = schema.get("anyOf") or schema.get("oneOf")
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if options:
            body = self._choice(options)
        elif kind == "object":
            body = self._object_bodies[id(schema)] = self._object(schema)
        elif kind == "array":
            body = self._array(schema)
        elif kind is None:
            return lambda value, where, name, depth, namespace: value
        else:
            body = self._scalar(schema, kind)

        def shape(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
            if depth > MAX_DEPTH:
                return value
            if value is None:
                return None if nullable else fill(schema, where, name, depth)
            return body(value, where, name, depth, namespace)

        return shape

    def _choice(self, options: list[Schema]) -> ShapeFunction:
        fill = self._fill
        compiled = [(option, self.compile(option)) for option in options]

        def shape(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
            for option, function in compiled:
                if _same_kind(value, option):
                    return function(value, where, name, depth, namespace)
            return fill(options[0], where, name, depth)

        return shape

    def _array(self, schema: Schema) -> ShapeFunction:
        fill = self._fill
        items = schema.get("items", {})
        item = self.compile(items) if items else None
        # Objects among the items go straight to their model's shaper (the common case of a list).
        body = self._object_bodies.get(id(items)) if items else None

        def shape(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
            if type(value) is not list:
                return fill(schema, where, name, depth)
            if item is None:
                return value
            inner = f"{where}/{name}"
            below = depth + 1
            if body is None or below > MAX_DEPTH:
                return [item(element, inner, index, below, namespace) for index, element in enumerate(value)]
            return [
                body(element, inner, index, below, namespace) if type(element) is dict else item(element, inner, index, below, namespace)
                for index, element in enumerate(value)
            ]

        return shape

    def _object(self, schema: Schema) -> ShapeFunction:
        fill = self._fill
        properties: dict[str, Schema] = schema.get("properties") or {}
        if not properties:
            def untyped(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
                return value if type(value) is dict else fill(schema, where, name, depth)

            return untyped
        specs, absent = self._field_specs(properties, set(schema.get("required", ())))
        # Decided first: the types a field's value passes unchanged with, or its format's known texts.
        passing = {field: spec[1] if spec[1] is not None else spec[3] for field, spec in specs.items() if spec[1] or spec[3] is not None}.get

        def shape(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
            if type(value) is not dict:
                return fill(schema, where, name, depth)
            here = None  # where filled-in values are seeded: worked out when one is
            identity = None
            if namespace is not None:
                identity = value.get("id")
                if identity is None:
                    identity = next((value[key] for key in NATURAL_KEYS if type(value.get(key)) in (str, int)), None)
                if type(identity) is not str and type(identity) is not int:
                    identity = None
            shaped, inner = {}, depth + 1
            for field, item in value.items():
                passes = passing(field)
                if passes is not None and (type(item) in passes if type(passes) is tuple else type(item) is str and item in passes):
                    shaped[field] = item
                    continue
                spec = specs.get(field)
                if spec is None:
                    continue  # not documented: not answered
                function, _, match, conforming, is_required, keeps_null = spec
                if item is None:
                    if keeps_null:
                        shaped[field] = None
                        continue
                    if not is_required:
                        continue
                elif match is not None and type(item) is str and _conforms(item, match, conforming):
                    shaped[field] = item
                    continue
                if function is None:
                    shaped[field] = item
                    continue
                if here is None:
                    here = f"{where}/{name}" if identity is None else f"{namespace}/object/{identity}"
                shaped[field] = function(item, here, field, inner, namespace)
            for field, sub, is_required in absent:
                if field not in value:
                    if is_required:
                        if here is None:
                            here = f"{where}/{name}" if identity is None else f"{namespace}/object/{identity}"
                        shaped[field] = fill(sub, here, field, inner)
                    else:
                        shaped[field] = None  # something that has not happened yet
            return shaped

        return shape

    def _field_specs(self, properties: dict[str, Schema], required: set[str]) -> tuple[dict[str, FieldSpec], list[tuple[str, Schema, bool]]]:
        """Per field of an object model: its shaper, the types that pass unchanged, the match a
        formatted text passes unchanged with and the texts known to pass it, whether it is
        required and whether it is kept when null; and the fields filled in when absent
        (required ones, and nullable times of what has not happened yet, as null)."""
        specs: dict[str, FieldSpec] = {}
        for field, sub in properties.items():
            match = _format_match(sub)
            specs[field] = (
                self.compile(sub) if sub else None, _plain_types(sub), match,
                _CONFORMING[sub["format"]] if match is not None else None, field in required, bool(sub.get("nullable")),
            )
        absent = [
            (field, sub, field in required)
            for field, sub in properties.items()
            if field in required or (sub.get("nullable") and is_timestamp_name(field))
        ]
        return specs, absent

    def _scalar(self, schema: Schema, kind: str) -> ShapeFunction:
        fill = self._fill
        is_date = schema.get("format") == "date"
        pattern = _FORMATS.get(schema.get("format", ""))
        if kind == "string" and pattern is not None and not set(schema) & {"enum", "minLength", "maxLength"} and not is_date:
            # The common case of a formatted string (uuid, date-time): one match decides.
            match = pattern.match

            def formatted(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
                if type(value) is str and match(value):
                    return value
                return fill(schema, where, name, depth)

            return formatted

        def shape(value: Any, where: str, name: Any, depth: int, namespace: str | None) -> Any:
            converted = _convert(value, kind)
            if is_date and isinstance(converted, str) and _DATE_TIME.match(converted):
                converted = converted[:10]  # a date written with its (midnight) time
            if converted is not _MISMATCH and _within(converted, schema):
                return converted
            return fill(schema, where, name, depth)

        return shape


def _conforms(text: str, match: Callable[[str], Any], conforming: BoundedMemo) -> bool:
    """Whether ``text`` matches; remembered in ``conforming`` when it does."""
    if not match(text):
        return False
    conforming.keep(text, None)
    return True


def _format_match(schema: Schema) -> Callable[[str], Any] | None:
    """For a text whose only rule is its format (uuid, date-time, ...): the check it passes with."""
    if not schema or schema.get("type") != "string" or schema.get("nullable") or schema.get("format") == "date":
        return None
    if set(schema) & {"enum", "minLength", "maxLength", "pattern", "const", "anyOf", "oneOf"}:
        return None
    pattern = _FORMATS.get(schema.get("format", ""))
    return pattern.match if pattern is not None else None


def _plain_types(schema: Schema) -> tuple[type, ...] | None:
    """The Python types a value of this schema may have to pass unchanged without any check."""
    if not schema or schema.get("nullable") or schema.get("anyOf") or schema.get("oneOf"):
        return None
    if set(schema) & {"enum", "format", "minLength", "maxLength", "minimum", "maximum", "pattern", "const"}:
        return None
    return _PLAIN_TYPES.get(schema.get("type", ""))


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
