"""Unit tests of the generator's pieces: sample inference, Redoc reading, wording rules."""

from __future__ import annotations

from mock_server.contracts import redoc
from mock_server.contracts.prose import camel_identifier, short_description
from mock_server.contracts.samples import merge_schemas, schema_from_sample


def test_schema_from_sample_keeps_order_and_types():
    schema = schema_from_sample({"b": 1, "a": [{"x": True}, {"y": 1.5}], "c": None, "d": {}})
    assert list(schema["properties"]) == ["b", "a", "c", "d"]
    assert schema["properties"]["b"] == {"type": "integer"}
    assert schema["properties"]["a"]["items"]["properties"] == {"x": {"type": "boolean"}, "y": {"type": "number"}}
    assert schema["properties"]["c"] == {"nullable": True}
    assert schema["properties"]["d"] == {"type": "object"}


def test_merge_makes_nullable_and_keeps_first_type():
    assert merge_schemas({"type": "string"}, {"nullable": True}) == {"type": "string", "nullable": True}
    assert merge_schemas({"nullable": True}, {"type": "string"}) == {"nullable": True, "type": "string"}


def test_bulleted_json_with_collapsed_parts_and_trailing_commas():
    text = '{\n  • "a": "x",\n  • "b": [\n    ],\n  • "c": {\n    },\n}'
    assert redoc.parse_bulleted_json(text) == {"a": "x", "b": [], "c": {}}
    expanded = '{- "a": {\n- "b": 0\n}, - "c": "s"\n}'
    assert redoc.parse_bulleted_json(expanded) == {"a": {"b": 0}, "c": "s"}


def test_type_lines():
    refs = {"Contact"}
    assert redoc.type_line_schema("string <date-time>", refs) == {"type": "string", "format": "date-time"}
    assert redoc.type_line_schema("integer <int32>", refs) == {"type": "integer", "format": "int32"}
    assert redoc.type_line_schema("string Nullable", refs) == {"type": "string", "nullable": True}
    assert redoc.type_line_schema("Array of objects (Contact)", refs) == {
        "type": "array", "items": {"$ref": "#/components/schemas/Contact"},
    }
    assert redoc.type_line_schema("Array of objects (Unknown) [ items ]", refs) == {
        "type": "array", "items": {"type": "object"},
    }
    assert redoc.type_line_schema("Array of strings non-empty", refs) == {
        "type": "array", "minItems": 1, "items": {"type": "string"},
    }


def test_field_list_with_unnamed_object_fields():
    lines = [
        "Request Body schema: application/json", "", "casaviAccountId", "integer", "", "Some id", "",
        "required", "object", "", "The customer", "", "number", "required", "integer", "Responses",
    ]
    operation = redoc.parse_operation("X", ["X", *lines], 0, len(lines) + 1)
    fields = operation.body_fields
    assert [(f.name, f.type_line, f.required) for f in fields] == [
        ("casaviAccountId", "integer", False), (None, "object", True), ("number", "integer", True),
    ]
    redoc.name_unnamed_fields(fields, ["casaviAccountId", "customer", "number"])
    assert fields[1].name == "customer"


def test_titles_compare_loosely():
    assert redoc.normalise_title("Get ticket activities Deprecated") == redoc.normalise_title(
        "Get ticket activities (deprecated)"
    )
    assert redoc.normalise_title("Create content (post)") == "create content"


def test_wording_rules():
    assert short_description("Page number") == "Page number"
    assert short_description("(no description)") is None
    assert short_description("x" * 101) is None
    assert camel_identifier("Get List of Properties") == "getListOfProperties"
    assert camel_identifier("Create order / task") == "createOrderTask"
