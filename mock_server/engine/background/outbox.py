"""Webhook delivery: an outbox of recorded deliveries, POSTed in the background.

A vendor records a delivery (target URL, event, body, headers); the outbox sends it with
httpx on the event loop, with a timeout and retries with back-off, and records every
attempt with its status code (or error) and timing. Credentials in the target URL
(`https://user:pass@host/...`) become a Basic `Authorization` header and are not sent in
the URL. Sending never happens inside a request's answer: a slow or dead receiver only
delays its own deliveries. At most `concurrency` deliveries are in flight at once.

`delivery_url_problem` is the one check of whether a URL can be delivered to: APIs
refuse other URLs when they come in, and a delivery to one that was stored anyway (a
fixture, a state import) fails its attempt with the reason, recorded, never raised.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import ssl
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from .delivery_urls import basic_authorization, delivery_url_problem, split_credentials, without_user_info
from .tasks import cancelled

log = logging.getLogger("mock_server")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
RESPONSE_EXCERPT = 1024


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the outbox tries: per-attempt timeout, attempts, waits between them."""

    timeout: float = 5.0
    attempts: int = 4
    backoff: tuple[float, ...] = (0.5, 2.0, 8.0)  # seconds before the 2nd, 3rd, ... attempt
    concurrency: int = 16
    keep: int = 1000  # deliveries remembered per API

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (2 and up)."""
        if attempt <= 1 or not self.backoff:
            return 0.0
        return self.backoff[min(attempt - 2, len(self.backoff) - 1)]


@dataclass
class Attempt:
    number: int
    started_at: str
    duration_ms: float
    status_code: int | None  # None when no answer came (refused, timed out)
    error: str | None = None
    response_excerpt: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "startedAt": self.started_at, "durationMs": self.duration_ms,
            "statusCode": self.status_code, "error": self.error, "response": self.response_excerpt,
        }


@dataclass
class Delivery:
    """One message to one receiver, and every attempt to hand it over."""

    id: str
    api: str
    account: str
    event: str
    target: str  # the URL without credentials
    body: bytes
    headers: dict[str, str]
    created_at: str
    subscription: str | None = None  # the vendor's subscription (hook) id
    status: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    delivered_at: str | None = None
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    unusable: str | None = None  # why the target cannot be delivered to (every attempt fails)
    due: float = 0.0  # monotonic time of the next attempt
    round_attempts: int = 0  # attempts since it was last queued by `post` or `retry`

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "api": self.api, "account": self.account, "event": self.event, "target": self.target,
            "subscription": self.subscription, "status": self.status, "createdAt": self.created_at,
            "deliveredAt": self.delivered_at, "headers": _shown_headers(self.headers),
            "body": self.body.decode("utf-8", "replace"), "attempts": [attempt.to_json() for attempt in self.attempts],
        }


def _shown_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: ("***" if name.lower() == "authorization" else value) for name, value in headers.items()}


class Outbox:
    """One API's webhook deliveries and the background sending of them."""

    def __init__(
        self,
        api: str,
        policy: DeliveryPolicy,
        now: Callable[[], str],
        make_id: Callable[[], str],
        client: "WebhookClient",
    ) -> None:
        self.api = api
        self.policy = policy
        self.now = now
        self.make_id = make_id
        self.client = client
        self.deliveries: OrderedDict[str, Delivery] = OrderedDict()
        self.closed = False
        self._due: list[Delivery] = []
        self._sender: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wakeup: asyncio.Event | None = None

    def post(
        self,
        *,
        account: str,
        event: str,
        url: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        subscription: str | None = None,
    ) -> Delivery:
        """Record a delivery and have it sent in the background (a target that cannot be
        delivered to is recorded too: its attempt fails with the reason)."""
        unusable = delivery_url_problem(url)
        if unusable is None:
            target, credentials = split_credentials(url)
        else:
            target, credentials = without_user_info(str(url)), None
        sent_headers = {"Content-Type": "application/json", "User-Agent": "mock-server webhooks", **(headers or {})}
        if credentials is not None:
            sent_headers["Authorization"] = basic_authorization(credentials)
        delivery = Delivery(
            id=self.make_id(), api=self.api, account=account, event=event, target=target, body=body,
            headers=sent_headers, created_at=self.now(), subscription=subscription, credentials=credentials,
            unusable=unusable,
        )
        self.deliveries[delivery.id] = delivery
        while len(self.deliveries) > self.policy.keep:
            self.deliveries.popitem(last=False)
        self._schedule(delivery, 0.0)
        return delivery

    def retry(self, delivery_id: str) -> Delivery | None:
        """Send a recorded delivery again now (one more round of attempts)."""
        delivery = self.deliveries.get(delivery_id)
        if delivery is None:
            return None
        delivery.status, delivery.round_attempts = PENDING, 0
        self._schedule(delivery, 0.0)
        return delivery

    def select(
        self, account: str | None = None, event: str | None = None, target: str | None = None
    ) -> list[Delivery]:
        """Deliveries, oldest first, matching every filter given (`target` as a prefix)."""
        return [
            delivery
            for delivery in self.deliveries.values()
            if (account is None or delivery.account == account)
            and (event is None or delivery.event == event)
            and (target is None or delivery.target.startswith(target))
        ]

    @property
    def busy(self) -> bool:
        return bool(self._due) or bool(self._in_flight)

    # --- sending ----------------------------------------------------------------------

    def _schedule(self, delivery: Delivery, wait: float) -> None:
        delivery.due = time.monotonic() + wait
        if delivery not in self._due:
            self._due.append(delivery)
        self.wake()

    def wake(self) -> None:
        """Make sure the sender runs (when an event loop runs here)."""
        if self.closed or not self._due:
            return
        if self._wakeup is not None:
            self._wakeup.set()
        if self._sender is not None and not self._sender.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: the next call on one (or `flush`) sends
        self._wakeup = asyncio.Event()
        self._sender = loop.create_task(self._send_due())

    async def _send_due(self) -> None:
        assert self._wakeup is not None
        while not self.closed and self._due:
            now = time.monotonic()
            free = self.policy.concurrency - len(self._in_flight)
            ready = sorted((d for d in self._due if d.due <= now), key=lambda d: d.due)[: max(0, free)]
            for delivery in ready:
                self._due.remove(delivery)
                task = asyncio.get_running_loop().create_task(self._attempt(delivery))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            if not self._due:
                break
            full = len(self._in_flight) >= self.policy.concurrency
            wait = None if full else max(0.0, min(d.due for d in self._due) - time.monotonic())
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
            except asyncio.TimeoutError:
                pass

    async def _attempt(self, delivery: Delivery) -> None:
        number = len(delivery.attempts) + 1
        started_at = self.now()
        started = time.perf_counter()
        if delivery.unusable is not None:
            status_code, excerpt, error = None, None, f"not sent: the URL {delivery.unusable}"
        else:
            status_code, excerpt, error = await self.client.post(
                delivery.target, delivery.body, delivery.headers, self.policy.timeout
            )
        if self.closed:
            return
        delivery.attempts.append(
            Attempt(number, started_at, round((time.perf_counter() - started) * 1000, 3), status_code, error, excerpt)
        )
        delivery.round_attempts += 1
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at = DELIVERED, self.now()
        elif delivery.unusable is None and delivery.round_attempts < self.policy.attempts:
            self._schedule(delivery, self.policy.wait_before(delivery.round_attempts + 1))
        else:
            delivery.status = FAILED
        if self._wakeup is not None:
            self._wakeup.set()

    async def flush(self, limit: float = 60.0) -> None:
        """Send everything due now, retries without their waits, and wait until done."""
        deadline = time.monotonic() + limit
        while (self._due or self._in_flight) and time.monotonic() < deadline:
            for delivery in self._due:
                delivery.due = 0.0
            self.wake()
            await asyncio.sleep(0.005)

    def close(self) -> list[asyncio.Task[None]]:
        """Stop sending (the API's state is being replaced): deliveries not yet sent never
        are, those in flight are cancelled and their outcome is not recorded. Returns the
        cancelled work, for a caller that waits until it has ended."""
        self.closed = True
        self._due.clear()
        sender, self._sender = self._sender, None
        return cancelled([sender, *self._in_flight])

    def __deepcopy__(self, memo: dict[int, Any]) -> "Outbox":
        """A copy of the deliveries that sends nothing yet (what is in flight belongs to the
        outbox copied)."""
        copied = object.__new__(Outbox)
        memo[id(self)] = copied
        for name, value in vars(self).items():
            setattr(copied, name, _NOT_COPIED[name]() if name in _NOT_COPIED else copy.deepcopy(value, memo))
        return copied


