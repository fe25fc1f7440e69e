"""Fake values, shaping and parameter reading."""

import jsonschema_rs

from mock_server.engine.clock import Clock
from mock_server.engine.http.validation import problems_of, read_scalar
from mock_server.engine.state.changes import FROM_FIXTURE, ChangeFeed
from mock_server.engine.state.store import ApiStore
from mock_server.engine.values.fake import FakeData
from mock_server.engine.values.identifiers import canonical_identifier, identifier_key
from mock_server.engine.values.shaping import Shaper

MODEL = {
    "type": "object",
    "required": ["id", "email"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string"},
        "count": {"type": "integer", "minimum": 3, "maximum": 5},
        "state": {"type": "string", "enum": ["open", "closed"]},
        "closedAt": {"type": "string", "format": "date-time", "nullable": True},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}},
    },
}


def test_fake_values_are_stable_and_conform():
    first, again = FakeData(1).value(MODEL, "k"), FakeData(1).value(MODEL, "k")
    assert first == again
    assert first != FakeData(2).value(MODEL, "k")
    assert "@" in first["email"] and 3 <= first["count"] <= 5 and first["state"] in ("open", "closed")
    assert all(len(tag) <= 4 for tag in first["tags"])


def test_shaping_keeps_documented_fields_and_fills_required_ones():
    shaper = Shaper(FakeData(1))
    shaped = shaper.compile(MODEL)({"email": "a@b.c", "count": "4", "secret": "x", "state": "gone"}, "", "k", 0, None)
    assert shaped["email"] == "a@b.c"
    assert shaped["count"] == 4  # lossless conversion
    assert "secret" not in shaped  # undocumented fields stay out
    assert shaped["state"] in ("open", "closed")  # out-of-enum value replaced
    assert shaped["closedAt"] is None  # an event that has not happened
    assert shaped["id"] == shaper.compile(MODEL)({}, "", "k", 0, None)["id"]  # filled, and the same every time


def test_collection_pages_after_deletions():
    store = ApiStore("api", ChangeFeed(), Clock())
    for number in range(10):
        store.put("a", "/items", (), str(number), {"n": number}, origin=FROM_FIXTURE)
    store.delete("a", "/items", (), "1", origin=FROM_FIXTURE)
    store.put("a", "/items", (), "3", {"n": 33}, origin=FROM_FIXTURE)
    collection = store.collection("a", "/items")
    assert [r["n"] for r in collection.page(0, 3)] == [0, 2, 33]
    assert [r["n"] for r in collection.page(8, 5)] == [9]


def test_parameters_read_as_their_type():
    assert read_scalar("42", "integer") == 42
    assert read_scalar("1.5", "number") == 1.5
    assert read_scalar("true", "boolean") is True
    invalid = read_scalar("x", "integer")
    assert invalid is read_scalar("nan", "number")


def test_whole_numbers_name_one_object_however_written():
    assert identifier_key(4) == identifier_key(4.0) == identifier_key(4e0) == "4"
    assert identifier_key(2**70) == identifier_key(float(2**70)) == str(2**70)
    assert identifier_key(4.5) == "4.5" and identifier_key("4.0") == "4.0"  # text stays text
    assert type(canonical_identifier(7.0)) is int and canonical_identifier(True) is True
    assert read_scalar("4.0", "integer") == read_scalar(" 4.00 ", "integer") == 4
    assert read_scalar("4.5", "integer") is read_scalar("1e3", "integer")  # not an integer
    assert read_scalar("12345678901234567890", "number") == 12345678901234567890  # exactly, no float rounding


def test_a_field_a_closed_object_does_not_take_is_named():
    closed = {"type": "object", "properties": {}, "additionalProperties": False}
    validator = jsonschema_rs.validator_for({**closed, "properties": {"a": {}, "b": closed}})
    problems = problems_of(validator, {"a": 1, "x": 2, "y": 3, "b": {"z": 4}}, "body")
    assert sorted(problem.describe() for problem in problems) == [
        'body field "b.z" is not allowed', 'body field "x" is not allowed', 'body field "y" is not allowed']
