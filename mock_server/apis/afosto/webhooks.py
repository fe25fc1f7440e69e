"""Webhooks (`/mes/webhooks/...`): subscriptions receive the changes the sandbox performs.

The event catalogue (`GET /mes/webhooks/events`) is `<resource>.created`, `.updated` and
`.deleted` for each resource in `EVENT_RESOURCES`. A change the server performs (an API
call, a background task such as batch validation, an admin call; never a fixture, state
or demo load) to one of those resources becomes one message per subscription of the same
account that lists its event; `POST .../subscriptions/{id}/trigger` makes one on demand.

A message is a JSON POST to the subscription's `endpoint`, sent through the engine's
outbox (timeout, retries with back-off, every attempt recorded):

    {"id": 7, "event": "order.created", "entity_id": "<id>", "created_at": "<instant>",
     "data": <the object as its read answers it>}

It is signed with the subscription's own `secret`: the hex HMAC-SHA256 of the exact body
bytes, sent as the `X-Webhook-Signature` header and shown as the message's `signature`
(`X-Webhook-Event` and `X-Webhook-Message` name the event and the message).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from typing import Any

from ...engine import jsonio
from ...engine.background.delivery_urls import delivery_url_problem
from ...engine.background.outbox import DELIVERED, PENDING, Delivery
from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import list_reply, page_reply, success
from ...engine.contract.schema import Schema
from ...engine.errors import ApiError, Problem
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import FROM_API, SERVER_ORIGINS, Change
from ...engine.vendor import Call, Paging, Reply

SUBSCRIPTIONS = "/mes/webhooks/subscriptions"
MESSAGES = "/mes/webhooks/messages"
ATTEMPTS = "/mes/webhooks/messages/{id}/attempts"
EVENTS = "/mes/webhooks/events"
DELAYS = "/mes/webhooks/delays"
SIGNATURE_HEADER = "X-Webhook-Signature"
EVENT_HEADER = "X-Webhook-Event"
MESSAGE_HEADER = "X-Webhook-Message"
CHANGE_KINDS = ("created", "updated", "deleted")
ATTEMPT_IDS_PER_MESSAGE = 1000  # an attempt's id is `message id * 1000 + its number`

# The resources whose changes are events, by collection: `order.created`, ...
EVENT_RESOURCES: dict[str, str] = {
    "/odr/orders": "order",
    "/odr/invoices": "invoice",
    "/odr/transactions": "transaction",
    "/rel/contacts": "contact",
    "/rel/organisations": "organisation",
    "/rel/addresses": "address",
    "/lcs/shipments": "shipment",
    "/lcs/parcels": "parcel",
    "/wms/claims": "claim",
    "/wms/transfers": "transfer",
    "/cat/channels": "channel",
    "/cnt/batches": "batch",
    "/cnt/datasets": "dataset",
    "/cnt/files": "file",
    "/cnt/instant/indexes": "instant_index",
    "/spl/hubs": "hub",
    "/spl/printers": "printer",
    "/mes/conversations": "conversation",
    "/iam/users": "user",
}
EVENTS_BY_NAME: dict[str, str] = {
    f"{noun}.{kind}": collection for collection, noun in EVENT_RESOURCES.items() for kind in CHANGE_KINDS
}


def event_names() -> list[str]:
    """The catalogue, in a stable order."""
    return list(EVENTS_BY_NAME)


# --- sending ------------------------------------------------------------------------------------


def signature_of(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of the body with the subscription's secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def read_model(runtime: ApiRuntime, collection: str) -> Schema:
    """The model a read of one object of the collection answers (the collection's item model
    where no operation reads one)."""
    for operation in runtime.contract.operations.values():
        schema = operation.success.schema
        if operation.kind == "read" and operation.resource == collection and schema and schema.get("type") == "object":
            return schema
    return runtime.collections[collection].item_schema


def object_data(runtime: ApiRuntime, account: str, model: Schema, record: dict[str, Any], key: str) -> Any:
    """The object ``key`` as a read of it answers it: shaped into the read's ``model`` under
    the key the read's path names (text, also where the stored id is a number)."""
    return runtime.shaper.answer(record, model, f"{runtime.name}/{account}", key)


def deliver(
    runtime: ApiRuntime, account: str, subscription: dict[str, Any], event: str, entity_id: str, data: Any, origin: str
) -> dict[str, Any]:
    """Sign and send one message to the subscription's endpoint; returns the stored message."""
    number = runtime.store.next_number("afosto/webhook-messages")
    created_at = runtime.now()
    body = jsonio.dumps({"id": number, "event": event, "entity_id": entity_id, "created_at": created_at, "data": data})
    signature = signature_of(str(subscription.get("secret") or ""), body)
    delivery = runtime.outbox.post(
        account=account,
        event=event,
        url=str(subscription.get("endpoint")),
        body=body,
        headers={SIGNATURE_HEADER: signature, EVENT_HEADER: event, MESSAGE_HEADER: str(number)},
        subscription=str(subscription.get("id")),
    )
    message = {
        "id": number, "event": event, "entity_id": entity_id, "payload": body.decode("utf-8"), "signature": signature,
        "endpoint": subscription.get("endpoint"), "subscription": subscription.get("id"), "delivery": delivery.id,
        "is_pending": True, "is_delivered": False, "attempts": 0,
    }
    return runtime.store.put(account, MESSAGES, (), str(number), message, origin=origin)


