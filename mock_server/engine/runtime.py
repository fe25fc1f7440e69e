"""One served API at run time: its compiled contract, its state and the helpers around them.

Everything that changes while the API is served lives in one `ApiState` (accounts,
stored objects, counters, background tasks, webhook deliveries, the vendor's own state
such as tokens or cases). A copy of it is kept once the start-up fixtures are loaded, and
a reset replaces the state whole with a copy of that one, so nothing is forgotten and
nothing is rebuilt. What does not change (the contract, the collections it names, fake
data, change subscriptions, task types) stays on the runtime.
"""

from __future__ import annotations

import asyncio
import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .background.outbox import Delivery, DeliveryPolicy, Outbox, WebhookClient
from .background.tasks import StepFailure, Task, TaskQueue, TaskType
from .clock import Clock
from .contract.collections import (
    OWN_OBJECT_KINDS,
    CollectionInfo,
    TimestampFields,
    contract_collections,
    positional_names,
    template_parameters,
)
from .contract.kinds import is_parameter
from .contract.operations import CompiledContract, OperationSpec
from .contract.references import MadeObjects, Prerequisite, RequiredReference, noun_of
from .errors import ApiError
from .memo import BoundedMemo
from .state.accounts import Account
from .state.answer_cache import AnswerCache
from .state.changes import FROM_DEMO, Change, ChangeFeed, Listener, listener_name
from .state.failures import LISTENER, TASK, FailureLog
from .state.store import AccountData, ApiStore, Collection, FieldIndex, StoreBudget, concrete_path
from .state.watchers import Watchers
from .values.demo import DemoObjects, made_at
from .values.fake import FakeData
from .values.identifiers import typed_identifier
from .values.shaping import Shaper

DEMO_OBJECTS = 3