# What an outbox's copy starts without: the sending under way.
_NOT_COPIED: dict[str, Callable[[], Any]] = {"_sender": lambda: None, "_in_flight": set, "_wakeup": lambda: None}


class WebhookClient:
    """The HTTP client deliveries go out with, made on first use on the running loop
    (httpx is imported then too: a sandbox that sends no webhooks never loads it).

    `recycle` starts over with no connections (a reset): the old client is closed in the
    background and the next delivery makes a new one. The TLS settings are made once for
    the client's life, which spares a new client reading the certificate store again.
    """

    def __init__(self) -> None:
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tls: ssl.SSLContext | None = None
        self._closing: set[asyncio.Task[None]] = set()

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[int | None, str | None, str | None]:
        """(status code, start of the answer, error): a failure is reported, never raised."""
        import httpx

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False, verify=self._tls)
            self._loop = loop
        try:
            response = await self._client.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return None, None, f"no answer within {timeout:g} s"
        except httpx.HTTPError as failure:
            return None, None, str(failure) or type(failure).__name__
        except Exception as failure:  # a malformed URL and the like: recorded, never raised
            return None, None, f"{type(failure).__name__}: {failure}"
        return response.status_code, response.text[:RESPONSE_EXCERPT], None

    def recycle(self) -> None:
        """Forget every connection: the next delivery goes out on a new client. The old one
        is closed on its event loop when that runs here, else dropped."""
        client, loop, self._client, self._loop = self._client, self._loop, None, None
        if client is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is loop:
            closing = running.create_task(client.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close the client (made on this event loop; one of another loop is dropped)."""
        client, loop, self._client, self._loop = self._client, self._loop, None, None
        if client is not None and loop is asyncio.get_running_loop():
            await client.aclose()
        closing = [task for task in self._closing if task.get_loop() is asyncio.get_running_loop()]
        if closing:
            await asyncio.wait(closing, timeout=5)
