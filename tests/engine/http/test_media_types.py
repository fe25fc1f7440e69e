"""Media types: a body documented as `text/plain` with an object schema is JSON sent as
text; an answer documented in several media types keeps the schema of each."""

from __future__ import annotations

import pytest

from mock_server.engine.contract.operations import compile_contract
from mock_server.engine.errors import ApiError
from mock_server.engine.http.requests import IncomingRequest
from mock_server.engine.http.validation import validate_request

QUERY = {"type": "object", "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}}}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/search": {
            "post": {
                "operationId": "search",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": QUERY},
                        "text/plain": {"schema": QUERY},
                    }
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            "application/vnd.example+json": {"schema": {"type": "array"}},
                        },
                    }
                },
            }
        },
        "/notes": {
            "post": {
                "operationId": "note",
                "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def _incoming(body: bytes, content_type: str = "text/plain") -> IncomingRequest:
    return IncomingRequest(path_parameters={}, query=[], headers={}, content_type=content_type, body=body)


@pytest.fixture(scope="module")
def contract():
    return compile_contract("test", DOCUMENT)


def test_a_text_body_with_an_object_schema_is_parsed_and_validated_as_json(contract):
    operation = contract.operations["search"]
    assert operation.bodies["text/plain"].kind == "json"
    valid = validate_request(operation, _incoming(b'{"q": "shirt", "limit": 2}'))
    assert valid.body == {"q": "shirt", "limit": 2}
    with pytest.raises(ApiError) as wrong_type:
        validate_request(operation, _incoming(b'{"limit": "two"}'))
    assert wrong_type.value.status == 400 and "limit" in wrong_type.value.message
    with pytest.raises(ApiError) as not_json:
        validate_request(operation, _incoming(b"q=shirt"))
    assert "not valid JSON" in not_json.value.message


def test_a_text_body_documented_as_a_string_stays_text(contract):
    operation = contract.operations["note"]
    assert operation.bodies["text/plain"].kind == "raw"
    assert validate_request(operation, _incoming(b"{not json")).body == b"{not json"


def test_every_documented_media_type_of_an_answer_keeps_its_schema(contract):
    success = contract.operations["search"].success
    assert success.content_type == "application/json" and success.schema == {"type": "object"}
    assert success.media == {"application/json": {"type": "object"}, "application/vnd.example+json": {"type": "array"}}
