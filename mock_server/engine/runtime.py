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
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterator

import orjson

from .accounts import Account
from .answer_cache import AnswerCache
from .changes import FROM_DEMO, Change, ChangeFeed, Listener, listener_name
from .clock import Clock
from .demo import settle
from .errors import ApiError
from .failures import LISTENER, TASK, FailureLog
from .fake import FakeData, stable_int
from .kinds import MAKING_KINDS, is_parameter, last_segment
from .memo import BoundedMemo
from .operations import CompiledContract, OperationSpec
from .outbox import DeliveryPolicy, Outbox, WebhookClient
from .references import MadeObjects, Prerequisite, RequiredReference, names_references, noun_of, referenced_collection
from .schema import Schema, SchemaIndex
from .shaping import Shaper
from .store import (
    CREATED_FIELDS,
    UPDATED_FIELDS,
    AccountData,
    ApiStore,
    Collection,
    FieldIndex,
    StoreBudget,
    TimestampFields,
    concrete_path,
)
from .tasks import StepFailure, Task, TaskQueue, TaskType

DEMO_OBJECTS = 3
# Demo objects whose generated fields are kept for the next time they are made, per API.
DEMO_FIELDS_KEPT = 1024
# Schema keywords that put no rule on a value.
_NO_RULES = frozenset({"description", "example", "title", "default", "deprecated", "readOnly", "writeOnly", "xml", "externalDocs"})
_TEMPLATE_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass
class CollectionInfo:
    """What the contract says about the objects of one collection."""

    template: str
    item_schema: Schema
    id_field: str
    listable: bool
    # Whether some operation of the contract stores new objects in it (create, upsert, ...).
    made_by_operations: bool = True

    # Compiled on first use: property name -> validator of its model (None: any value).
    _field_validators: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def id_schema(self) -> Schema:
        return self.item_schema.get("properties", {}).get(self.id_field, {})

    def field_validator(self, name: str, schemas: SchemaIndex) -> Any:
        """The compiled validator of property ``name`` of the model, made once (None where the
        model puts no rule on it)."""
        if name in self._field_validators:
            return self._field_validators[name]
        schema = self.item_schema.get("properties", {}).get(name) or {}
        rules = {key for key in schema if not key.startswith("x-")} - _NO_RULES
        found = schemas.validator(schemas.unresolved(schema)) if rules else None
        self._field_validators[name] = found
        return found

    @property
    def top_level(self) -> bool:
        return "{" not in self.template

    @cached_property
    def timestamp_fields(self) -> TimestampFields:
        properties = self.item_schema.get("properties", {})
        return (
            tuple(name for name in CREATED_FIELDS if name in properties),
            tuple(name for name in UPDATED_FIELDS if name in properties),
        )


@lru_cache(maxsize=4096)
def template_parameters(template: str) -> tuple[str, ...]:
    """`/tickets/{ticketId}/comments/{commentId}` -> (`ticketId`, `commentId`)."""
    return tuple(_TEMPLATE_PARAMETER.findall(template))


@lru_cache(maxsize=4096)
def positional_names(template: str, path: str) -> tuple[str, ...] | None:
    """The names ``path`` gives the parameters of ``template`` where it starts with the
    template's shape (its literal segments, and parameters in the same places), else None:
    (`/transfers/{id}/transports`, `/transfers/{transfer_id}/transports/{id}/state`) -> (`transfer_id`,)."""
    own, other = template.strip("/").split("/"), path.strip("/").split("/")
    if len(other) < len(own):
        return None
    names = []
    for mine, theirs in zip(own, other):
        if is_parameter(mine) != is_parameter(theirs) or (not is_parameter(mine) and mine != theirs):
            return None
        if is_parameter(mine):
            names.append(theirs[1:-1])
    return tuple(names)


