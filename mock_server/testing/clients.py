"""Clients of a running sandbox, one per API, and the admin calls a test needs, in a
synchronous and an asynchronous flavour."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import httpx

from ..config import ServerConfig
from ..verification import CallCount, CallPattern, verify_calls
from .credentials import DEMO_CREDENTIALS, client_options
from .errors import SandboxError

ClientT = TypeVar("ClientT", httpx.Client, httpx.AsyncClient)


class _Addresses:
    """Where each served API and the admin API live, for one base URL."""

    def __init__(self, url: str, config: ServerConfig) -> None:
        self.url = url
        self.config = config

    def base_url(self, api: str) -> str:
        """The base URL of one API: the server's URL plus the API's mount."""
        if api not in self.config.apis:
            raise LookupError(f"{api} is not served by this sandbox (it serves {', '.join(self.config.apis)})")
        return self.url + self.config.mount_of(api)

    @property
    def base_urls(self) -> dict[str, str]:
        return {api: self.base_url(api) for api in self.config.apis}

    @property
    def admin_url(self) -> str:
        return f"{self.url}/__admin"

    def admin_options(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.config.admin_token}"} if self.config.admin_token else {}
        return {"base_url": self.admin_url, "headers": headers}


def _admin_answer(method: str, path: str, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SandboxError(f"{method} /__admin{path} answered {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else {}


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class _ApiClients(_Addresses, Generic[ClientT]):
    """One client per API, authenticated as the demo account, and more on request; the
    admin client. ``client_type`` makes them (httpx.Client or httpx.AsyncClient)."""

    client_type: type[ClientT]

    def __init__(self, url: str, config: ServerConfig, transport: Any = None) -> None:
        super().__init__(url, config)
        self._transport = transport
        self._demo: dict[str, ClientT] = {}
        self._made: list[ClientT] = []

    @property
    def admin(self) -> ClientT:
        """A client based at `/__admin` (with the admin token when one is configured)."""
        if "admin" not in self._demo:
            self._demo["admin"] = self._make(self.admin_options())
        return self._demo["admin"]

    def _make(self, options: dict[str, Any]) -> ClientT:
        client = self.client_type(transport=self._transport, **options)
        self._made.append(client)
        return client

    def client(self, api: str, **credentials: str) -> ClientT:
        """A new client of `api`, authenticated with `credentials` (default: the demo account)."""
        return self._make(client_options(api, self.base_url(api), credentials or DEMO_CREDENTIALS[api]))

    def anonymous(self, api: str) -> ClientT:
        """A client of `api` that sends no credentials."""
        return self._make(client_options(api, self.base_url(api), None))

    def _demo_client(self, api: str) -> ClientT:
        if api not in self._demo:
            self._demo[api] = self.client(api)
        return self._demo[api]

    @property
    def casavi(self) -> ClientT:
        """casavi, logged in as the demo account."""
        return self._demo_client("casavi")

    @property
    def afosto(self) -> ClientT:
        """Afosto, with the demo bearer token."""
        return self._demo_client("afosto")

    @property
    def relay(self) -> ClientT:
        """Relay, with the demo API key."""
        return self._demo_client("relay")

    @property
    def messages(self) -> ClientT:
        """Case messages as the demo partner (paths keep their `/api/v3/...`)."""
        return self._demo_client("messages")

    def _forget_clients(self) -> list[ClientT]:
        made = list(self._made)
        self._made.clear()
        self._demo.clear()
        return made


class SandboxClients(_ApiClients[httpx.Client]):
    """Synchronous clients for a running sandbox, and its admin calls."""

    client_type = httpx.Client

    def __init__(self, url: str, config: ServerConfig, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(url, config, transport)

    def _admin(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = self.admin.request(method, path, json=json, params=_present(**params))
        return _admin_answer(method, path, response)

    def reset(self, api: str | None = None) -> None:
        """Back to the start-up state (all APIs, or one)."""
        self._admin("POST", "/reset", api=api)

    def run_jobs(self, api: str | None = None) -> dict[str, Any]:
        """Finish all queued background work now; how many jobs finished, per API."""
        return self._admin("POST", "/jobs/run", api=api)["finished"]

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The request journal, oldest first; filters: api, method, path (prefix), status,
        operation (id), body (a JSON predicate, as text), note."""
        return self._admin("GET", "/requests", **filters)["requests"]

    def clear_requests(self) -> None:
        self._admin("DELETE", "/requests")

    def override(self, **rule: Any) -> dict[str, Any]:
        """Add a scripted answer or fault (see the README), e.g.
        `sandbox.override(api="afosto", method="POST", path="/odr/orders", times=2, response={"status": 503})`."""
        return self._admin("POST", "/overrides", json=rule)

    def verify(
        self, count: int | None = None, *, at_least: int | None = None, at_most: int | None = None, **pattern: Any
    ) -> list[dict[str, Any]]:
        """Assert how often a call was made (at least once when no count is given); returns the calls.

        `sandbox.verify(1, api="casavi", method="POST", path="/hooks", body={"eventName": "contact_created"})`
        """
        outcome = verify_calls(self.requests(), CallPattern(**pattern), CallCount.of(count, at_least, at_most))
        assert outcome.holds, outcome.message
        return outcome.matched

    def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        """Webhook deliveries; filters: api, event, target."""
        return self._admin("GET", "/webhooks", **filters)["deliveries"]

    def state(self, api: str | None = None) -> dict[str, Any]:
        """The state export (a valid fixture document)."""
        return self._admin("GET", "/state", api=api)

    def load_fixtures(self, document: dict[str, Any]) -> dict[str, Any]:
        """Add a fixture document to the current state; objects loaded per API."""
        return self._admin("POST", "/fixtures", json=document)["loaded"]

    def coverage(self) -> dict[str, Any]:
        return self._admin("GET", "/coverage")

    def close(self) -> None:
        """Close every client made so far."""
        for client in self._forget_clients():
            client.close()


