"""The links the generator infers: where a new object's identifier goes next."""

from __future__ import annotations

import copy

import pytest

from mock_server.apis import vendor_for
from mock_server.contracts import API_NAMES
from mock_server.contracts.links import add_links
from mock_server.engine.contract.references import (
    RequiredReference,
    field_parts,
    referenced_collection,
    referenced_nouns,
)
from tests.conftest import operations_of


def _links(document, method: str, path: str) -> dict:
    operation = operations_of(document)[(method, path)]
    return {
        name: link for response in operation["responses"].values() for name, link in response.get("links", {}).items()
    }


@pytest.mark.parametrize("api", API_NAMES)
def test_every_link_names_an_operation_and_its_parameters(committed, api):
    by_id = {operation["operationId"]: operation for operation in operations_of(committed[api]).values()}
    for (method, path), operation in operations_of(committed[api]).items():
        for name, link in _links(committed[api], method, path).items():
            assert link["x-inferred"] is True
            target = by_id[link["operationId"]]
            declared = {f"{parameter['in']}.{parameter['name']}" for parameter in target.get("parameters", [])}
            assert set(link.get("parameters", {})) <= declared, (path, name)
            assert link.get("parameters") or link.get("requestBody"), (path, name)


def test_creations_link_to_what_takes_the_new_id(committed):
    casavi = committed["casavi"]
    tickets = _links(casavi, "POST", "/tickets")
    assert tickets["getATicketByID"]["parameters"] == {"path.ticketId": "$response.body#/id"}
    assert tickets["commentTicket"]["parameters"] == {"path.ticketId": "$response.body#/id"}
    tasks = _links(casavi, "POST", "/tickets/{ticketId}/tasks")
    assert tasks["getATaskByID"]["parameters"] == {"path.ticketId": "$request.path.ticketId", "path.taskId": "$response.body#/id"}
    # A 204 answer: the id is the one the client chose.
    resources = _links(casavi, "POST", "/consumptions/resources")
    assert resources["getConsumptionResourceById"]["parameters"] == {"path.resourceId": "$request.body#/id"}
    assert resources["createMeterForUnit.resourceId"]["requestBody"] == {"resourceId": "$request.body#/id"}
    # Measurement ids are the server's: nothing links from the request's id.
    assert _links(casavi, "POST", "/consumptions/measurements") == {}
    assert _links(casavi, "POST", "/import")["informationAboutAJob"]["parameters"] == {"path.jobId": "$response.body#/jobId"}

    relay = committed["relay"]
    assert _links(relay, "POST", "/properties")["GetProperty"]["parameters"] == {"path.propertyId": "$response.body#/properties/0/id"}
    assert _links(relay, "POST", "/orders")["CreateOrderField.orderId"]["requestBody"] == {"orderId": "$response.body#/id"}

    afosto = committed["afosto"]
    assert _links(afosto, "POST", "/wms/routes")["updateTheNameOfARoute.id"]["requestBody"] == {"id": "$response.body#/id"}
    assert _links(afosto, "POST", "/rel/organisations")["getTask"]["parameters"] == {
        "path.id": "$response.header.x-task-id"
    }


def test_reference_names_resolve_to_the_nearest_collection():
    assert referenced_nouns("resourceId") == ("resource",)
    assert referenced_nouns("delivery_route_id") == ("delivery route", "route")
    assert referenced_nouns("item_ids") == ("item",)
    assert referenced_nouns("id") == () and referenced_nouns("valid") == ()
    keys = {
        "/wms/routes": ("id", {"type": "string"}),
        "/rel/addresses": ("id", {"type": "string"}),
        "/odr/sessions/{id}/address": ("id", {"type": "string"}),
        "/lcs/methods": ("id", {"type": "string"}),
        "/odr/methods": ("id", {"type": "string"}),
        "/cat/items": ("sku", {"type": "string"}),
        "/odr/items": ("sku", {"type": "string"}),
    }
    assert referenced_collection("delivery_route_id", {"type": "string"}, keys, "/odr/orders") == "/wms/routes"
    # Top-level collections before nested ones, then the nearest by path.
    assert referenced_collection("address_id", {"type": "string"}, keys, "/odr/sessions/{id}") == "/rel/addresses"
    assert referenced_collection("method_id", {"type": "string"}, keys, "/lcs/shipments") == "/lcs/methods"
    # A tie names nothing; a uuid names no object keyed by a SKU.
    assert referenced_collection("item_id", {"type": "string"}, keys, "/wms/claims") is None
    assert referenced_collection("item_id", {"type": "string", "format": "uuid"}, keys, "/cat/x") is None
    assert referenced_collection("route_id", {"type": "integer"}, keys, "/wms/hops") is None


# --- what the API modules state --------------------------------------------------------------


def _links_into(document, operation_id: str) -> dict[tuple[str, str], dict]:
    """(source operationId, link name) -> link, for the links that call ``operation_id``."""
    found = {}
    for (method, path), operation in operations_of(document).items():
        for name, link in _links(document, method, path).items():
            if link["operationId"] == operation_id:
                found[(operation["operationId"], name)] = link
    return found


