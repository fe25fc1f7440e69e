"""OpenAPI 3.0 schemas as the engine uses them.

Two forms are needed: dereferenced OpenAPI schemas (for shaping responses and building
fake values) and JSON Schema 2020-12 (for the validators), where OpenAPI's `nullable`
becomes a `null` type and references resolve inside one root document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import orjson

if TYPE_CHECKING:
    import jsonschema_rs

Schema = dict[str, Any]
_REF_PREFIX = "#/components/schemas/"
_OPENAPI_ONLY = ("nullable", "example", "discriminator", "xml", "externalDocs", "deprecated")
# OpenAPI's integer formats as the ranges JSON Schema checks.
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class SchemaIndex:
    """The components of one contract, resolved on demand and remembered."""

    def __init__(self, document: dict[str, Any], formats: dict[str, Callable[[str], bool]] | None = None) -> None:
        self.components: dict[str, Schema] = document.get("components", {}).get("schemas", {})
        self.formats = formats or {}  # format checks that replace the standard ones
        self._resolved: dict[str, Schema] = {}
        self._json_components: dict[str, Schema] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle keeps (`engine/contract/compiled.py`): not the format checks, which are
        code its loader supplies, nor what validators are compiled from, made on demand."""
        return {**self.__dict__, "formats": {}, "_json_components": None}

    def resolve(self, schema: Schema | None) -> Schema:
        """The schema with `$ref`s replaced by their targets (shared, do not mutate).

        Recursive models resolve to the same dict object, so walkers must bound depth.
        """
        if not schema:
            return schema if isinstance(schema, dict) else {}
        if "$ref" not in schema and not _mentions_ref(schema):
            return schema  # nothing to replace, at any depth: most inline schemas
        return self._resolve(schema)

    def _resolve(self, schema: Schema) -> Schema:
        if not schema:
            return schema if isinstance(schema, dict) else {}
        ref = schema.get("$ref")
        if ref is not None:
            name = ref[len(_REF_PREFIX):]
            if name not in self._resolved:
                placeholder: Schema = {}
                self._resolved[name] = placeholder
                placeholder.update(self._resolve(self.components.get(name, {})))
            return self._resolved[name]
        # A part without references is shared as it is, not copied: most inline schemas.
        changes: dict[str, Any] = {}
        properties = schema.get("properties")
        if isinstance(properties, dict):
            resolved = {key: self.resolve(value) for key, value in properties.items()}
            if any(resolved[key] is not value for key, value in properties.items()):
                changes["properties"] = resolved
        if isinstance(schema.get("items"), dict):
            items = self.resolve(schema["items"])
            if items is not schema["items"]:
                changes["items"] = items
        for key in ("anyOf", "oneOf", "allOf"):
            if isinstance(schema.get(key), list):
                options = [self.resolve(item) for item in schema[key]]
                if any(new is not old for new, old in zip(options, schema[key])):
                    changes[key] = options
        if isinstance(schema.get("additionalProperties"), dict):
            extra = self.resolve(schema["additionalProperties"])
            if extra is not schema["additionalProperties"]:
                changes["additionalProperties"] = extra
        return {**schema, **changes} if changes else schema

    def unresolved(self, schema: Schema) -> Schema:
        """A schema `resolve` gave, written with references again where it holds a resolved
        component (so a recursive model ends): what `validator` compiles."""
        components = {id(value): name for name, value in self._resolved.items()}

        def written(value: Any, top: bool) -> Any:
            if isinstance(value, dict):
                name = components.get(id(value))
                if name is not None and not top:
                    return {"$ref": _REF_PREFIX + name}
                return {key: written(item, False) for key, item in value.items()}
            if isinstance(value, list):
                return [written(item, False) for item in value]
            return value

        return written(schema, True)

    def validator(self, schema: Schema) -> jsonschema_rs.Draft202012Validator:
        """A compiled validator for an OpenAPI schema of this contract."""
        import jsonschema_rs  # loaded with the first validator: start-up compiles none

        root = to_json_schema(schema)
        if _has_ref(schema):
            root = {**root, "$defs": self._json_defs()}
        return jsonschema_rs.Draft202012Validator(root, validate_formats=True, formats=self.formats or None)

    def _json_defs(self) -> dict[str, Schema]:
        if self._json_components is None:
            self._json_components = {name: to_json_schema(value) for name, value in self.components.items()}
        return self._json_components


def _mentions_ref(schema: Schema) -> bool:
    """Whether `$ref` may occur anywhere in the schema. Its JSON text is searched, which is
    far quicker than a walk; text that cannot be made (not plain data) answers yes."""
    try:
        return b'"$ref"' in orjson.dumps(schema, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return True


def _has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(_has_ref(value) for value in schema.values())
    if isinstance(schema, list):
        return any(_has_ref(item) for item in schema)
    return False


def to_json_schema(schema: Any) -> Any:
    """Translate an OpenAPI 3.0 schema into JSON Schema 2020-12."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: Schema = {}
    for key, value in schema.items():
        if key in _OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key == "$ref":
            result[key] = "#/$defs/" + value[len(_REF_PREFIX):]
        elif key == "properties":
            result[key] = {name: to_json_schema(item) for name, item in value.items()}
        elif key in ("items", "additionalProperties", "not") or key in ("anyOf", "oneOf", "allOf"):
            result[key] = to_json_schema(value)
        else:
            result[key] = value
    bounds = INTEGER_RANGES.get(schema.get("format", "")) if schema.get("type") == "integer" else None
    if bounds is not None:
        low, high = bounds
        result["minimum"] = max(low, result.get("minimum", low))
        result["maximum"] = min(high, result.get("maximum", high))
    if schema.get("nullable"):
        if "type" in result:
            result["type"] = [result["type"], "null"]
        if "enum" in result and None not in result["enum"]:
            result["enum"] = [*result["enum"], None]
        if "$ref" in result:
            result = {"anyOf": [{"$ref": result.pop("$ref")}, {"type": "null"}], **result}
    return result
