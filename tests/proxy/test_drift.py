"""Comparing real answers with the contract: kinds of difference, folding, the report."""

from __future__ import annotations

import json

import pytest

from mock_server.apis import vendor_for
from mock_server.engine.contract.files import default_contracts_dir, load_contract
from mock_server.engine.contract.operations import compile_contract
from mock_server.proxy.drift import ContractChecks, Difference, DriftReport, undocumented_fields


@pytest.fixture(scope="module")
def casavi() -> ContractChecks:
    contract = compile_contract("casavi", load_contract(default_contracts_dir(), "casavi"), vendor_for("casavi").formats())
    return ContractChecks(contract)


def _differences(checks: ContractChecks, operation: str, status: int, body, content_type="application/json"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return checks.response_differences(checks.contract.operations[operation], status, content_type, raw)


def test_a_conforming_answer_has_no_differences(casavi):
    ticket = {"id": "T-1", "internalId": 3, "title": "Leak", "status": "OPEN", "customFields": {"any": {"thing": 1}}}
    assert _differences(casavi, "getATicketByID", 200, ticket) == []
    assert _differences(casavi, "getATicketByID", 404, {"statusCode": 404, "error": "Not Found", "message": "no"}) == []
    assert _differences(casavi, "deleteATicket", 204, b"", "") == []


def test_each_kind_of_difference_is_named_by_place_not_value(casavi):
    answer = [{"id": "T-1", "internalId": "x", "status": "OPEN", "secretField": "s3cr3t"}, {"id": "T-2", "title": 5}]
    found = _differences(casavi, "getListOfTickets", 200, answer)
    assert set(found) == {
        Difference("response", "wrong type", "[].internalId", 200, "integer", "string"),
        Difference("response", "field missing", "[].title", 200),
        Difference("response", "undocumented field", "[].secretField", 200),
        Difference("response", "wrong type", "[].title", 200, "string", "integer"),
    }
    assert "s3cr3t" not in json.dumps([difference.to_json() for difference in found])


def test_status_content_type_and_body_mismatches(casavi):
    assert _differences(casavi, "getATicketByID", 500, {"x": 1}) == [
        Difference("response", "undocumented status", "", 500, "200, 400, 401, 404", "500")
    ]
    assert _differences(casavi, "getATicketByID", 200, b"<html>", "text/html")[0].kind == "wrong content type"
    assert _differences(casavi, "getATicketByID", 200, b"{oops")[0].kind == "not JSON"
    assert _differences(casavi, "getATicketByID", 200, b"")[0].kind == "body missing"
    assert _differences(casavi, "deleteATicket", 204, {"deleted": True})[0].kind == "undocumented body"
    assert _differences(casavi, "getATicketByID", 200, {"id": "T", "title": "x"}, "application/json; charset=utf-8") == []


def test_undocumented_fields_follow_composition_and_free_form_objects():
    schema = {
        "type": "object",
        "allOf": [{"properties": {"a": {"type": "string"}}}],
        "properties": {
            "b": {"type": "object"},
            "c": {"type": "object", "additionalProperties": {"type": "object", "properties": {"d": {"type": "integer"}}}},
            "e": {"type": "array", "items": {"anyOf": [{"properties": {"f": {}}}, {"properties": {"g": {}}}]}},
        },
    }
    value = {"a": "1", "b": {"free": 1}, "c": {"k1": {"d": 1, "x": 2}}, "e": [{"f": 1}, {"g": 2, "h": 3}, {"h": 4}], "z": 0}
    assert undocumented_fields(schema, value) == ["c.k1.x", "e[].h", "z"]


def test_the_report_keeps_distinct_differences_with_counts():
    report = DriftReport()
    wrong = Difference("response", "wrong type", "id", 200, "string", "integer")
    report.record("viewThing", "GET", "/things/{id}", [wrong], "t1")
    report.record("viewThing", "GET", "/things/{id}", [wrong], "t2")
    report.record("listThings", "GET", "/things", [], "t3")
    document = report.to_json()
    assert document["checked"] == {"requests": 3, "operations": 2} and document["differences"] == 1
    [entry] = document["operations"]
    assert entry["calls"] == 2
    assert entry["differences"] == [{**wrong.to_json(), "count": 2, "firstSeen": "t1", "lastSeen": "t2"}]
    report.clear()
    assert report.to_json()["operations"] == []


def test_an_answer_is_checked_against_its_own_documented_media_type():
    """An operation documenting `application/json` and a `+json` type is checked against the
    one the answer names, not the first JSON-like one."""
    contract = compile_contract("afosto", load_contract(default_contracts_dir(), "afosto"), vendor_for("afosto").formats())
    checks = ContractChecks(contract)
    operation = contract.operations["searchDocuments"]
    vendor_answer = [{"results": [{"id": "products", "count": 0, "hits": [], "facets": {}, "facets_stats": {}}]}]
    raw = json.dumps(vendor_answer).encode()
    assert checks.response_differences(operation, 200, "application/vnd.instantsearch+json", raw) == []
    assert checks.response_differences(operation, 200, "application/json", raw)[0].kind == "wrong type"