class ChangeEvents:
    """Listener of the changes the server performs: each one a subscription asks for is sent."""

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime
        self.models = {collection: read_model(runtime, collection) for collection in EVENT_RESOURCES}

    def attach(self) -> None:
        self.runtime.feed.subscribe(self, collections=tuple(EVENT_RESOURCES), origins=SERVER_ORIGINS)

    def __call__(self, change: Change) -> None:
        if change.parents:
            return
        if not self.runtime.store.count(change.account, SUBSCRIPTIONS):
            return  # the common case: nobody listens
        subscribed = self.runtime.store.collection(change.account, SUBSCRIPTIONS)
        event = f"{EVENT_RESOURCES[change.collection]}.{change.kind}"
        subscriptions = [subscription for subscription in subscribed.values() if _lists(subscription.get("events"), event)]
        if not subscriptions:
            return
        data = object_data(self.runtime, change.account, self.models[change.collection], change.record, change.key)
        for subscription in subscriptions:
            deliver(self.runtime, change.account, subscription, event, change.key, data, change.origin)


def _lists(events: Any, event: str) -> bool:
    """Whether a stored subscription's `events` list names the event (a fixture may hold
    another shape, which names none)."""
    return isinstance(events, list) and event in events


# --- what a message looks like now ----------------------------------------------------------------


def _delivery(runtime: ApiRuntime, message: dict[str, Any]) -> Delivery | None:
    return runtime.outbox.deliveries.get(str(message.get("delivery")))


def attempt_view(message_id: int, attempt: Any) -> dict[str, Any]:
    code = attempt.status_code
    return {
        "id": message_id * ATTEMPT_IDS_PER_MESSAGE + attempt.number,
        "number": attempt.number,
        "is_success": code is not None and 200 <= code < 300,
        "response_time": int(round(attempt.duration_ms)),
        "response_code": code,
        "response_body": attempt.response_excerpt if attempt.response_excerpt is not None else (attempt.error or ""),
        "attempted_at": attempt.started_at,
    }


def message_view(runtime: ApiRuntime, message: dict[str, Any], with_last_attempt: bool = False) -> dict[str, Any]:
    """The stored message with its delivery's state as it is now."""
    view = {name: value for name, value in message.items() if name != "delivery"}
    delivery = _delivery(runtime, message)
    if delivery is not None:
        view.update(is_pending=delivery.status == PENDING, is_delivered=delivery.status == DELIVERED,
                    attempts=len(delivery.attempts))
        if with_last_attempt and delivery.attempts:
            view["attempt"] = attempt_view(int(message["id"]), delivery.attempts[-1])
    return view


# --- handlers -------------------------------------------------------------------------------------


def list_events(call: Call) -> Reply:
    """The whole catalogue (the operation takes no paging headers)."""
    events = [{"event": name} for name in event_names()]
    return page_reply(call, events, len(events), call.runtime.collections[EVENTS], Paging.everything())


