"""How the walk fills a generated body: link parts at any depth, unknown references left out."""

from __future__ import annotations

from tests.walk.requests import field_paths, put_fields, without_unknown_references

SCHEMA = {
    "type": "object",
    "properties": {
        "settings": {
            "type": "object",
            "properties": {"phone_number_id": {"type": "string"}, "recaptcha_integration_id": {"type": "string"}, "note": {"type": "string"}},
        },
        "routing": {"type": "array", "items": {"type": "object", "properties": {"claim_id": {"type": "string"}}, "required": ["claim_id"]}},
    },
}


def test_link_parts_name_fields_at_any_depth():
    assert field_paths({"settings": {"phone_number_id": "$x"}}) == {("settings", "phone_number_id")}
    assert field_paths({"routing": [{"claim_id": "$x"}]}) == {("routing", "claim_id")}
    assert field_paths({"attachments": ["$x"]}) == {("attachments",)}
    assert field_paths([{"claim_id": "$x"}]) == {("claim_id",)}


def test_unknown_optional_references_are_left_out_at_any_depth():
    generated = {
        "settings": {"phone_number_id": "made-up", "recaptcha_integration_id": "made-up", "note": "kept"},
        "routing": [{"claim_id": "made-up"}],
    }
    value = put_fields(generated, {"settings": {"phone_number_id": "P-1"}})
    kept = without_unknown_references(value, SCHEMA, {("settings", "phone_number_id")})
    # The supplied reference stays, the one nothing supplies goes, a required one stays for the server to judge.
    assert kept == {"settings": {"phone_number_id": "P-1", "note": "kept"}, "routing": [{"claim_id": "made-up"}]}
