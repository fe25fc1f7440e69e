"""The running sandbox: its configuration, the served APIs, the request journal, and what
the admin API does with them (reset, state export and import, fixtures, background work)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .apis import API_NAMES, vendor_for
from .apis.settings import VendorSettings
from .config import ServerConfig
from .engine.clock import Clock
from .engine.contracts import default_contracts_dir, load_contract
from .engine.journal import RequestJournal
from .engine.operations import compile_contract
from .engine.outbox import DeliveryPolicy, WebhookClient
from .engine.runtime import ApiRuntime, RuntimeSettings
from .engine.store import MIB, StoreBudget
from .fixtures import (
    FixtureError, default_fixtures_dir, export_state, fixture_files, load_fixture, read_fixture, unknown_names,
)
from .served import ServedApi


class Sandbox:
    """The served APIs and everything shared between them."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.clock = Clock(config.frozen_time)
        self.journal = RequestJournal(config.journal_size)
        self.webhook_client = WebhookClient()
        contracts_dir = config.contracts_dir or default_contracts_dir()
        self.budget = StoreBudget(total=config.max_store_mb * MIB, per_account=config.max_account_store_mb * MIB)
        settings = RuntimeSettings(
            seed=config.seed,
            demo_data=not config.no_demo_data,
            step_delay=config.job_delay,
            delivery=DeliveryPolicy(timeout=config.webhook_timeout, attempts=config.webhook_attempts),
            budget=self.budget,
        )
        vendor_settings = VendorSettings(token_ttl=config.token_ttl)
        self.apis: dict[str, ServedApi] = {}
        for api in config.apis:
            vendor = vendor_for(api, vendor_settings)
            contract = compile_contract(api, load_contract(contracts_dir, api), vendor.formats())
            runtime = ApiRuntime(contract, vendor.rules(), settings, self.clock, self.webhook_client)
            vendor.attach(runtime)
            self.apis[api] = ServedApi(api, runtime, vendor)
        self.fixture_documents = self._start_up_fixtures()
        self.load_start_up_state(list(self.apis))

    @property
    def runtimes(self) -> dict[str, ApiRuntime]:
        return {name: api.runtime for name, api in self.apis.items()}

    @property
    def revision(self) -> int:
        """Grows with every change of any API's state."""
        return sum(api.runtime.revision for api in self.apis.values())

    def selected(self, apis: list[str] | None = None) -> dict[str, ServedApi]:
        return {name: api for name, api in self.apis.items() if apis is None or name in apis}

    # --- fixtures and state -------------------------------------------------------------

    def _start_up_fixtures(self) -> list[tuple[str, dict[str, Any]]]:
        paths: list[Path] = []
        bundled = default_fixtures_dir()
        if bundled is not None:
            paths.extend(fixture_files(bundled))
        paths.extend(self.config.fixtures)
        documents = []
        for path in paths:
            document = read_fixture(path)
            # A fixture may cover APIs this server does not serve (with --api).
            served = {api: section for api, section in document.items() if api in self.apis}
            unknown = [str(api) for api in document if api not in self.apis and api not in API_NAMES]
            if unknown:
                raise FixtureError(f"{path}: unknown API {unknown_names(unknown, API_NAMES)} (APIs: {', '.join(API_NAMES)})")
            documents.append((str(path), served))
        return documents

    def load_start_up_state(self, apis: list[str]) -> None:
        for source, document in self.fixture_documents:
            selected = {api: section for api, section in document.items() if api in apis}
            if selected:
                load_fixture(self.apis, selected, source)

    def load_fixture(self, document: dict[str, Any], source: str = "fixture") -> dict[str, int]:
        """Add a fixture document to the state (all of it, or nothing when it has a problem)."""
        return load_fixture(self.apis, document, source)

    def reset(self, apis: list[str]) -> None:
        """Back to the start-up state: fixtures reloaded, demo data regenerated on use."""
        for api in apis:
            self.apis[api].runtime.clear()
        self.load_start_up_state(apis)

    def export_state(self, apis: list[str] | None = None) -> dict[str, Any]:
        """The whole state (of the given APIs) as a fixture document."""
        return export_state(self.selected(apis))

    def replace_state(self, document: dict[str, Any]) -> None:
        """Import a state export: the APIs it names hold exactly what it lists afterwards.

        The document is checked whole first; when it has a problem nothing changes.
        """
        load_fixture(self.apis, document, "state", exact=True)

    # --- background work ----------------------------------------------------------------

    async def run_pending(self, apis: list[str]) -> dict[str, int]:
        """Finish queued tasks now, then hand over every pending webhook delivery."""
        finished = {api: self.apis[api].runtime.tasks.run_all() for api in apis}
        for api in apis:
            await self.apis[api].runtime.outbox.flush()
        return finished

    def wake(self) -> None:
        """Start background work that was queued before an event loop ran."""
        for api in self.apis.values():
            api.runtime.wake()

    async def close(self) -> None:
        for api in self.apis.values():
            api.runtime.tasks.close()
            api.runtime.outbox.close()
        await self.webhook_client.aclose()
