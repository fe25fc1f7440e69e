"""The Case messages contract against its document."""

from __future__ import annotations

import re

from tests.conftest import operations_of

TYPES = [
    "serviceComment", "customerCenterReply", "costProposalRejectRur", "costProposalRejectScrap", "statusRequest",
    "spareParts", "reminder", "costProposal", "shipment", "forwarding",
]


def test_operation_count_matches_the_document(documents, committed):
    printed = set(re.findall(r"^(GET|POST|PUT|PATCH|DELETE) (/\S+)$", documents["messages"], flags=re.MULTILINE))
    assert len(printed) == 3
    assert set(operations_of(committed["messages"])) == printed


def test_create_takes_the_ten_message_types(committed):
    operation = operations_of(committed["messages"])[("POST", "/api/v3/case-messages/create")]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["type"]["enum"] == TYPES
    assert body["properties"]["type"]["maxLength"] == 32
    assert body["required"] == ["guid", "type"]
    assert body["properties"]["guid"] == {"type": "string", "format": "uuid"}
    for name in ("externalId", "userEmail", "userName"):
        assert body["properties"][name]["maxLength"] == 512
    assert body["properties"]["parentMessageId"] == {"type": "integer"}
    assert body["properties"]["declaredAt"] == {"type": "string", "format": "date-time"}


def test_confirm_takes_an_array_of_integers(committed):
    operation = operations_of(committed["messages"])[("POST", "/api/v3/case-messages/confirm")]
    media = operation["requestBody"]["content"]["application/json"]
    assert media["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert media["example"] == [4377, 4378, 4379, 4380]
    result = committed["messages"]["components"]["schemas"]["ConfirmResult"]
    assert result["properties"]["errors"]["items"]["properties"]["message"]["enum"] == ["No access", "Not found"]


def test_list_takes_the_case_guid(committed):
    operation = operations_of(committed["messages"])[("GET", "/api/v3/case-messages")]
    assert operation["parameters"] == [
        {"name": "guid", "in": "query", "description": "Guid of the case", "required": True,
         "schema": {"type": "string", "format": "uuid"}}
    ]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}


def test_message_model_and_error_shape(committed):
    schemas = committed["messages"]["components"]["schemas"]
    message = schemas["Message"]["properties"]
    assert message["confirmedAt"]["nullable"] is True
    assert message["senderType"]["enum"] == ["partner", "provider", None]
    assert message["type"]["enum"] == TYPES
    assert schemas["Error"]["properties"]["error"]["properties"]["message"] == {"type": "string"}
    assert committed["messages"]["components"]["securitySchemes"]["accessToken"] == {
        "type": "apiKey", "in": "query", "name": "accessToken",
    }
