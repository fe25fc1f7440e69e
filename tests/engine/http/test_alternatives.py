"""Problems with a value that none of its schema's alternatives (`anyOf`) accepts: the
answer names what is wrong in the alternative the value's own enumerated fields select."""

from __future__ import annotations

from mock_server.engine.contract.schema import SchemaIndex
from mock_server.engine.http.validation import problems_of

CONDITION = {
    "type": "object",
    "properties": {"key": {"type": "string"}, "operator": {"type": "string", "enum": ["in", "between"]}},
    "required": ["key"],
    "anyOf": [
        {"properties": {"operator": {"enum": ["in"]}, "values": {"type": "array", "minItems": 1}}, "required": ["values"]},
        {"properties": {"operator": {"enum": ["between"]}, "values": {"type": "array", "minItems": 2}}, "required": ["operator", "values"]},
    ],
}
SCHEMA = {"type": "object", "properties": {"filters": {"type": "array", "items": CONDITION}}}


def _problems(value):
    return [problem.describe() for problem in problems_of(SchemaIndex({}).validator(SCHEMA), value, "body")]


def test_the_alternative_the_operator_selects_names_the_problem():
    assert _problems({"filters": [{"key": "a", "operator": "between", "values": [1]}]}) == [
        'body field "filters[0].values" must hold at least 2 item(s)'
    ]


def test_without_a_selecting_value_the_alternative_with_fewest_problems_speaks():
    assert _problems({"filters": [{"key": "a"}]}) == ['body field "filters[0].values" is required']


def test_an_unknown_enumerated_value_is_named_once():
    assert _problems({"filters": [{"key": "a", "operator": "about", "values": [1]}]}) == [
        'body field "filters[0].operator" must be one of in, between'
    ]


def test_a_value_no_alternative_fits_is_still_refused():
    schema = {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "integer", "enum": [1]}]}
    problems = problems_of(SchemaIndex({}).validator(schema), "b", "body")
    assert len(problems) == 1 and problems[0].kind == "invalid"
