"""The links the generator infers: where a new object's identifier goes next."""

from __future__ import annotations

import pytest

from mock_server.contracts import API_NAMES
from mock_server.engine.references import referenced_collection, referenced_nouns
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
