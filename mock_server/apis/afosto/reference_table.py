"""The references between Afosto resources: an object that names another one by id.

The document names these references by their fields (`hub_id` on a printer, `dataset_id`
on a batch, `indexes[].index_id` on a proxy, ...). `REFERENCES` lists every one the
sandbox enforces: the named object must exist in the caller's account, else the request
is refused, naming the field, with the status the operation documents for what it does
not find (the engine's `reference_checks.py`). A reference of an operation that stores
its body into an object is a field of that object: every other write of the object
whose body carries the field checks it too (`PUT /spl/printers/{id}/inbox` with a
`hub_id`). `UNCHECKED` lists the identifier fields of request bodies that name
nothing the sandbox can look up, with the reason. Together they cover every `*_id` and
`*_ids` field of every request body of the contract (a test keeps it so), which makes
this module the reviewable table of the references between resources.

A reference marked `guards_delete` also protects its target: an object still named by
one of them cannot be deleted (409), the way a hub that printers use cannot go.

`PATH_REFERENCES` and `PART_REFERENCES` state the references other parts of the module
enforce (an upload signature, a proxy key, filter keys and index aliases), and `MADE` the
operations that make objects their answers name; the contract generator turns all of
them into links, so clients and the operation walk can find what a request needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ...engine.contract.kinds import is_parameter
from ...engine.contract.references import BodyReference, MadeObjects, RequiredReference, noun_of


@dataclass(frozen=True)
class Reference(BodyReference):
    """The body field of an operation that names an object of another collection
    (`field`: `hub_id`, `settings.shipping.address_id`, `indexes[].index_id`, `[].claim_id`);
    `guards_delete`: the target cannot be deleted while an object names it."""


@dataclass(frozen=True)
class Unchecked:
    """An identifier field of a request body that names nothing the sandbox can look up."""

    method: str
    path: str
    field: str
    reason: str


ADDRESSES = "/rel/addresses"
CHANNELS = "/cat/channels"
CONTACTS = "/rel/contacts"
ORGANISATIONS = "/rel/organisations"
ORDERS = "/odr/orders"
ROUTES = "/wms/routes"
LOCATIONS = "/wms/locations"
SHIPMENTS = "/lcs/shipments"
SHIPPING_METHODS = "/lcs/methods"
FILES = "/cnt/files"
PHONE_NUMBERS = "/rel/phonenumbers"
CLAIMS = "/wms/claims"

REFERENCES: tuple[Reference, ...] = (
    # content: batches, datasets, instant search, file systems
    Reference("POST", "/cnt/batches", "dataset_id", "/cnt/datasets"),
    Reference("PUT", "/cnt/batches/{id}", "dataset_id", "/cnt/datasets"),
    Reference("POST", "/cnt/batches", "action_id", "/cnt/actions"),
    Reference("PUT", "/cnt/batches/{id}", "action_id", "/cnt/actions"),
    Reference("POST", "/cnt/datasets/{id}/attach", "file_id", FILES),
    Reference("POST", "/cnt/instant/proxies", "indexes[].index_id", "/cnt/instant/indexes", guards_delete=True),
    Reference("PUT", "/cnt/instant/proxies/{id}", "indexes[].index_id", "/cnt/instant/indexes", guards_delete=True),
    Reference("POST", "/cnt/filesystems/watchers", "storage_id", "/cnt/filesystems/storages", guards_delete=True),
    Reference("PUT", "/cnt/filesystems/watchers/{id}", "storage_id", "/cnt/filesystems/storages", guards_delete=True),
    # printing
    Reference("POST", "/spl/printers", "hub_id", "/spl/hubs", guards_delete=True),
    Reference("PUT", "/spl/printers/{id}", "hub_id", "/spl/hubs", guards_delete=True),
    Reference("POST", "/spl/queue", "hub_id", "/spl/hubs"),
    Reference("PUT", "/spl/printers/{id}/inbox", "inbox_id", "/mes/inboxes"),
    # relations and messaging
    Reference("POST", "/rel/organisations", "file_id", FILES),
    Reference("PUT", "/rel/organisations/{id}", "file_id", FILES),
    Reference("POST", "/mes/inboxes", "user_id", "/iam/users"),
    Reference("PUT", "/mes/inboxes/{id}", "user_id", "/iam/users"),
    Reference("POST", "/mes/inboxes", "settings.recaptcha_integration_id", "/int/apps/integrations"),
    Reference("PUT", "/mes/inboxes/{id}", "settings.recaptcha_integration_id", "/int/apps/integrations"),
    Reference("POST", "/tpl/templates/themes", "repository_id", "/tpl/templates/repositories"),
    # orders
    Reference("POST", "/odr/orders", "channel_id", CHANNELS),
    Reference("PUT", "/odr/orders/{id}", "channel_id", CHANNELS),
    Reference("POST", "/odr/orders", "settings.phone_number_id", PHONE_NUMBERS),
    Reference("PUT", "/odr/orders/{id}", "settings.phone_number_id", PHONE_NUMBERS),
    Reference("POST", "/odr/orders", "settings.billing.address_id", ADDRESSES),
    Reference("PUT", "/odr/orders/{id}", "settings.billing.address_id", ADDRESSES),
    Reference("POST", "/odr/orders", "settings.shipping.address_id", ADDRESSES),
    Reference("PUT", "/odr/orders/{id}", "settings.shipping.address_id", ADDRESSES),
    Reference("POST", "/odr/orders", "settings.shipping.source_address_id", ADDRESSES),
    Reference("PUT", "/odr/orders/{id}", "settings.shipping.source_address_id", ADDRESSES),
    Reference("POST", "/odr/orders", "settings.shipping.method_id", SHIPPING_METHODS),
    Reference("PUT", "/odr/orders/{id}", "settings.shipping.method_id", SHIPPING_METHODS),
    Reference("POST", "/odr/orders/{id}/authorize", "calculation_id", "/odr/calculations"),
    Reference("POST", "/odr/orders/{id}/items", "[].source_order_id", ORDERS),
    Reference("POST", "/odr/orders/{id}/items/attach", "[].inventory_item_id", "/wms/inventory"),
    Reference("PUT", "/odr/orders/{id}/items/claim", "[].claim_id", CLAIMS),
    Reference("PUT", "/odr/orders/{id}/items/routing", "[].collect_route_id", ROUTES),
    Reference("PUT", "/odr/orders/{id}/items/routing", "[].delivery_route_id", ROUTES),
    Reference("POST", "/odr/projection", "contact_id", CONTACTS),
    Reference("POST", "/odr/projection", "organisation_id", ORGANISATIONS),
    Reference("POST", "/odr/projection", "settings.shipping.method_id", SHIPPING_METHODS),
    Reference("POST", "/odr/invoices", "channel_id", CHANNELS),
    Reference("POST", "/odr/invoices", "contact_id", CONTACTS),
    Reference("POST", "/odr/invoices", "organisation_id", ORGANISATIONS),
    Reference("POST", "/odr/invoices", "address_id", ADDRESSES),
    Reference("POST", "/odr/transactions", "channel_id", CHANNELS),
    Reference("POST", "/odr/transactions", "purchase.contact_id", CONTACTS),
    Reference("POST", "/odr/transactions/{secret}/refunds", "payment_id", "/odr/transactions/{secret}/payments"),
    Reference("POST", "/odr/coupons/codes", "category_id", "/odr/coupons/categories"),
    Reference("POST", "/odr/sessions/{id}/authorize", "calculation_id", "/odr/calculations"),
    Reference("POST", "/odr/sessions/{id}/authenticated", "contact_id", CONTACTS),
    Reference("PUT", "/odr/sessions/{id}/organisations", "organisation_id", ORGANISATIONS),
    Reference("PUT", "/odr/sessions/{id}/order", "order_id", ORDERS),
    Reference("PUT", "/odr/sessions/{id}/phonenumbers", "phone_number_id", PHONE_NUMBERS),
    Reference("PUT", "/odr/sessions/{id}/billing", "address_id", ADDRESSES),
    Reference("PUT", "/odr/sessions/{id}/shipping", "address_id", ADDRESSES),
    Reference("PUT", "/odr/sessions/{id}/shipping/methods", "method_id", SHIPPING_METHODS),
    # logistics
    Reference("POST", "/lcs/shipments", "channel_id", CHANNELS),
    Reference("POST", "/lcs/shipments", "contact_id", CONTACTS),
    Reference("POST", "/lcs/shipments", "order_id", ORDERS),
    Reference("POST", "/lcs/shipments", "method_id", SHIPPING_METHODS),
    Reference("PUT", "/lcs/shipments/{id}", "method_id", SHIPPING_METHODS),
    Reference("POST", "/lcs/parcels", "shipment_id", SHIPMENTS),
    Reference("POST", "/lcs/locations", "address_id", ADDRESSES),
    Reference("PUT", "/lcs/locations/{id}", "address_id", ADDRESSES),
    # warehouse
    Reference("POST", "/wms/locations", "address_id", ADDRESSES),
    Reference("PUT", "/wms/inventory", "location_id", LOCATIONS),
    Reference("POST", "/wms/claims", "location_id", LOCATIONS),
    Reference("POST", "/wms/duration", "from_location_id", LOCATIONS),
    Reference("POST", "/wms/duration", "to_location_id", LOCATIONS),
    Reference("POST", "/wms/duration", "route_id", ROUTES),
    Reference("POST", "/wms/transfers", "routing[].claim_id", CLAIMS),
    Reference("POST", "/wms/transfers", "routing[].collect_route_id", ROUTES),
    Reference("POST", "/wms/transfers", "routing[].delivery_route_id", ROUTES),
    Reference("POST", "/wms/transfers/projection", "routing[].claim_id", CLAIMS),
    Reference("POST", "/wms/transfers/projection", "routing[].collect_route_id", ROUTES),
    Reference("POST", "/wms/transfers/projection", "routing[].delivery_route_id", ROUTES),
    Reference("PUT", "/wms/transfers/{transfer_id}/transports/{id}/shipment", "inbound_shipment_id", SHIPMENTS),
    Reference("PUT", "/wms/transfers/{transfer_id}/transports/{id}/shipment", "outbound_shipment_id", SHIPMENTS),
)

SIGNATURES = "/cnt/files/signature"
PROXIES = "/cnt/instant/proxies"
INDEX_SETTINGS = "/cnt/instant/indexes/{id}/settings"

# Path parameters that must name an object the account has: an upload needs a signature
# handed out before (files.py); proxy search names its proxy by key, which also tells
# whose data it searches (the module's authentication).
PATH_REFERENCES: tuple[RequiredReference, ...] = (
    RequiredReference("POST", "/cnt/files/upload/{signature}", "{signature}", SIGNATURES),
    RequiredReference("POST", "/cnt/instant/search/{id}", "{id}", PROXIES),
    RequiredReference("GET", "/cnt/instant/search/{id}/settings", "{id}", PROXIES),
)

# Request parts that must be among the values of a part of the object the path names
# (instant_search/): a search filters on the keys the index's settings declare (when
# they declare any); a proxy search names aliases of the proxy's indexes.
PART_REFERENCES: tuple[RequiredReference, ...] = (
    RequiredReference("POST", "/cnt/instant/indexes/{id}/search", "filters[].key", INDEX_SETTINGS, by="filters[].key"),
    RequiredReference("POST", "/cnt/instant/search/{id}", "indices[]", PROXIES, by="indexes[].alias"),
)

# Operations that make objects their answer names where the generic reading of the
# contract finds none: a signature (its answer has no `id`), the files an upload makes,
# the message a trigger makes, an index's settings (kept under the index's id).
MADE: tuple[MadeObjects, ...] = (
    MadeObjects("POST", INDEX_SETTINGS, INDEX_SETTINGS, "$request.path.id"),
    MadeObjects("POST", "/cnt/files/signature", SIGNATURES, "$response.body#/signature"),
    MadeObjects("POST", "/cnt/files/upload/{signature}", FILES, "$response.body#/0/id"),
    MadeObjects("POST", "/mes/webhooks/subscriptions/{id}/trigger", "/mes/webhooks/messages", "$response.body#/id"),
)

_OAUTH_CLIENT = "an OAuth client identifier issued by the identity service, not a stored object"
_ANY_KIND = "names an object of any kind (its kind travels beside it)"
_EXTERNAL_FILE = "a file in the connected external storage, outside the sandbox"
_ITEM = "an item inside another object, named without that object"

UNCHECKED: tuple[Unchecked, ...] = (
    *(
        Unchecked(method, path, field, _OAUTH_CLIENT)
        for method, path, field in (
            ("POST", "/cat/channels", "client_id"),
            ("POST", "/iam/oauth/authorize", "client_id"),
            ("POST", "/odr/orders", "client_id"),
            ("PUT", "/odr/orders/{id}", "client_id"),
            ("POST", "/odr/projection", "client_id"),
            ("POST", "/odr/invoices", "client_id"),
            ("POST", "/odr/transactions", "client_id"),
            ("POST", "/qcq/proxies", "oauth.client_id"),
            ("PUT", "/qcq/proxies/{key}", "oauth.client_id"),
        )
    ),
    *(
        Unchecked(method, path, field, _ANY_KIND)
        for method, path, field in (
            ("POST", "/cnt/dataflow/flows/{id}/trigger", "entity_id"),
            ("POST", "/cnt/dataflow/loader", "[].entity_id"),
            ("POST", "/lcs/shipments", "addressing.to.entity_id"),
            ("POST", "/lcs/shipments", "addressing.from.entity_id"),
            ("PUT", "/lcs/shipments/{id}", "addressing.to.entity_id"),
            ("PUT", "/lcs/shipments/{id}", "addressing.from.entity_id"),
            ("POST", "/mes/conversations", "entity_id"),
            ("POST", "/mes/webhooks/subscriptions/{id}/trigger", "entity_id"),
            ("POST", "/odr/orders/{id}/stacks", "entity_id"),
            ("POST", "/odr/balance/apply", "key.entity_id"),
            ("POST", "/odr/balance/apply", "reference.entity_id"),
            ("POST", "/odr/transactions", "reference.entity_id"),
            ("PUT", "/wms/claims/{id}/attach", "[].entity_id"),
            ("PUT", "/wms/claims/{id}/confirm", "target_id"),
        )
    ),
    *(
        Unchecked("POST", path, "file_id", _EXTERNAL_FILE)
        for path in (
            "/cnt/filesystems/integrations/{id}", "/cnt/filesystems/storages/{id}", "/cnt/filesystems/storages/{id}/sync",
        )
    ),
    *(
        Unchecked(method, path, field, _ITEM)
        for method, path, field in (
            ("POST", "/lcs/shipments", "items[].references[].claim_item_id"),
            ("POST", "/lcs/shipments", "items[].references[].order_item_id"),
            ("PUT", "/odr/orders/{id}/items/claim", "[].claim_item_id"),
            ("PUT", "/odr/orders/{id}/items/claim", "[].item_id"),
            ("POST", "/wms/report", "item_claims[].claim_item_id"),
            ("POST", "/odr/orders/{id}/items/attach", "[].order_item_id"),
            ("POST", "/odr/calculations/{id}/invoices", "order_item_ids"),
            ("POST", "/lcs/parcels", "item_ids"),
            ("POST", "/odr/orders/{id}/calculation", "items[].item_ids"),
            ("POST", "/odr/orders/{id}/items", "[].item_ids"),
            ("PUT", "/odr/orders/{id}/items/routing", "[].item_ids"),
            ("POST", "/wms/locations/{id}/positions/{position}/verify", "missing_ids"),
        )
    ),
    Unchecked("POST", "/wms/search/locations", "address_id", "a search criterion: naming nothing finds nothing"),
    Unchecked("POST", "/cnt/instant/search/{id}", "data[].session_id", "made up by the search client for its analytics"),
    Unchecked("POST", "/cnt/instant/search/{id}", "data[].user_id", "made up by the search client for its analytics"),
    Unchecked("PUT", "/odr/sessions/{id}/billing/methods", "method_id", "payment methods are named by their code"),
    Unchecked("PUT", "/odr/sessions/{id}/billing/methods", "issuer_id", "a payment issuer of the payment provider"),
)


# --- what the references mean for the contract -------------------------------------------


def guarded_delete_routes(routes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(method, path) of the deletes a guarding reference can refuse with 409, and why."""
    targets = {reference.target for reference in REFERENCES if reference.guards_delete}
    return {
        (method, path): f"the {noun_of(path.rsplit('/', 1)[0])} is still named by another object"
        for method, path in routes
        if method == "DELETE" and path.rsplit("/", 1)[0] in targets and is_parameter(path.rsplit("/", 1)[1])
    }