class AsyncSandboxClients(_ApiClients[httpx.AsyncClient]):
    """The asynchronous twin of `SandboxClients`: the same clients and calls, awaited."""

    client_type = httpx.AsyncClient

    def __init__(self, url: str, config: ServerConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(url, config, transport)

    async def _admin(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = await self.admin.request(method, path, json=json, params=_present(**params))
        return _admin_answer(method, path, response)

    async def reset(self, api: str | None = None) -> None:
        """Back to the start-up state (all APIs, or one)."""
        await self._admin("POST", "/reset", api=api)

    async def run_jobs(self, api: str | None = None) -> dict[str, Any]:
        """Finish all queued background work now; how many jobs finished, per API."""
        return (await self._admin("POST", "/jobs/run", api=api))["finished"]

    async def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The request journal, oldest first; filters: api, method, path (prefix), status."""
        return (await self._admin("GET", "/requests", **filters))["requests"]

    async def override(self, **rule: Any) -> dict[str, Any]:
        """Add a scripted answer or fault (see `SandboxClients.override`)."""
        return await self._admin("POST", "/overrides", json=rule)

    async def verify(
        self, count: int | None = None, *, at_least: int | None = None, at_most: int | None = None, **pattern: Any
    ) -> list[dict[str, Any]]:
        """Assert how often a call was made (see `SandboxClients.verify`)."""
        outcome = verify_calls(await self.requests(), CallPattern(**pattern), CallCount.of(count, at_least, at_most))
        assert outcome.holds, outcome.message
        return outcome.matched

    async def clear_requests(self) -> None:
        await self._admin("DELETE", "/requests")

    async def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        """Webhook deliveries; filters: api, event, target."""
        return (await self._admin("GET", "/webhooks", **filters))["deliveries"]

    async def state(self, api: str | None = None) -> dict[str, Any]:
        """The state export (a valid fixture document)."""
        return await self._admin("GET", "/state", api=api)

    async def load_fixtures(self, document: dict[str, Any]) -> dict[str, Any]:
        """Add a fixture document to the current state; objects loaded per API."""
        return (await self._admin("POST", "/fixtures", json=document))["loaded"]

    async def coverage(self) -> dict[str, Any]:
        return await self._admin("GET", "/coverage")

    async def aclose(self) -> None:
        """Close every client made so far."""
        for client in self._forget_clients():
            await client.aclose()
