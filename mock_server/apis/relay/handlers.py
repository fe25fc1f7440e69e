"""Relay operations whose documented behaviour goes beyond storing the body: the handler of
each, by operation id."""

from __future__ import annotations

from ...engine.vendor import Handler
from .customers import create_customer, create_or_update_properties
from .orders import create_order, create_order_comment, create_order_contact_person, create_order_field

HANDLERS: dict[str, Handler] = {
    "CreateCustomer": create_customer,
    "CreateProperties": create_or_update_properties,
    "CreateOrder": create_order,
    "CreateOrderComment": create_order_comment,
    "CreateOrderField": create_order_field,
    "CreateOrderContactPerson": create_order_contact_person,
}
