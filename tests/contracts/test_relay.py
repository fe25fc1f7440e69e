"""The Relay contract against the two Relay documents."""

from __future__ import annotations

import re

from tests.conftest import operations_of

PATHS = {
    "CreateAddress": ("POST", "/addresses"),
    "GetCustomers": ("GET", "/customers"),
    "PatchOrder": ("PATCH", "/orders/{orderId}"),
    "CreateOrder": ("POST", "/orders"),
    "CreateOrderContactPerson": ("POST", "/order-contact-persons"),
}


def test_operation_count_matches_the_document(documents, committed):
    in_document = len(re.findall(r"^Responses$", documents["relay"], flags=re.MULTILINE))
    assert in_document == 15
    operations = operations_of(committed["relay"])
    assert len(operations) == in_document
    assert all(operation["x-inferred"] is True for operation in operations.values())


def test_operation_ids_are_the_documents(documents, committed):
    operations = operations_of(committed["relay"])
    for operation_id, key in PATHS.items():
        assert operations[key]["operationId"] == operation_id
        assert re.search(rf"^{operation_id}$", documents["relay"], flags=re.MULTILINE)


def test_patch_order_status_enum(committed):
    operation = operations_of(committed["relay"])[("PATCH", "/orders/{orderId}")]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["status"]["enum"] == ["OPEN", "IN_PROGRESS", "FINISHED", "DECLINED", "NULL", "PREPARE"]
    assert body["properties"]["dueDate"] == {"type": "string", "format": "date-time"}
    assert body["properties"]["address"] == {"$ref": "#/components/schemas/ApiAddress"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "integer"}


def test_create_order_is_multipart_with_an_order_part_and_files(committed):
    operation = operations_of(committed["relay"])[("POST", "/orders")]
    media = operation["requestBody"]["content"]["multipart/form-data"]
    parts = media["schema"]["properties"]
    assert set(parts) == {"order", "files"}
    assert parts["order"]["x-inferred"] is True
    assert set(parts["order"]["properties"]) == {
        "title", "status", "address", "dueDate", "followUpDate", "internalId", "isInternal", "type", "taskId",
        "customerId", "fields", "contactPersons",
    }
    assert parts["files"] == {
        "type": "array", "items": {"type": "string", "format": "binary"},
        "description": "A maximum of 10 files and 100 MB", "maxItems": 10,
    }
    assert media["encoding"]["order"] == {"contentType": "application/json"}
    assert media["schema"]["required"] == ["order"]
    assert "413" in operation["responses"]


def test_order_comment_is_multipart(committed):
    operation = operations_of(committed["relay"])[("POST", "/orders/{orderId}/comments")]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["text", "authorName"]
    assert schema["properties"]["files"]["maxItems"] == 10


def test_nested_objects_come_from_the_expanded_document(committed):
    schemas = committed["relay"]["components"]["schemas"]
    assert list(schemas["ApiAddress"]["properties"]) == [
        "id", "streetAddress", "postalCode", "locality", "country", "additionalInfo", "accountId",
    ]
    order = schemas["Order"]["properties"]
    assert order["address"] == {"$ref": "#/components/schemas/ApiAddress"}
    assert order["comments"]["items"] == {"$ref": "#/components/schemas/OrderComment"}
    assert set(schemas["OrderComment"]["properties"]) == {"id", "text", "orderId", "author", "attachments", "createdAt"}
    customers = operations_of(committed["relay"])[("GET", "/customers")]
    listed = customers["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["properties"]["customers"]["items"] == {"$ref": "#/components/schemas/Customer"}


def test_bare_number_responses_stay_numbers(committed):
    operations = operations_of(committed["relay"])
    for key in (("POST", "/addresses"), ("POST", "/order-fields")):
        media = operations[key]["responses"]["200"]["content"]["application/json"]
        assert media["schema"] == {"type": "integer"}
        assert media["example"] == 0


def test_open_operations_need_no_credentials(committed):
    document = committed["relay"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = operations_of(document)
    assert operations[("GET", "/customers")]["security"] == []
    assert operations[("DELETE", "/properties/{propertyId}")]["security"] == []
    assert "security" not in operations[("POST", "/addresses")]
    assert "401" not in operations[("GET", "/customers")]["responses"]
    assert "401" in operations[("GET", "/orders")]["responses"]


def test_errors_use_the_inferred_relay_shape(committed):
    document = committed["relay"]
    assert document["components"]["schemas"]["Error"]["x-inferred"] is True
    for operation in operations_of(document).values():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