@dataclass(frozen=True)
class ApiRules:
    """What an API module tells the engine about its data."""

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
        rules: ApiRules,
        settings: RuntimeSettings,
        clock: Clock,
        webhook_client: WebhookClient | None = None,
        failures: FailureLog | None = None,
    ) -> None:
        self.name = contract.api
        self.contract = contract
        self.rules = rules
        self.settings = settings
        self.clock = clock
        self.fake = FakeData(settings.seed)
        self.shaper = Shaper(self.fake)
        self.collections = collection_infos(contract)
        # Collections only actions name (nothing creates, lists or reads their objects): any
        # identifier names one, looked up when first named (see `looks_up`).
        self.named_only = named_only_collections(contract, self.collections)
        self.reference_keys = {template: (info.id_field, info.id_schema) for template, info in self.collections.items()}
        self.answers = AnswerCache()
        # Where contained failures are kept (the sandbox shares one log between its APIs).
        self.failures = failures if failures is not None else FailureLog(clock.iso)
        self.feed = ChangeFeed(on_failure=self._listener_failed)
        self.feed.subscribe(self._changed)
        self.task_types: dict[str, TaskType] = {}
        self.webhook_client = webhook_client or WebhookClient()
        self.revision = 0  # grows with every change of state
        self._parent_checks: dict[str, tuple[tuple[str, str], ...]] = {}
        # (credential, value) -> the account last found holding it; checked again on every use
        self.credential_owners = BoundedMemo(10_000)
        # (template, seed key) -> a demo object's generated fields, as JSON: they depend on
        # the seed and the key only, so regenerating demo data after a reset costs a copy.
        self._demo_fields = BoundedMemo(DEMO_FIELDS_KEPT)
        self.state = self._fresh_state()
        self._start_up = self._copy_of(self.state)

    # --- state --------------------------------------------------------------------------

    def _fresh_state(self) -> ApiState:
        indexes = [FieldIndex(template, field_name) for template, field_name in self.rules.indexes]
        store = ApiStore(self.name, self.feed, self.clock, self._timestamp_fields, indexes, self.settings.budget)
        tasks = TaskQueue(
            self.task_types, self.now, self.settings.step_delay, self._task_moved, store.charge, self._step_failed
        )
        outbox = Outbox(self.name, self.settings.delivery, self.now, self._delivery_id, self.webhook_client)
        return ApiState(accounts={}, store=store, tasks=tasks, outbox=outbox, vendor=self.rules.new_state())

    def clear(self) -> list[asyncio.Task[Any]]:
        """Forget every account, object, task, delivery and piece of module state; returns
        the background work that was cancelled."""
        stopped = self._drop_state()
        self.state = self._fresh_state()
        self._touched()
        return stopped

    def keep_start_up_state(self) -> None:
        """Remember the state as it is now as the one `restore_start_up_state` returns to
        (once the start-up fixtures are loaded)."""
        self._start_up = self._copy_of(self.state)

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
        """A deep copy of ``state``; what it refers to that lasts as long as the runtime
        (the runtime itself, its change feed, clock, task types, the server's storage
        budget and webhook client) is referred to, not copied."""
        lasting = (
            self, self.feed, self.clock, self.task_types, self.settings, self.settings.budget, self.settings.delivery,
            self.webhook_client,
        )
        return copy.deepcopy(state, {id(item): item for item in lasting})

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
            if info is not None and self.gets_demo_objects(info):
                for index in range(DEMO_OBJECTS):
                    record = self.demo_object(account, info, index, parents)
                    self.store.put(account.name, template, parents, str(record[info.id_field]), record, origin=FROM_DEMO)
        return data.collection(template, parents)

    def gets_demo_objects(self, info: CollectionInfo) -> bool:
        """Listed collections get demo objects: top-level ones, and nested ones no operation
        fills (the positions of a location, the transports of a transfer)."""
        return (
            self.settings.demo_data
            and info.listable
            and info.template not in self.rules.no_demo
            and (info.top_level or not info.made_by_operations)
        )

    def looks_up(self, info: CollectionInfo) -> bool:
        """Whether any identifier names an object of the collection: the contract neither
        creates nor lists its objects, so they are made from the seed when first named."""
        return (
            self.settings.demo_data
            and not info.listable
            and not info.made_by_operations
            and info.template not in self.rules.no_demo
        )

    def existing(self, account: Account, info: CollectionInfo, parents: tuple[str, ...], key: str) -> dict[str, Any] | None:
        """The stored object ``key``; in a collection that `looks_up`, one made on first mention
        (an object removed since stays removed)."""
        record = self.collection(account, info.template, parents).get(key)
        if record is not None or not self.looks_up(info):
            return record
        mentioned = self.data(account).looked_up
        if (info.template, parents, key) in mentioned:
            return None
        mentioned[(info.template, parents, key)] = None
        record = self.demo_object(account, info, key, parents)
        record[info.id_field] = _typed_key(info, key)
        return self.store.put(account.name, info.template, parents, key, record, origin=FROM_DEMO)

    def demo_object(self, account: Account, info: CollectionInfo, index: int | str, parents: tuple[str, ...] = ()) -> dict[str, Any]:
        """A complete object of the collection's model, generated from the seed, that looks
        real: its timestamps in order, its state and stamps agreeing, its references naming
        other demo objects."""
        where = concrete_path(info.template, parents)
        key = f"{self.name}/{account.name}{where}/{index}"
        record = self._demo_fields_of(info, key)
        self._point_at_demo_objects(account, info, record, index)
        if isinstance(index, int):
            record[info.id_field] = self.demo_identifier(account, info, index, parents)
        return record

    def _demo_fields_of(self, info: CollectionInfo, key: str) -> dict[str, Any]:
        """The fields of the demo object ``key`` drawn from the seed, its timeline settled
        (a new copy on every call)."""
        kept = self._demo_fields.get((info.template, key))
        if kept is not None:
            return orjson.loads(kept)
        record = self.fake.value(info.item_schema, key)
        if not isinstance(record, dict):
            record = {}
        settle(record, info.item_schema, self.fake.rng(f"{key}/timeline"))
        try:
            self._demo_fields.keep((info.template, key), orjson.dumps(record))
        except TypeError:
            pass  # an integer beyond 64 bits: made again when next asked for
        return record

    def _point_at_demo_objects(self, account: Account, info: CollectionInfo, record: dict[str, Any], index: int | str) -> None:
        """Fields naming another collection's objects name that collection's demo objects;
        where it has none, an optional reference is left out."""
        id_schemas = self.reference_keys
        required = set(info.item_schema.get("required", ()))
        for name, prop in info.item_schema.get("properties", {}).items():
            if name == info.id_field or name not in record or not names_references(name):
                continue
            template = referenced_collection(name, prop, id_schemas, info.template)
            target = self.collections.get(template or "")
            keys = (
                self.collection(account, target.template).keys()
                if target is not None and target.top_level and self.gets_demo_objects(target)
                else []
            )
            if keys:
                chosen = keys[(index if isinstance(index, int) else stable_int(index)) % len(keys)]
                value = _typed_key(target, chosen)
                record[name] = [value] if prop.get("type") == "array" else value
            elif name not in required:
                del record[name]

    def demo_identifier(self, account: Account, info: CollectionInfo, index: int, parents: tuple[str, ...] = ()) -> Any:
        """Demo identifiers do not depend on which collection was looked at first."""
        styled = self.rules.demo_identifier(info.template, index)
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
                if not is_parameter(segment) or (index == last and operation.kind in _OWN_OBJECT_KINDS):
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
        a failure takes `failure_reference`."""
        state = state or self.state
        state.references += 1
        return self.fake.uuid(f"{self.name}/reference/{state.references}")

    @staticmethod
    def failure_reference() -> str:
        """The id of one failure answered as a 500: unique in every run (never from the seed),
        so it names that failure in `GET /__admin/errors` and nothing else."""
        return str(uuid.uuid4())

    def register_task_type(self, task_type: TaskType) -> None:
        self.task_types[task_type.name] = task_type

    def wake(self) -> None:
        """Resume background work left pending while no event loop ran (start-up, imports)."""
        self.tasks.wake()
        self.outbox.wake()


_OWN_OBJECT_KINDS = {"read", "replace", "update", "delete", "create_at"}


def collection_infos(contract: CompiledContract) -> dict[str, CollectionInfo]:
    """Every collection the operations name, with its item model and identifier field."""
    found: dict[str, CollectionInfo] = {}
    by_resource: dict[str, list[OperationSpec]] = {}
    for operation in contract.operations.values():
        if operation.resource is not None and operation.kind not in ("singleton_read", "singleton_write", "process"):
            by_resource.setdefault(operation.resource, []).append(operation)
    for template, operations in by_resource.items():
        kinds = {operation.kind for operation in operations}
        if not kinds & {"list", "read", "create", "create_at", "upsert", "delete", "replace", "update"}:
            continue
        item_schema = _item_schema(operations)
        id_field = _id_field(operations, item_schema)
        item_schema = _with_identifier(item_schema, id_field, operations)
        found[template] = CollectionInfo(
            template=template,
            item_schema=_with_path_identifier(item_schema, id_field, operations),
            id_field=id_field,
            listable="list" in kinds,
            made_by_operations=bool(kinds & MAKING_KINDS),
        )
    return found


def named_only_collections(contract: CompiledContract, known: dict[str, CollectionInfo]) -> dict[str, CollectionInfo]:
    """The collections of the objects actions change, by the template the actions name, that
    `collection_infos` does not have under that name: a known collection whose path names
    its parameters otherwise (`/transfers/{transfer_id}/transports` is `/transfers/{id}/transports`),
    else objects without a documented model, keyed by `id`."""
    by_shape = {_shape(template): info for template, info in known.items()}
    found: dict[str, CollectionInfo] = {}
    for operation in contract.operations.values():
        template = operation.collection_template
        if operation.kind == "action" and template not in known and template not in found:
            found[template] = by_shape.get(_shape(template)) or CollectionInfo(
                template, {"type": "object", "properties": {}}, "id", False, made_by_operations=False
            )
    return found


def _shape(template: str) -> str:
    """A template without its parameters' names: `/transfers/{}/transports`."""
    return _TEMPLATE_PARAMETER.sub("{}", template)