def _checked_subscription(call: Call, fields: dict[str, Any]) -> None:
    events = fields.get("events")
    if not isinstance(events, list) or not events:
        raise ApiError(400, f'body field "events" must list at least one event (see GET {EVENTS})',
                       [Problem("body", ("events",), "required")])
    for position, event in enumerate(events):
        if not isinstance(event, str) or event not in EVENTS_BY_NAME:
            raise ApiError(400, f'body field "events[{position}]": unknown event {event!r}; GET {EVENTS} lists them',
                           [Problem("body", ("events", position), "enum")])
    endpoint = fields.get("endpoint")
    problem = delivery_url_problem(endpoint) if isinstance(endpoint, str) else "must be an http(s) URL"
    if problem is not None:
        raise ApiError(400, f'body field "endpoint" {problem}: the URL that receives the messages',
                       [Problem("body", ("endpoint",), "invalid")])
    rate = fields.get("delivery_rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or rate < 1):
        raise ApiError(400, problems=[Problem("body", ("delivery_rate",), "minimum", 1, rate)])


def new_secret(runtime: ApiRuntime, subscription_id: Any) -> str:
    """A signing secret of the subscription's own (the same for one seed)."""
    bits = runtime.fake.rng(f"afosto/webhook-secret/{subscription_id}").getrandbits(128)
    return f"whsec_{bits:032x}"


def create_subscription(call: Call) -> Reply:
    """A subscription with its own signing secret."""
    info = call.runtime.collections[SUBSCRIPTIONS]
    fields = {name: value for name, value in toolkit.body_fields(call).items() if name not in ("id", "secret")}
    _checked_subscription(call, fields)
    record = toolkit.new_record(call, info, fields)
    record["secret"] = new_secret(call.runtime, record["id"])
    stored = toolkit.store_new(call, info, record)
    return success(call, stored, str(stored["id"]))


def update_subscription(call: Call) -> Reply:
    """Events, endpoint and rate change; the id and the secret stay."""
    info = call.runtime.collections[SUBSCRIPTIONS]
    key = str(call.parameter("id"))
    before = toolkit.find_in(call, info, key)
    changes = {name: value for name, value in toolkit.body_fields(call).items() if name not in ("id", "secret")}
    after = {**before, **changes}
    _checked_subscription(call, after)
    stored = toolkit.save(call, info, key, after)
    return success(call, stored, key)


def trigger(call: Call) -> Reply:
    """A message for the event now, with the named object (or a sample of its kind)."""
    info = call.runtime.collections[SUBSCRIPTIONS]
    key = str(call.parameter("id"))
    subscription = toolkit.find_in(call, info, key)
    body = toolkit.body_fields(call)
    event = body.get("event")
    if not isinstance(event, str) or event not in EVENTS_BY_NAME:
        raise ApiError(400, f'body field "event" must name an event of GET {EVENTS}', [Problem("body", ("event",), "enum")])
    collection = EVENTS_BY_NAME[event]
    entity_id = body.get("entity_id")
    stored = call.runtime.collection(call.account, collection).get(str(entity_id)) if entity_id else None
    if stored is None:
        sample_key = f"afosto/webhook-sample/{collection}/{entity_id or call.runtime.store.next_number('afosto/webhook-samples')}"
        target = call.runtime.collections[collection]
        stored = call.runtime.fake.value(target.item_schema, sample_key)
        if not isinstance(stored, dict):
            stored = {}
        stored[target.id_field] = entity_id or call.runtime.fake.uuid(sample_key)
    entity = str(stored.get(call.runtime.collections[collection].id_field))
    data = object_data(call.runtime, call.account.name, read_model(call.runtime, collection), stored, entity)
    message = deliver(call.runtime, call.account.name, subscription, str(event), entity, data, FROM_API)
    return success(call, message_view(call.runtime, message, with_last_attempt=True), str(message["id"]))


def _message(call: Call) -> dict[str, Any]:
    collection = call.runtime.store.collection(call.account.name, MESSAGES)
    return toolkit.find(call, collection, str(call.parameter("id")), call.runtime.collections[MESSAGES])


def list_messages(call: Call) -> Reply:
    """Messages, newest last, optionally only the delivered or pending ones."""
    views = [message_view(call.runtime, message) for message in call.runtime.store.collection(call.account.name, MESSAGES).values()]
    for name in ("is_delivered", "is_pending"):
        wanted = call.parameter(name)
        if wanted in ("1", "0"):
            views = [view for view in views if bool(view.get(name)) == (wanted == "1")]
    return list_reply(call, views, call.runtime.collections[MESSAGES])


def view_message(call: Call) -> Reply:
    message = _message(call)
    return success(call, message_view(call.runtime, message), str(message["id"]))


def retry_message(call: Call) -> Reply:
    """Send the message again now (the same body and signature)."""
    message = _message(call)
    runtime = call.runtime
    if runtime.outbox.retry(str(message.get("delivery"))) is None:
        # The delivery is no longer held (a state import or an old message): send it anew.
        payload = str(message.get("payload") or "").encode("utf-8")
        delivery = runtime.outbox.post(
            account=call.account.name, event=str(message.get("event")), url=str(message.get("endpoint")), body=payload,
            headers={SIGNATURE_HEADER: str(message.get("signature")), EVENT_HEADER: str(message.get("event")),
                     MESSAGE_HEADER: str(message.get("id"))},
            subscription=str(message.get("subscription")),
        )
        message = runtime.store.put(call.account.name, MESSAGES, (), str(message["id"]), {**message, "delivery": delivery.id}, origin=FROM_API)
    return success(call, message_view(runtime, message, with_last_attempt=True), str(message["id"]))


def view_attempts(call: Call) -> Reply:
    message = _message(call)
    delivery = _delivery(call.runtime, message)
    attempts = [attempt_view(int(message["id"]), attempt) for attempt in (delivery.attempts if delivery else [])]
    return list_reply(call, attempts, call.runtime.collections[ATTEMPTS])


def view_delays(call: Call) -> Reply:
    """The retry schedule the sandbox uses, in whole seconds (rounded up)."""
    policy = call.runtime.outbox.policy
    rows = []
    total = 0.0
    for attempt in range(1, policy.attempts + 1):
        wait = policy.wait_before(attempt)
        total += wait
        rows.append({"attempt": attempt, "delay": math.ceil(wait), "total_delay": math.ceil(total)})
    return list_reply(call, rows, call.runtime.collections[DELAYS])
