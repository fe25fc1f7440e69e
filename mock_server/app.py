"""Assembles the sandbox: one runtime per served API, the admin API, and the dispatcher."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any


from .admin.routes import admin_app
from .apis import vendor_for
from .config import ServerConfig
from .engine import jsonio
from .engine.clock import Clock
from .engine.contracts import default_contracts_dir, load_contract
from .engine.journal import RequestJournal
from .engine.operations import compile_contract
from .engine.runtime import ApiRuntime
from .engine.service import ApiService, Receive, Scope, Send
from .fixtures import FixtureError, apply_fixture, default_fixtures_dir, export_state, fixture_files, read_fixture

log = logging.getLogger("mock_server")
ADMIN_PREFIX = "/__admin"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Sandbox:
    """The running sandbox: configuration, one runtime per API, the journal."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.clock = Clock(config.frozen_time)
        self.journal = RequestJournal(config.journal_size)
        self.revision = 0  # grows with every request that may have changed stored data
        contracts_dir = config.contracts_dir or default_contracts_dir()
        self.runtimes: dict[str, ApiRuntime] = {}
        for api in config.apis:
            contract = compile_contract(api, load_contract(contracts_dir, api))
            self.runtimes[api] = ApiRuntime(
                contract,
                vendor_for(api, {"token_ttl": config.token_ttl, "job_delay": config.job_delay}),
                seed=config.seed,
                clock=self.clock,
                demo_data=not config.no_demo_data,
            )
        self.fixture_documents = self._start_up_fixtures()
        self.load_start_up_state(list(self.runtimes))

    def _start_up_fixtures(self) -> list[tuple[str, dict[str, Any]]]:
        paths = []
        bundled = default_fixtures_dir()
        if bundled is not None:
            paths.extend(fixture_files(bundled))
        paths.extend(self.config.fixtures)
        documents = []
        for path in paths:
            document = read_fixture(path)
            # A fixture may cover APIs this server does not serve (with --api).
            documents.append((str(path), {api: section for api, section in document.items() if api in self.runtimes}))
        return documents

    def load_start_up_state(self, apis: list[str]) -> None:
        for source, document in self.fixture_documents:
            selected = {api: section for api, section in document.items() if api in apis}
            if selected:
                apply_fixture(self.runtimes, selected, source)

    def reset(self, apis: list[str]) -> None:
        """Back to the start-up state: fixtures reloaded, demo data regenerated on use."""
        for api in apis:
            self.runtimes[api].clear()
        self.load_start_up_state(apis)

    def export_state(self) -> dict[str, Any]:
        """The whole state as a fixture document."""
        return export_state(self.runtimes)

    def replace_state(self, document: dict[str, Any]) -> None:
        """Import a state export: the named APIs hold exactly what it lists."""
        unknown = [api for api in document if api not in self.runtimes]
        if unknown:
            raise FixtureError(f"state: not served here: {', '.join(unknown)}")
        for api in document:
            self.runtimes[api].clear()
        apply_fixture(self.runtimes, document, "state", exact=True)


class SandboxApp:
    """The ASGI entry point: `/__admin` to the admin API, each mount to its API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.admin = admin_app(sandbox)
        config = sandbox.config
        self.services = {
            api: ApiService(runtime, sandbox.journal, config.mount_of(api)) for api, runtime in sandbox.runtimes.items()
        }
        self.single = self.services[config.api] if config.api else None
        self.admin_token = config.admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _READ_METHODS:
            try:
                await self._dispatch(scope, receive, send)
            finally:
                # Counted once the change is made, so a save in between cannot miss it.
                self.sandbox.revision += 1
            return
        await self._dispatch(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            if not self._admin_allowed(scope, path):
                await _json(send, 401, {"error": "the admin API needs 'Authorization: Bearer <admin token>'"})
                return
            admin_scope = dict(scope, root_path=scope.get("root_path", "") + ADMIN_PREFIX, path=path[len(ADMIN_PREFIX):] or "/")
            if "raw_path" in scope and scope["raw_path"] is not None:
                admin_scope["raw_path"] = scope["raw_path"][len(ADMIN_PREFIX):] or b"/"
            await self.admin(admin_scope, receive, send)
            return
        if self.single is not None:
            await self.single(scope, receive, send)
            return
        mount = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        service = self.services.get(mount)
        if service is None:
            mounts = ", ".join(f"/{api}" for api in self.services)
            await _json(send, 404, {"error": f"no API is served at {path}; the APIs are under {mounts}"})
            return
        await service(scope, receive, send)

    def _admin_allowed(self, scope: Scope, path: str) -> bool:
        if self.admin_token is None or path == ADMIN_PREFIX + "/health":
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), self.admin_token)
        return False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _json(send: Send, status: int, body: Any) -> None:
    payload = jsonio.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def create_app(config: ServerConfig | None = None, **overrides: Any) -> SandboxApp:
    """The ASGI app for a configuration (or the defaults with ``overrides``).

    For in-process tests:
    ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(seed=7)), base_url="http://sandbox")``.
    """
    config = config or ServerConfig.from_env(**overrides)
    return SandboxApp(Sandbox(config))
