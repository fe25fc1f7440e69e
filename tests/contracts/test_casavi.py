"""The casavi contract against the casavi document."""

from __future__ import annotations

import re

from tests.conftest import operations_of


def test_operation_count_matches_the_document(documents, committed):
    # Every operation block of the Redoc text has exactly one "Responses" heading.
    in_document = len(re.findall(r"^Responses$", documents["casavi"], flags=re.MULTILINE))
    assert in_document == 56
    assert len(operations_of(committed["casavi"])) == in_document


def test_every_operation_has_id_summary_and_tag(committed):
    ids = set()
    for operation in operations_of(committed["casavi"]).values():
        assert operation["operationId"] not in ids
        ids.add(operation["operationId"])
        assert operation["summary"]
        assert len(operation["tags"]) == 1


def test_paths_from_the_paths_table_are_marked_inferred(committed):
    operations = operations_of(committed["casavi"])
    assert operations[("POST", "/authenticate")].get("x-inferred") is None
    assert operations[("POST", "/import")].get("x-inferred") is None
    assert operations[("GET", "/jobs/{jobId}")].get("x-inferred") is None
    assert operations[("POST", "/files")].get("x-inferred") is None
    assert operations[("GET", "/properties/{propertyId}/units")].get("x-inferred") is None
    assert operations[("POST", "/authenticate/refresh")]["x-inferred"] is True
    assert operations[("PUT", "/tickets/{ticketId}")]["x-inferred"] is True
    assert operations[("DELETE", "/consumptions/measurements/{measurementId}")]["x-inferred"] is True


def test_ticket_status_enums(committed):
    document = committed["casavi"]
    ticket = document["components"]["schemas"]["Ticket"]
    assert ticket["properties"]["status"]["enum"] == ["OPEN", "CLOSED", "INPROGRESS", "PENDING", "POSTPONED"]
    assert ticket["properties"]["typeGroup"]["nullable"] is True
    create = operations_of(document)[("POST", "/tickets")]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["status"]["enum"] == ["PENDING", "OPEN", "CLOSED", "INPROGRESS", "POSTPONED"]
    assert body["required"] == ["id", "title", "propertyId"]


def test_ticket_status_filter_is_a_repeated_query_array(committed):
    listing = operations_of(committed["casavi"])[("GET", "/tickets")]
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert status["in"] == "query"
    assert status["style"] == "form" and status["explode"] is True
    assert status["schema"]["type"] == "array"
    assert status["schema"]["items"]["enum"] == ["OPEN", "CLOSED", "INPROGRESS", "POSTPONED"]
    assert status["example"] == ["OPEN", "INPROGRESS", "POSTPONED"]


def test_import_body_holds_three_arrays_of_models_and_answers_a_job_id(committed):
    document = committed["casavi"]
    operation = operations_of(document)[("POST", "/import")]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"] == {
        "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}},
        "properties": {"type": "array", "items": {"$ref": "#/components/schemas/PropertyImport"}},
        "responsibilities": {"type": "array", "items": {"$ref": "#/components/schemas/Responsibility"}},
    }
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"type": "object", "properties": {"jobId": {"type": "string"}}}
    schemas = document["components"]["schemas"]
    assert schemas["Contact"]["required"] == ["id"]
    assert schemas["PropertyImport"]["properties"]["units"]["items"] == {"$ref": "#/components/schemas/UnitImport"}
    assert schemas["UnitImport"]["properties"]["contracts"]["items"] == {"$ref": "#/components/schemas/Contract"}
    assert schemas["Contract"]["properties"]["type"]["enum"] == ["owner", "renter", "resident"]
    assert schemas["Responsibility"]["required"] == ["propertyId", "contactId"]
    for name in ("Contact", "PropertyImport", "UnitImport", "Contract", "Responsibility"):
        assert schemas[name]["x-inferred"] is True


def test_job_response_has_per_kind_results(committed):
    job = committed["casavi"]["components"]["schemas"]["Job"]
    assert set(job["properties"]) == {"id", "results", "progress", "completed", "completedAt"}
    results = job["properties"]["results"]["properties"]
    assert set(results) == {"contacts", "properties", "units", "contracts", "responsibilities", "documents", "errors"}


def test_file_upload_takes_a_raw_body_with_its_headers(committed):
    operation = operations_of(committed["casavi"])[("POST", "/files")]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert headers["X-Filename"]["required"] is True
    assert headers["X-Filename"]["example"] == "my-wonderful-flat.jpg"
    assert headers["Content-Type"]["required"] is True
    # A file has content: the contract refuses an empty body, as the server does.
    assert operation["requestBody"]["content"] == {"*/*": {"schema": {"type": "string", "format": "binary", "minLength": 1}}}
    assert "413" in operation["responses"]


def test_hook_creation_answers_a_location_header(committed):
    operation = operations_of(committed["casavi"])[("POST", "/hooks")]
    assert operation["responses"]["200"]["headers"]["Location"]["schema"] == {"type": "string"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["eventName"]["enum"] == [
        "contact_created", "contact_updated", "contact_archived", "document_downloaded", "contract_enddate_updated",
    ]


def test_security_is_the_token_header_except_for_authentication(committed):
    document = committed["casavi"]
    assert document["components"]["securitySchemes"]["token"] == {"type": "apiKey", "in": "header", "name": "token"}
    assert document["security"] == [{"token": []}]
    operations = operations_of(document)
    assert operations[("POST", "/authenticate")]["security"] == []
    assert operations[("POST", "/authenticate/refresh")]["security"] == []
    assert "security" not in operations[("GET", "/contacts")]


def test_errors_use_the_inferred_casavi_shape(committed):
    document = committed["casavi"]
    error = document["components"]["schemas"]["Error"]
    assert error["x-inferred"] is True
    assert set(error["required"]) == {"statusCode", "error", "message"}
    for operation in operations_of(document).values():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
                assert response["x-inferred"] is True


def test_list_shapes_follow_the_document(committed):
    operations = operations_of(committed["casavi"])
    properties = operations[("GET", "/properties")]["responses"]["200"]["content"]["application/json"]["schema"]
    assert list(properties["properties"]) == ["count", "page", "pageCount", "rows"]
    assert properties["properties"]["rows"]["items"] == {"$ref": "#/components/schemas/Property"}
    units = operations[("GET", "/properties/{propertyId}/units")]["responses"]["200"]["content"]["application/json"]
    assert list(units["schema"]["properties"]) == ["rows", "pageCount", "page"]
    contacts = operations[("GET", "/contacts")]["responses"]["200"]["content"]["application/json"]["schema"]
    assert contacts == {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}


def test_defaults_and_event_timestamps(committed):
    schemas = committed["casavi"]["components"]["schemas"]
    assert schemas["Post"]["properties"]["allowComments"]["default"] is True
    assert schemas["Task"]["properties"]["status"]["enum"] == ["OPEN", "ACCEPTED", "COMPLETED", "DECLINED"]
    for name in ("acceptedAt", "declinedAt", "completedAt"):
        assert schemas["Task"]["properties"][name]["nullable"] is True
    assert schemas["Ticket"]["properties"]["closedAt"]["nullable"] is True
    appointment = operations_of(committed["casavi"])[("POST", "/appointments")]
    body = appointment["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["propertyIds"]["minItems"] == 1
    assert body["properties"]["roles"]["items"]["enum"] == ["renter", "owner", "resident"]
    assert body["properties"]["dateStart"]["format"] == "date-time"