@dataclass(frozen=True)
class DataModel:
    """What an API module tells the engine about its data: who chooses ids, how demo objects
    are named, what is indexed, the references it enforces."""

    client_supplies_ids: bool = False  # the client chooses objects' `id`s (else the server does)
    demo_identifier: Callable[[str, int], Any] = lambda template, index: None  # a styled demo id, or None
    indexes: tuple[tuple[str, str], ...] = ()  # (collection template, field) to look objects up by
    new_state: Callable[[], Any] = lambda: None  # the module's own state (tokens, cases, ...)
    no_demo: frozenset[str] = frozenset()  # collections that get no demo objects (nor lookups)
    # The references between objects the module enforces, the operations that make objects
    # of another collection, and the steps an object must go through before another: the
    # contract's links follow them.
    references: tuple[RequiredReference, ...] = ()
    made: tuple[MadeObjects, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()


@dataclass(frozen=True)
class RuntimeSettings:
    """How the engine runs an API's background work and webhooks."""

    seed: int
    demo_data: bool = True
    step_delay: float = 0.01  # seconds a background task waits after each step
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    budget: StoreBudget = field(default_factory=StoreBudget)  # shared by every API of a server


@dataclass
class ApiState:
    """Everything one API holds that a reset forgets and a state export covers."""

    accounts: dict[str, Account]
    store: ApiStore
    tasks: TaskQueue
    outbox: Outbox
    vendor: Any  # the API module's own state
    references: int = 0  # ids handed out for error bodies


class ApiRuntime:
    """Serves one API: the engine's state and helpers shared by all its operations."""

    def __init__(
        self,
        contract: CompiledContract,
        data_model: DataModel,
        settings: RuntimeSettings,
        clock: Clock,
        webhook_client: WebhookClient | None = None,
        failures: FailureLog | None = None,
    ) -> None:
        self.name = contract.api
        self.contract = contract
        self.data_model = data_model
        self.settings = settings
        self.clock = clock
        self.fake = FakeData(settings.seed)
        self.shaper = Shaper(self.fake)
        # The collections; and those only actions name (nothing creates, lists or reads their
        # objects): any identifier names one, looked up when first named (see
        # `DemoObjects.looked_up_in`).
        self.collections, self.named_only = contract_collections(contract)
        self.demo = DemoObjects(self.name, self.fake, self.collections, settings.demo_data, data_model.no_demo)
        self.answers = AnswerCache()
        # Where contained failures are kept (the sandbox shares one log between its APIs).
        self.failures = failures if failures is not None else FailureLog(clock.iso)
        self.feed = ChangeFeed(on_failure=self._listener_failed)
        self.feed.subscribe(self._changed)
        self.task_types: dict[str, TaskType] = {}
        self.webhook_client = webhook_client or WebhookClient()
        self.revision = 0  # grows with every change of state
        # Told of every step of a task and of every delivery recorded or attempted (the admin event stream).
        self.task_watchers: Watchers[Task] = Watchers()
        self.delivery_watchers: Watchers[Delivery] = Watchers()
        self._parent_checks: dict[str, tuple[tuple[str, str], ...]] = {}
        # (credential, value) -> the account last found holding it; checked again on every use
        self.credential_owners = BoundedMemo(10_000)
        self.state = self._fresh_state()
        self._start_up = self._copy_of(self.state)

    # --- state --------------------------------------------------------------------------

    def _fresh_state(self) -> ApiState:
        indexes = [FieldIndex(template, field_name) for template, field_name in self.data_model.indexes]
        store = ApiStore(self.name, self.feed, self.clock, self._timestamp_fields, indexes, self.settings.budget)
        tasks = TaskQueue(
            self.task_types, self.now, self.settings.step_delay, self._task_moved, store.charge, self._step_failed
        )
        outbox = Outbox(self.name, self.settings.delivery, self.now, self._delivery_id, self.webhook_client, self.delivery_watchers.tell)
        return ApiState(accounts={}, store=store, tasks=tasks, outbox=outbox, vendor=self.data_model.new_state())

    def clear(self) -> list[asyncio.Task[Any]]:
        """Forget every account, object, task, delivery and piece of module state; returns
        the background work that was cancelled."""
        stopped = self._drop_state()
        self.state = self._fresh_state()
        self._touched()
        return stopped

    def keep_start_up_state(self, state: ApiState | None = None) -> None:
        """Remember the state as it is now (or ``state``, one an earlier start kept) as the
        one `restore_start_up_state` returns to (once the start-up fixtures are loaded)."""
        self._start_up = self._copy_of(self.state) if state is None else state

    @property
    def start_up_state(self) -> ApiState:
        return self._start_up

    def restore_start_up_state(self) -> list[asyncio.Task[Any]]:
        """Back to the state kept at start-up, as a server just started shows it: every
        object, counter, token, task and delivery of now is dropped (queued and running
        tasks stop, deliveries not yet sent are never sent). Demo data is made again on
        first use, as at start. Returns the background work that was cancelled."""
        stopped = self._drop_state()
        self.state = self._copy_of(self._start_up)
        self.state.store.claim()
        self._touched()
        self.wake()
        return stopped

    def _drop_state(self, state: ApiState | None = None) -> list[asyncio.Task[Any]]:
        """Stop a state's background work (by default the current one's) and give back what
        its store counted; returns the work that was cancelled."""
        state = state or self.state
        stopped = [*state.tasks.close(), *state.outbox.close()]
        state.store.release()
        self.credential_owners.clear()
        return stopped

    def _copy_of(self, state: ApiState) -> ApiState:
        """A deep copy of ``state`` that refers to the `lasting_parts`, not to copies."""
        return copy.deepcopy(state, {id(item): item for item in self.lasting_parts()})

    def lasting_parts(self) -> tuple[Any, ...]:
        """What a state refers to that lasts as long as the runtime: the runtime itself, its
        change feed, clock, task types, watchers, the server's storage budget and webhook client."""
        return (
            self, self.feed, self.clock, self.task_types, self.settings, self.settings.budget, self.settings.delivery,
            self.webhook_client, self.task_watchers, self.delivery_watchers,
        )

    @contextmanager
    def all_or_nothing(self, *, replace: bool = False) -> Iterator[None]:
        """What the block changes in this API's state stands only if the block ends without
        raising; otherwise the state is the one before it, whatever raised where.

        With ``replace`` the block starts from an empty state (a state import) and the state
        before is kept aside untouched until the block ends; otherwise the block changes the
        state in place and a copy taken first is put back when it raises (its pending tasks
        and deliveries resume from that copy).
        """
        before = self.state
        kept = None
        if replace:
            self.state = self._fresh_state()
        else:
            kept = self._copy_of(before)
        try:
            yield
        except BaseException:
            self._drop_state()
            if kept is not None:
                kept.store.claim()
                self.state = kept
            else:
                self.state = before
            self._touched()
            self.wake()
            raise
        if replace:
            self._drop_state(before)
        self._touched()

    @property
    def store(self) -> ApiStore:
        return self.state.store

    @property
    def accounts(self) -> dict[str, Account]:
        return self.state.accounts

    @property
    def tasks(self) -> TaskQueue:
        return self.state.tasks

    @property
    def outbox(self) -> Outbox:
        return self.state.outbox

    def _changed(self, change: Change) -> None:
        self._touched()

    def _task_moved(self, task: Task) -> None:
        self._touched()
        self.task_watchers.tell(task)

    def _listener_failed(self, listener: Listener, change: Change, error: Exception) -> None:
        self.failures.record(self.name, LISTENER, error, listener=listener_name(listener), change=change)

    def _step_failed(self, task: Task, step: Any, error: Exception) -> StepFailure:
        failure = self.failures.record(
            self.name, TASK, error, task={"id": task.id, "account": task.account, "type": task.type, "step": task.done}
        )
        return StepFailure(error, failure.sequence)

    def _touched(self) -> None:
        self.revision += 1
        self.answers.invalidate()

    def _timestamp_fields(self, template: str) -> TimestampFields:
        info = self.collections.get(template)
        return info.timestamp_fields if info is not None else ((), ())

    def _delivery_id(self) -> str:
        return self.fake.uuid(f"{self.name}/delivery/{self.store.next_number('deliveries')}")

    # --- accounts -----------------------------------------------------------------------

    def add_account(self, account: Account) -> None:
        self.accounts[account.name] = account
        self.store.account(account.name)
        self._touched()

    def data(self, account: Account) -> AccountData:
        return self.store.account(account.name)

    # --- collections --------------------------------------------------------------------

    def collection(self, account: Account, template: str, parents: tuple[str, ...] = ()) -> Collection:
        """The account's collection, with its demo objects made on first use."""
        data = self.data(account)
        key = (template, parents)
        if key not in data.seeded:
            info = self.collections.get(template)
            if info is not None or template in self.named_only:
                data.seeded[key] = None  # a collection a state export names, seen, even when empty
            if info is not None and self.demo.listed_in(info):
                for index in range(DEMO_OBJECTS):
                    record = self.demo_object(account, info, index, parents)
                    self.store.put(account.name, template, parents, str(record[info.id_field]), record, origin=FROM_DEMO)
        return data.collection(template, parents)

    def existing(self, account: Account, info: CollectionInfo, parents: tuple[str, ...], key: str) -> dict[str, Any] | None:
        """The stored object ``key``; in a collection whose objects are looked up, one made on
        first mention (an object removed since stays removed)."""
        record = self.collection(account, info.template, parents).get(key)
        if record is not None or not self.demo.looked_up_in(info):
            return record
        mentioned = self.data(account).looked_up
        if (info.template, parents, key) in mentioned:
            return None
        mentioned[(info.template, parents, key)] = None
        record = self.demo_object(account, info, key, parents)
        record[info.id_field] = typed_identifier(info, key)
        return self.store.put(account.name, info.template, parents, key, record, origin=FROM_DEMO)

    def demo_object(self, account: Account, info: CollectionInfo, index: int | str, parents: tuple[str, ...] = ()) -> dict[str, Any]:
        """A complete object of the collection's model, generated from the seed, that looks
        real: its timestamps in order, its state and stamps agreeing, its references naming
        other demo objects."""
        where = concrete_path(info.template, parents)
        key = f"{self.name}/{account.name}{where}/{index}"
        parent_made = made_at(self.data(account).owner(info.template, parents))
        # A child is made after its parent, and before now (its parent may be new).
        record = self.demo.fields(info, key, parent_made, self.clock.now() if parent_made else None)
        self.demo.point_at_others(info, record, index, lambda template: self.collection(account, template).keys())
        if isinstance(index, int):
            record[info.id_field] = self.demo_identifier(account, info, index, parents)
        return record

    def demo_identifier(self, account: Account, info: CollectionInfo, index: int, parents: tuple[str, ...] = ()) -> Any:
        """Demo identifiers do not depend on which collection was looked at first."""
        styled = self.data_model.demo_identifier(info.template, index)
        if styled is not None:
            return styled
        if info.id_schema.get("type") in ("integer", "number"):
            return self.store.next_number(self.sequence(account.name, info.template))
        return self.fake.uuid(f"{self.name}/demo/{account.name}{concrete_path(info.template, parents)}/{index}")

    @staticmethod
    def sequence(account: str, name: str) -> str:
        """The counter a number sequence of one account is kept under: accounts never share."""
        return f"{account}:{name}"

    def new_identifier(self, info: CollectionInfo | None, key: str, account: str = "") -> Any:
        """A server-made identifier of the collection's type: the account's next number, or a UUID."""
        if info is not None and info.id_schema.get("type") in ("integer", "number"):
            return self.store.next_number(self.sequence(account, info.template))
        return self.fake.numbered_uuid(f"{self.name}/id/{account}/{key}/", self.store.next_number(self.sequence(account, "uuid")))

    def parents_of(self, template: str, path_parameters: dict[str, Any], path: str | None = None) -> tuple[str, ...]:
        """The identifiers of the objects above the collection ``template``, from the values
        of a request's path parameters: by position where the request's ``path`` starts
        with the template's shape (`/transfers/{transfer_id}/transports/...` names the
        transfer of `/transfers/{id}/transports`), else by name."""
        names = template_parameters(template)
        if not names:
            return ()
        if path is not None:
            names = positional_names(template, path) or names
        return tuple([str(path_parameters[name]) for name in names if name in path_parameters])

    def require_parents(self, account: Account, operation: OperationSpec, path_parameters: dict[str, Any]) -> None:
        """404 unless every object the path names above the operation's own exists."""
        for template, parameter in self._parents_named(operation):
            value = str(path_parameters.get(parameter, ""))
            parents = self.parents_of(template, path_parameters)
            if self.existing(account, self.collections[template], parents, value) is None:
                raise ApiError(operation.error_status(404), f"{noun_of(template)} {value!r} not found")

    def _parents_named(self, operation: OperationSpec) -> tuple[tuple[str, str], ...]:
        """(collection template, path parameter) of every object the path names above its own."""
        found = self._parent_checks.get(operation.operation_id)
        if found is None:
            segments = operation.path.strip("/").split("/")
            last = len(segments) - 1
            checks = []
            for index, segment in enumerate(segments):
                if not is_parameter(segment) or (index == last and operation.kind in OWN_OBJECT_KINDS):
                    continue
                template = "/" + "/".join(segments[:index])
                if template in self.collections:
                    checks.append((template, segment[1:-1]))
            found = self._parent_checks[operation.operation_id] = tuple(checks)
        return found

    # --- time, ids and background work ----------------------------------------------------

    def now(self) -> str:
        return self.clock.iso()

    def next_reference(self, state: ApiState | None = None) -> str:
        """A fresh id for the error bodies that carry one, of answers the sandbox means to give
        (4xx refusals, injected faults): made from the seed and counted in ``state`` (by default
        the current one), so the same seed and requests give byte-identical answers. A 500 for
        a failure takes `errors.failure_reference`."""
        state = state or self.state
        state.references += 1
        return self.fake.uuid(f"{self.name}/reference/{state.references}")

    def register_task_type(self, task_type: TaskType) -> None:
        self.task_types[task_type.name] = task_type

    def wake(self) -> None:
        """Resume background work left pending while no event loop ran (start-up, imports)."""
        self.tasks.wake()
        self.outbox.wake()
