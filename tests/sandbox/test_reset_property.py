"""A reset equals a fresh start, for any sequence of calls.

Random sequences of API and admin calls over all four APIs — creates, updates, deletes,
background tasks (casavi imports, Afosto batch validation), webhooks to a receiver on
127.0.0.1, override rules, resets of one API, chaos where configured — are played on one
sandbox (kept for the whole test and reset before each sequence). Then work is left
under way on it (a task, deliveries waiting for a retry or for their answer), it is
reset, a sandbox is built from scratch, and both play the sequence again. What a client
sees must be equal: every answer, the state export, the task and webhook lists, the
journal, coverage and override rules; and the receiver gets from the reset sandbox
exactly what it gets from the new one, nothing left over from before the reset. The
sandboxes start with fixtures of their own (objects, an account, an override rule). The
clock is frozen, so only durations are set aside.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.engine.tools import chaos
from tests.receiver import Receiver
from tests.http_sandbox import AFOSTO, FROZEN, GUID, RELAY
from tests.sandbox.test_reset import answer, seen

ENDPOINTS = {"/ok": (200, 0.0), "/failing": (500, 0.0), "/slow": (200, 0.05)}
APIS = ("casavi", "afosto", "relay", "messages")
RULES = [
    {"api": "afosto", "method": "POST", "path": "/cat/channels", "times": 2, "response": {"status": 503}},
    {"api": "afosto", "method": "GET", "path": "/cat/channels", "delay_ms": 2},
    {"api": "relay", "method": "GET", "path": "/orders", "probability": 0.5, "response": {"status": 400}},
    {"api": "casavi", "method": "GET", "path": "/contacts", "times": 1, "fault": "rate_limit"},
    {"api": "messages", "method": "POST", "path": "/api/v3/case-messages/create", "times": 1, "response": {"status": 400}},
]
MAPPING = [{"column": "sku", "type": "integer", "required": True}, {"column": "name", "required": True}]
ROWS = {
    True: [{"data": {"sku": 1, "name": "Shirt"}}, {"data": {"sku": 2, "name": "Cap"}}],
    False: [{"data": {"sku": "two", "name": "Sock"}}, {"data": {"sku": 3}}],
}

endpoints = st.sampled_from(sorted(ENDPOINTS))
steps = st.one_of(
    st.tuples(st.just("casavi_ticket"), st.integers(1, 3), st.sampled_from(["OPEN", "CLOSED"])),
    st.tuples(st.just("casavi_delete_ticket"), st.integers(1, 3)),
    st.tuples(st.just("casavi_read"), st.sampled_from(["/contacts", "/tickets", "/properties", "/contacts/C-1"])),
    st.tuples(st.just("casavi_hook"), st.sampled_from(["contact_created", "contact_updated"]), endpoints),
    st.tuples(st.just("casavi_import"), st.integers(1, 3), st.integers(1, 4)),
    st.tuples(st.just("casavi_key"), st.booleans()),
    st.tuples(st.just("afosto_channel"), st.sampled_from(["Webshop", "Shop", 5])),
    st.tuples(st.just("afosto_change"), st.integers(0, 5), st.sampled_from(["PUT", "DELETE", "GET"])),
    st.tuples(st.just("afosto_subscribe"), st.sampled_from([["channel.created"], ["channel.updated", "batch.updated"]]), endpoints),
    st.tuples(st.just("afosto_trigger"), st.integers(0, 3)),
    st.tuples(st.just("afosto_batch"), st.booleans()),
    st.tuples(st.just("relay"), st.sampled_from(["address", "orders", "bad"])),
    st.tuples(st.just("messages"), st.sampled_from(["reminder", "serviceComment", "list", "bad"])),
    st.tuples(st.just("override"), st.integers(0, len(RULES) - 1)),
    st.tuples(st.just("admin"), st.sampled_from(["jobs", "clear_overrides", "clear_journal", "account", "tasks", "webhooks"])),
    st.tuples(st.just("reset"), st.sampled_from(APIS)),
)
sequences = st.lists(steps, min_size=1, max_size=18)


class Player:
    """Plays steps on one sandbox as a client would, remembering what it was told."""

    def __init__(self, client: httpx.AsyncClient, receiver: Receiver, account: str = "demo") -> None:
        self.client = client
        self.receiver = receiver
        self.account = account  # the casavi and Afosto account it calls as (see START_UP)
        self.casavi: dict[str, str] = {}
        self.afosto = AFOSTO if account == "demo" else {"Authorization": f"Bearer {account}-token"}
        self.answers: list[Any] = []

    async def call(self, method: str, path: str, **options: Any) -> httpx.Response:
        response = await self.client.request(method, path, **options)
        self.answers.append((method, path, answer(response)))
        return response

    async def login(self) -> None:
        login = {"key": f"{self.account}-key", "secret": f"{self.account}-secret"}
        response = await self.call("POST", "/casavi/authenticate", json=login)
        self.casavi = {"token": response.json()["token"]} if response.status_code == 200 else {}

    async def afosto_ids(self, path: str) -> list[Any]:
        response = await self.call("GET", f"/afosto{path}", headers=self.afosto)
        return [item["id"] for item in response.json()] if response.status_code == 200 else []

    async def play(self, sequence: list[tuple[Any, ...]], settled: bool = True) -> list[Any]:
        """Log in to casavi, then take the steps (each followed by `settle` when ``settled``)."""
        await self.login()
        for step in sequence:
            await getattr(self, step[0])(*step[1:])
            if settled:
                await settle(self.client)
        return self.answers

    async def casavi_ticket(self, number: int, status: str) -> None:
        body = {"id": f"T-{number}", "title": f"Ticket {number}", "propertyId": "P-00001", "status": status}
        await self.call("POST", "/casavi/tickets", headers=self.casavi, json=body)

    async def casavi_delete_ticket(self, number: int) -> None:
        await self.call("DELETE", f"/casavi/tickets/T-{number}", headers=self.casavi)

    async def casavi_read(self, path: str) -> None:
        await self.call("GET", f"/casavi{path}", headers=self.casavi)

    async def casavi_hook(self, event: str, endpoint: str) -> None:
        await self.call("POST", "/casavi/hooks", headers=self.casavi, json={"eventName": event, "hookUrl": self.receiver.url + endpoint})

    async def casavi_import(self, first: int, count: int) -> None:
        contacts = [{"id": f"C-{number}", "lastName": f"Imported {number}"} for number in range(first, first + count)]
        await self.call("POST", "/casavi/import", headers=self.casavi, json={"contacts": contacts})

    async def casavi_key(self, active: bool) -> None:
        await self.call("POST", f"/__admin/casavi/keys/{self.account}-key/{'activate' if active else 'deactivate'}")
        await self.login()

    async def afosto_channel(self, name: Any) -> None:
        await self.call("POST", "/afosto/cat/channels", headers=self.afosto, json={"name": name})

    async def afosto_change(self, index: int, method: str) -> None:
        ids = await self.afosto_ids("/cat/channels")
        if ids:
            body = {"name": f"Renamed {index}"} if method == "PUT" else None
            await self.call(method, f"/afosto/cat/channels/{ids[index % len(ids)]}", headers=self.afosto, json=body)

    async def afosto_subscribe(self, events: list[str], endpoint: str) -> None:
        body = {"events": events, "endpoint": self.receiver.url + endpoint}
        await self.call("POST", "/afosto/mes/webhooks/subscriptions", headers=self.afosto, json=body)

    async def afosto_trigger(self, index: int) -> None:
        ids = await self.afosto_ids("/mes/webhooks/subscriptions")
        if ids:
            body = {"event": "channel.created"}
            await self.call("POST", f"/afosto/mes/webhooks/subscriptions/{ids[index % len(ids)]}/trigger", headers=self.afosto, json=body)

    async def afosto_batch(self, good: bool) -> None:
        dataset = await self.call("POST", "/afosto/cnt/datasets", headers=self.afosto, json={"reference": "products"})
        if dataset.status_code != 200:
            return
        dataset_id = dataset.json()["id"]
        await self.call("POST", f"/afosto/cnt/datasets/{dataset_id}/upload", headers=self.afosto, json=ROWS[good])
        body = {"dataset_id": dataset_id, "reference": "import", "import": {"mapping": MAPPING}}
        batch = await self.call("POST", "/afosto/cnt/batches", headers=self.afosto, json=body)
        if batch.status_code == 200:
            await self.call("PUT", f"/afosto/cnt/batches/{batch.json()['id']}/validate", headers=self.afosto)

    async def relay(self, what: str) -> None:
        if what == "orders":
            await self.call("GET", "/relay/orders", headers=RELAY)
            return
        address = {"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "DE" if what == "address" else 7}
        await self.call("POST", "/relay/addresses", headers=RELAY, json=address)

    async def messages(self, what: str) -> None:
        token = {"accessToken": "demo-partner-token"}
        if what == "list":
            await self.call("GET", "/messages/api/v3/case-messages", params={**token, "guid": GUID})
            return
        body = {"guid": GUID if what != "bad" else "not-a-guid", "type": what if what != "bad" else "reminder"}
        await self.call("POST", "/messages/api/v3/case-messages/create", params=token, json=body)

    async def override(self, index: int) -> None:
        await self.call("POST", "/__admin/overrides", json=RULES[index])

    async def admin(self, what: str) -> None:
        calls = {
            "jobs": ("POST", "/__admin/jobs/run", {}),
            "clear_overrides": ("DELETE", "/__admin/overrides", {}),
            "clear_journal": ("DELETE", "/__admin/requests", {}),
            "account": ("POST", "/__admin/fixtures", {"json": {"afosto": {"accounts": [{"name": "late", "token": "late-token"}]}}}),
            "tasks": ("GET", "/__admin/tasks", {}),
            "webhooks": ("GET", "/__admin/webhooks", {}),
        }
        method, path, options = calls[what]
        await self.call(method, path, **options)

    async def reset(self, api: str) -> None:
        await self.call("POST", "/__admin/reset", params={"api": api})
        if api == "casavi":
            await self.login()


async def settle(client: httpx.AsyncClient) -> None:
    """Let background work reach a point that does not depend on timing: a new task takes
    its first step (then waits for the long job delay), every delivery is handed over."""
    await asyncio.sleep(0)
    for api in client.app.sandbox.apis.values():  # type: ignore[attr-defined]
        await api.runtime.outbox.flush()


@asynccontextmanager
async def client_of(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        client.app = app  # type: ignore[attr-defined]
        try:
            yield client
        finally:
            await app.sandbox.close()


def arrived(receiver: Receiver, start: int, end: int) -> Counter[tuple[str, bytes]]:
    return Counter((request.path, request.body) for request in receiver.requests[start:end])


# Work left under way before the reset by another account, delivering to a receiver of its
# own: a task that has taken its first step, deliveries waiting for a retry or an answer.
UNDER_WAY = [
    ("afosto_subscribe", ["channel.created", "batch.updated"], "/failing"),
    ("afosto_subscribe", ["channel.created"], "/slow"),
    ("casavi_hook", "contact_created", "/failing"),
    ("casavi_import", 7, 3),
    ("afosto_batch", True),
    ("afosto_channel", "Sent"),
]
LEFT_BEHIND = {"/failing": (500, 0.0), "/slow": (200, 1.0)}
RETRY_AFTER = 0.6  # seconds: past the first retry of a failed delivery (DeliveryPolicy.backoff)


async def leave_work_under_way(client: httpx.AsyncClient, receiver: Receiver) -> int:
    """Leave work under way, then make two more deliveries not yet sent; returns how many
    requests the receiver has had, each delivery having been sent once."""
    player = Player(client, receiver, account="other")
    await player.play(UNDER_WAY, settled=False)
    while len(receiver.requests) < await deliveries_of(client, player.account):
        await asyncio.sleep(0.01)  # each delivery sent once: the failing ones wait to be retried, the slow one for its answer
    sent = len(receiver.requests)
    await player.afosto_channel("Never sent")
    return sent


async def deliveries_of(client: httpx.AsyncClient, account: str) -> int:
    listed = (await client.get("/__admin/webhooks")).json()["deliveries"]
    return sum(1 for delivery in listed if delivery["account"] == account)


async def reset_equals_new(
    config: ServerConfig, kept: Any, receiver: Receiver, left_behind: Receiver, sequence: list[tuple[Any, ...]]
) -> None:
    left_behind.requests.clear()
    kept.sandbox.reset(list(kept.sandbox.apis))
    async with client_of(kept) as used:
        before_reset = await Player(used, receiver).play(sequence)
        sent_before_reset = await leave_work_under_way(used, left_behind)
        assert (await used.post("/__admin/reset")).status_code == 200
        reset_at = time.monotonic()
        new_start = len(receiver.requests)
        async with client_of(create_app(config)) as new:
            from_new = await Player(new, receiver).play(sequence)
            new_views = await seen(new)
        used_start = len(receiver.requests)
        after_reset = await Player(used, receiver).play(sequence)
        used_views = await seen(used)
        used_end = len(receiver.requests)
        await asyncio.sleep(max(0.0, reset_at + RETRY_AFTER - time.monotonic()))
    assert before_reset == from_new
    assert after_reset == from_new
    assert used_views == new_views
    assert arrived(receiver, used_start, used_end) == arrived(receiver, new_start, used_start)
    assert len(left_behind.requests) == sent_before_reset  # no retry, nothing sent after the reset


@pytest.fixture(scope="module")
def receiver():
    with Receiver(by_path=ENDPOINTS) as started:
        yield started


@pytest.fixture(scope="module")
def left_behind():
    with Receiver(by_path=LEFT_BEHIND) as started:
        yield started


START_UP = {
    "casavi": {
        "accounts": [{"name": "other", "key": "other-key", "secret": "other-secret", "tenantId": 7}],
        "data": {"demo": {"/contacts": [{"id": "C-1", "firstName": "Ann", "lastName": "Start"}]}},
    },
    "afosto": {"accounts": [{"name": "other", "token": "other-token"}], "data": {"demo": {"/cat/channels": [{"name": "Loaded"}]}}},
    "overrides": [{"api": "relay", "method": "GET", "path": "/orders", "times": 1, "response": {"status": 400}}],
}


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> dict[str, ServerConfig]:
    fixture = tmp_path_factory.mktemp("start-up") / "start-up.json"
    fixture.write_text(json.dumps(START_UP))
    common = {"frozen_time": FROZEN, "allow_http_hooks": True, "job_delay": 3600, "fixtures": [fixture]}
    return {"plain": ServerConfig(seed=11, **common), "chaos": ServerConfig(seed=12, chaos=0.3, **common)}


@pytest.fixture(scope="module")
def kept(configs):
    """The sandboxes reset before each sequence: built once, for every example."""
    return {name: create_app(config) for name, config in configs.items()}


EXAMPLES = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(EXAMPLES, max_examples=25)
@given(sequence=sequences)
def test_a_reset_sandbox_answers_as_a_new_one(configs, kept, receiver, left_behind, sequence):
    asyncio.run(reset_equals_new(configs["plain"], kept["plain"], receiver, left_behind, sequence))


@settings(EXAMPLES, max_examples=6)
@given(sequence=sequences)
def test_a_reset_sandbox_meets_the_same_chaos_as_a_new_one(configs, kept, receiver, left_behind, sequence):
    short_delays = pytest.MonkeyPatch()
    short_delays.setattr(chaos, "MAX_DELAY_MS", 5.0)  # chaos's delays, short enough for many runs
    try:
        asyncio.run(reset_equals_new(configs["chaos"], kept["chaos"], receiver, left_behind, sequence))
    finally:
        short_delays.undo()