def _with_path_identifier(schema: Schema, id_field: str, operations: list[OperationSpec]) -> Schema:
    """Identifiers are numbers where the paths that name the objects take numbers, whatever
    the model prints (`/mes/conversations/{id}` with an integer `id`)."""
    for operation in operations:
        if operation.kind not in _OWN_OBJECT_KINDS:
            continue
        name = last_segment(operation.path)[1:-1]
        spec = next((p for p in operation.parameters if p.location == "path" and p.name == name), None)
        if spec is not None and spec.schema.get("type") == "integer":
            current = schema.get("properties", {}).get(id_field, {})
            if current.get("type") != "integer":
                return {**schema, "properties": {**schema.get("properties", {}), id_field: {**current, "type": "integer"}}}
            return schema
    return schema


def _camel(name: str) -> str:
    """`update_id` -> `updateId`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _typed_key(info: CollectionInfo, key: str) -> Any:
    if info.id_schema.get("type") == "integer" and re.fullmatch(r"-?\d{1,18}", key):
        return int(key)
    return key


def _with_identifier(schema: Schema, id_field: str, operations: list[OperationSpec]) -> Schema:
    """A model without its identifier gets the one a creation answers (`POST /addresses` -> 7)."""
    if id_field in schema.get("properties", {}):
        return schema
    for operation in operations:
        answered = operation.success.schema or {}
        if operation.kind == "create" and answered.get("type") in ("integer", "string"):
            return {**schema, "properties": {**schema.get("properties", {}), id_field: answered}}
    return schema


def _item_schema(operations: list[OperationSpec]) -> Schema:
    """The object model: a read's answer, else a list's items, else a creation's answer,
    else what a request stores (one object, or the items of a list of them)."""
    order = {"read": 0, "list": 1, "create": 2, "create_at": 2, "replace": 3, "update": 3, "upsert": 4}
    for operation in sorted(operations, key=lambda o: order.get(o.kind, 9)):
        schema = operation.success.schema or {}
        if operation.kind == "list" or (operation.kind == "read" and _wraps_one_list(schema)):
            schema = _list_items(schema)
        if schema.get("type") == "object" and schema.get("properties"):
            return schema
        if schema.get("type") == "array" and schema.get("items", {}).get("properties"):
            return schema["items"]
    for operation in sorted(operations, key=lambda o: order.get(o.kind, 9)):
        for body in operation.bodies.values():
            if body.schema.get("properties"):
                return body.schema
            if body.schema.get("type") == "array" and body.schema.get("items", {}).get("properties"):
                return body.schema["items"]
    return {"type": "object", "properties": {"id": {"type": "string"}}}


def _wraps_one_list(schema: Schema) -> bool:
    """A read answering `{parcelShop: [...]}`: the object inside a list of one."""
    properties = schema.get("properties", {})
    return len(properties) == 1 and next(iter(properties.values())).get("type") == "array"


def _list_items(schema: Schema) -> Schema:
    if schema.get("type") == "array":
        return schema.get("items", {})
    for prop in schema.get("properties", {}).values():
        if prop.get("type") == "array":
            return prop.get("items", {})
    return {}


# Fields that name an object when its model has no `id`, in the order they are preferred.
NATURAL_KEYS = ("key", "code", "sku", "secret", "reference", "uuid")


def _id_field(operations: list[OperationSpec], schema: Schema) -> str:
    """The field an object's path identifier names: `id`, or `code`, `key`, `sku`, ...

    The path parameter's own name wins where the model has that field; a model without
    `id` is keyed by its natural key (a proxy by its `key`).
    """
    properties = schema.get("properties", {})
    for operation in operations:
        if operation.kind in _OWN_OBJECT_KINDS:
            name = last_segment(operation.path)[1:-1]
            for spelling in (name, _camel(name)):
                if spelling in properties and spelling != "id":
                    return spelling
    if "id" not in properties:
        natural = next((name for name in NATURAL_KEYS if name in properties), None)
        if natural is not None:
            return natural
        # Objects read by a path identifier and modelled without `id` are keyed by their
        # first identifier-like field (`parcelShopId`).
        if any(operation.kind in _OWN_OBJECT_KINDS for operation in operations):
            return next((name for name in properties if re.search(r"(?:[a-z]Id|_id)$", name)), "id")
    return "id"
