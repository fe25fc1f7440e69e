"""The running sandbox: its configuration, the served APIs, the request journal, and what
the admin API does with them (reset, state export and import, fixtures, override rules,
background work)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .apis import API_NAMES, vendor_for
from .apis.casavi.settings import CasaviSettings
from .config import ServerConfig
from .engine.background.outbox import DeliveryPolicy, WebhookClient
from .engine.clock import Clock
from .engine.contract.compiled import compiled_contract
from .engine.contract.files import default_contracts_dir
from .engine.errors import OverrideError
from .engine.runtime import ApiRuntime, RuntimeSettings
from .engine.sizes import MIB
from .engine.state.failures import FailureLog
from .engine.state.store import StoreBudget
from .engine.state.watchers import Watchers
from .engine.tools.chaos import Chaos
from .engine.tools.journal import RequestJournal
from .engine.tools.overrides import ActiveRule, ApiOverrides, OverrideSet
from .engine.vendor import ServedApi
from .fixture_files import FixtureError, default_fixtures_dir, fixture_files, read_fixture, split_overrides, unknown_names
from .fixtures import apply_fixture, check_fixture, export_state, load_fixture
from .override_checks import admit_rule
from .start_up_cache import KeptStartUp

if TYPE_CHECKING:
    from .engine.tools.override_rules import OverrideRule

STOP_TIMEOUT = 5.0  # seconds to wait for cancelled background work to end


class Sandbox:
    """The served APIs and everything shared between them."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.clock = Clock(config.frozen_time)
        self.journal = RequestJournal(config.journal_size)
        self.failures = FailureLog(self.clock.iso)  # what listeners, tasks and requests raised
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
        casavi_settings = CasaviSettings(
            token_ttl=config.token_ttl,
            # A frozen clock asks for reproducible runs: tokens are then derived from the seed.
            deterministic_tokens=config.frozen_time is not None,
            allow_http_hooks=config.allow_http_hooks,
            webhook_envelope=config.webhook_envelope,
        )
        self.apis: dict[str, ServedApi] = {}
        for api in config.apis:
            vendor = vendor_for(api, casavi_settings)
            contract = compiled_contract(contracts_dir, api, vendor)
            runtime = ApiRuntime(contract, vendor.data_model(), settings, self.clock, self.webhook_client, self.failures)
            vendor.attach(runtime)
            self.apis[api] = ServedApi(api, runtime, vendor)
        self.overrides = OverrideSet(
            {api: ApiOverrides(api, served.runtime.contract, config.seed) for api, served in self.apis.items()}
        )
        self.chaos = {api: Chaos(api, config.chaos, config.seed) for api in self.apis} if config.chaos else {}
        self._load_start_up_state()
        self.overrides.keep_start_up()
        self._stopping: list[asyncio.Task[Any]] = []  # background work cancelled, perhaps not ended yet
        # Told of every reset, with the APIs it covered.
        self.reset_watchers: Watchers[list[str]] = Watchers()

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

    def _load_start_up_state(self) -> None:
        """Load the start-up fixtures and keep the state they make as the one a reset
        returns to; or adopt the states an earlier start with the same inputs kept."""
        bundled = default_fixtures_dir()
        paths = [*(fixture_files(bundled) if bundled is not None else []), *self.config.fixtures]
        kept = KeptStartUp.for_inputs(self.config, self.apis, paths)
        if kept is not None and kept.adopt(self.apis):
            return
        reads = self.clock.reads
        documents = self._start_up_fixtures(paths, bundled)
        for source, document, rules in documents:
            if document or rules:
                self._load(document, rules, source)
        for served in self.apis.values():
            served.runtime.keep_start_up_state()
        # What was made without reading the clock or arming a rule is the same at every start.
        if kept is not None and self.clock.reads == reads and not any(rules for _, _, rules in documents):
            kept.keep(self.apis)

    def _start_up_fixtures(
        self, paths: list[Path], bundled: Path | None
    ) -> list[tuple[str, dict[str, Any], list[OverrideRule]]]:
        documents = []
        for path in paths:
            shipped = bundled is not None and path.parent == bundled
            document, rules = split_overrides(read_fixture(path, keep_parsed=shipped), str(path))
            # A fixture may cover APIs this server does not serve (with --api).
            served = {api: section for api, section in document.items() if api in self.apis}
            unknown = [str(api) for api in document if api not in self.apis and api not in API_NAMES]
            if unknown:
                raise FixtureError(f"{path}: unknown API {unknown_names(unknown, API_NAMES)} (APIs: {', '.join(API_NAMES)})")
            foreign = [rule.api for rule in rules if rule.api is not None and rule.api not in API_NAMES]
            if foreign:
                raise FixtureError(f"{path}: overrides: unknown API {foreign[0]} (APIs: {', '.join(API_NAMES)})")
            rules = [rule for rule in rules if rule.api is None or rule.api in self.apis]
            documents.append((str(path), served, rules))
        return documents

    def load_fixture(self, document: dict[str, Any], source: str = "fixture") -> dict[str, int]:
        """Add a fixture document to the state (all of it, or nothing when it has a problem)."""
        sections, rules = split_overrides(document, source)
        return self._load(sections, rules, source)

    def _load(self, document: dict[str, Any], rules: list[OverrideRule], source: str) -> dict[str, int]:
        checked = check_fixture(self.apis, document, source)
        accounts = {section.api.name: {entry.name for entry in section.model.accounts} for section in checked}
        active = []
        taken: set[str] = set()
        for index, rule in enumerate(rules):
            try:
                compiled = admit_rule(rule, self.apis, self.overrides, accounts, taken)
            except OverrideError as error:
                raise FixtureError(f"{source}: overrides[{index}]{'.' if error.field else ': '}{error}") from None
            taken.add(compiled.id)
            active.append(compiled)
        loaded = apply_fixture(checked)
        for compiled in active:
            self.overrides.add(compiled)
        return loaded

    def reset(self, apis: list[str]) -> None:
        """Back to the start-up state of the given APIs, as a server just started with the
        same configuration shows it: the state kept once the start-up fixtures were loaded
        is restored (accounts, objects, counters, tokens, cases, tasks and their rules as
        they were then; demo data is made again on first use), everything since is dropped
        (queued and running tasks stop, deliveries not yet sent are never sent and those in
        flight are cancelled), chaos draws its sequence from the start again, and the
        journal, coverage and failure log forget those APIs. Resetting every API also numbers
        the journal and the failure log from 1 again and starts webhook delivery over with no
        open connections.

        Requests still being answered when the reset comes are not carried out in the state
        after it (see `ApiPipeline`). Compiled contracts, routes, validators and shapers are
        kept.
        """
        everything = set(apis) >= set(self.apis)
        stopped = [work for work in self._stopping if _may_end(work)]
        for api in apis:
            stopped += self.apis[api].runtime.restore_start_up_state()
            if api in self.chaos:
                self.chaos[api].restart()
        self._stopping = stopped
        self.overrides.restore_start_up(apis)
        self.journal.forget(None if everything else apis)
        self.failures.forget(None if everything else apis)
        if everything:
            self.webhook_client.recycle()
        if self.reset_watchers:
            self.reset_watchers.tell(list(apis))

    # --- override rules -----------------------------------------------------------------

    def add_override(self, data: dict[str, Any] | OverrideRule) -> ActiveRule:
        """Check a rule (its fields, then against its API's contract) and start applying it.

        Raises OverrideError naming the field at fault (status 409 for a taken id).
        """
        from .engine.tools.override_rules import OverrideRule, parse_rule  # built when first needed

        rule = data if isinstance(data, OverrideRule) else parse_rule(data)
        active = admit_rule(rule, self.apis, self.overrides)
        self.overrides.add(active)
        return active

    def remove_override(self, rule_id: str) -> bool:
        """Stop applying a rule; False when there is none with that id."""
        rule = self.overrides.find(rule_id)
        return rule is not None and self.overrides.apis[rule.api].remove(rule_id)

    def turn_override(self, rule_id: str, enabled: bool) -> ActiveRule | None:
        """Turn a rule off (it acts on nothing, its counts stay) or on again; None when
        there is no rule with that id."""
        rule = self.overrides.find(rule_id)
        if rule is not None:
            self.overrides.apis[rule.api].turn(rule, enabled)
        return rule

    def clear_overrides(self, apis: list[str]) -> None:
        """Forget the rules of the given APIs."""
        for api in apis:
            self.overrides.apis[api].clear()

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

    async def stop_background_work(self) -> None:
        """Stop every task and webhook delivery now (queued work never runs, deliveries in
        flight are cancelled) and wait until the work cancelled here has ended. The state
        stays as it is; a reset starts the work of the state it restores."""
        for api in self.apis.values():
            self._stopping += api.runtime.tasks.close()
            self._stopping += api.runtime.outbox.close()
        loop = asyncio.get_running_loop()
        here = [work for work in self._stopping if _may_end(work) and work.get_loop() is loop]
        self._stopping = [work for work in self._stopping if _may_end(work) and work.get_loop() is not loop]
        if here:
            await asyncio.wait(here, timeout=STOP_TIMEOUT)

    async def close(self) -> None:
        await self.stop_background_work()
        await self.webhook_client.aclose()
        for api in self.apis.values():
            api.runtime.fake.kept_texts.save()


def _may_end(work: asyncio.Task[Any]) -> bool:
    """Whether cancelled work has yet to end (work of an event loop that closed never will)."""
    return not work.done() and not work.get_loop().is_closed()