def test_stated_references_link_nested_fields_paths_and_fields_other_than_the_id(committed):
    afosto = committed["afosto"]
    order = _links(afosto, "POST", "/rel/phonenumbers")["createOrder.settings.phone_number_id"]
    assert order["requestBody"] == {"settings": {"phone_number_id": "$response.body#/id"}}
    transfer = _links(afosto, "POST", "/wms/claims")["createANewTransfer.routing.claim_id"]
    assert transfer["requestBody"] == {"routing": [{"claim_id": "$response.body#/id"}]}
    # A path parameter naming a proxy by its key, and a body naming aliases of that proxy's indexes.
    proxies = _links(afosto, "POST", "/cnt/instant/proxies")
    assert proxies["searchDocuments"]["parameters"] == {"path.id": "$response.body#/key"}
    assert proxies["searchDocuments.indices"] == {
        "operationId": "searchDocuments",
        "parameters": {"path.id": "$response.body#/key"},
        "requestBody": {"indices": ["$response.body#/indexes/0/alias"]},
        "x-inferred": True,
    }
    # A payment of the transaction the refund is for.
    refund = _links(afosto, "POST", "/odr/transactions/{secret}/payments")["createRefund.payment_id"]
    assert refund["parameters"] == {"path.secret": "$request.path.secret"}
    # casavi: a comment's author named by a contact's email or a staff member's id.
    casavi = committed["casavi"]
    assert _links(casavi, "GET", "/contacts")["commentTicket.authorEmail"]["requestBody"] == {"authorEmail": "$response.body#/0/email"}
    assert _links(casavi, "POST", "/staff")["commentTicket.authorId"]["requestBody"] == {"authorId": "$response.body#/id"}
    assert _links(casavi, "POST", "/files")["commentTicket.attachments"]["requestBody"] == {"attachments": ["$response.body#/id"]}


def test_stated_references_replace_what_names_alone_inferred(committed):
    # `phone_number_id` reads like a whitelisted phone number; the module checks phone numbers.
    sources = {source for source, _ in _links_into(committed["afosto"], "selectAPhonenumber") if _ != "selectAPhonenumber"}
    assert sources == {"createANewPhonenumber"}


def test_a_field_whose_type_no_object_of_the_target_has_gets_no_link(committed):
    # Integrations have integer ids; the document types `recaptcha_integration_id` as a uuid.
    assert not any("recaptcha" in name for _, name in _links_into(committed["afosto"], "addANewInbox"))


def test_made_objects_are_sources(committed):
    afosto = committed["afosto"]
    assert _links(afosto, "POST", "/cnt/files/signature")["uploadAFile"]["parameters"] == {
        "path.signature": "$response.body#/signature"
    }
    upload = _links(afosto, "POST", "/cnt/files/upload/{signature}")
    assert upload["readFile.file_id"]["requestBody"] == {"file_id": "$response.body#/0/id"}
    assert upload["getAFile"]["parameters"] == {"path.id": "$response.body#/0/id"}
    trigger = _links(afosto, "POST", "/mes/webhooks/subscriptions/{id}/trigger")
    assert trigger["viewMessage"]["parameters"] == {"path.id": "$response.body#/id"}
    settings = _links(afosto, "POST", "/cnt/instant/indexes/{id}/settings")["searchDocumentsWithinASingleIndex.filters.key"]
    assert settings["parameters"] == {"path.id": "$request.path.id"}
    assert settings["requestBody"] == {"filters": [{"key": "$request.body#/filters/0/key"}]}


def test_a_prerequisite_is_the_only_source_of_the_objects_it_takes(committed):
    assert _links_into(committed["afosto"], "confirmBatch") == {
        ("validateBatch", "confirmBatch"): {
            "operationId": "confirmBatch", "parameters": {"path.id": "$request.path.id"}, "x-inferred": True,
        }
    }


def test_a_stated_reference_must_name_what_the_contract_has(committed):
    document = copy.deepcopy(committed["relay"])
    with pytest.raises(ValueError, match="unknown operation"):
        add_links(document, "relay", False, (RequiredReference("POST", "/nowhere", "x_id", "/orders"),))
    with pytest.raises(ValueError, match="has no no_such_id"):
        add_links(document, "relay", False, (RequiredReference("POST", "/orders", "no_such_id", "/orders"),))


# Stated references no link can fill, and why.
UNLINKED = {
    ("afosto", "POST", "/mes/inboxes", "settings.recaptcha_integration_id"): "a uuid field; integrations have integer ids",
    ("afosto", "PUT", "/mes/inboxes/{id}", "settings.recaptcha_integration_id"): "a uuid field; integrations have integer ids",
    ("casavi", "PUT", "/consumptions/meters/{meterId}", "unitId"): "units come only from an import job; no answer names a new one",
}


@pytest.mark.parametrize("api", API_NAMES)
def test_every_reference_a_module_enforces_is_linked(committed, api):
    """The walk and schemathesis' stateful phase find what each enforced reference needs."""
    document = committed[api]
    missing = []
    for reference in vendor_for(api).data_model().references:
        operation_id = operations_of(document)[(reference.method, reference.path)]["operationId"]
        into = _links_into(document, operation_id).values()
        if reference.in_path:
            linked = any(f"path.{reference.field[1:-1]}" in link.get("parameters", {}) for link in into)
        else:
            wanted = [part for part in field_parts(reference.field) if part != "[]"]
            linked = any(_names(link.get("requestBody"), wanted) for link in into)
        if not linked and (api, reference.method, reference.path, reference.field) not in UNLINKED:
            missing.append(f"{reference.method} {reference.path} {reference.field}")
    assert missing == []


def _names(body, wanted: list[str]) -> bool:
    if not wanted:
        return body is not None
    if isinstance(body, list):
        return any(_names(item, wanted) for item in body)
    return isinstance(body, dict) and wanted[0] in body and _names(body[wanted[0]], wanted[1:])
