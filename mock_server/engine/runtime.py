"""One served API at run time: its compiled contract, its state and the helpers around them.

Everything that changes while the API is served lives in one `ApiState` (accounts,
stored objects, background tasks, webhook deliveries, the vendor's own state such as
tokens or cases); a reset replaces it whole, so nothing is forgotten. What does not
change (the contract, the collections it names, fake data, change subscriptions, task
types) stays on the runtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable

from .accounts import Account
from .answer_cache import AnswerCache
from .changes import FROM_DEMO, Change, ChangeFeed
from .clock import Clock
from .errors import ApiError
from .fake import FakeData
from .kinds import is_parameter, last_segment
from .operations import CompiledContract, OperationSpec
from .outbox import DeliveryPolicy, Outbox, WebhookClient
from .schema import Schema
from .shaping import Shaper
from .store import (
    CREATED_FIELDS, UPDATED_FIELDS, AccountData, ApiStore, Collection, FieldIndex, StoreBudget, TimestampFields,
)
from .tasks import Task, TaskQueue, TaskType

DEMO_OBJECTS = 3
_TEMPLATE_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass
class CollectionInfo:
    """What the contract says about the objects of one collection."""

    template: str
    item_schema: Schema
    id_field: str
    listable: bool

    @property
    def id_schema(self) -> Schema:
        return self.item_schema.get("properties", {}).get(self.id_field, {})

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


@dataclass(frozen=True)
class ApiRules:
    """What an API module tells the engine about its data."""

    client_supplies_ids: bool = False  # the client chooses objects' `id`s (else the server does)
    demo_identifier: Callable[[str, int], Any] = lambda template, index: None  # a styled demo id, or None
    indexes: tuple[tuple[str, str], ...] = ()  # (collection template, field) to look objects up by
    new_state: Callable[[], Any] = lambda: None  # the module's own state (tokens, cases, ...)
    no_demo: frozenset[str] = frozenset()  # collections that get no demo objects


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
    ) -> None:
        self.name = contract.api
        self.contract = contract
        self.rules = rules
        self.settings = settings
        self.clock = clock
        self.fake = FakeData(settings.seed)
        self.shaper = Shaper(self.fake)
        self.collections = _collections(contract)
        self.answers = AnswerCache()
        self.feed = ChangeFeed()
        self.feed.subscribe(self._changed)
        self.task_types: dict[str, TaskType] = {}
        self.webhook_client = webhook_client or WebhookClient()
        self.revision = 0  # grows with every change of state
        self._parent_checks: dict[str, tuple[tuple[str, str], ...]] = {}
        self.state = self._fresh_state()

    # --- state --------------------------------------------------------------------------

    def _fresh_state(self) -> ApiState:
        indexes = [FieldIndex(template, field_name) for template, field_name in self.rules.indexes]
        store = ApiStore(self.name, self.feed, self.clock, self._timestamp_fields, indexes, self.settings.budget)
        tasks = TaskQueue(self.task_types, self.now, self.settings.step_delay, self._task_moved, store.charge)
        outbox = Outbox(self.name, self.settings.delivery, self.now, self._delivery_id, self.webhook_client)
        return ApiState(accounts={}, store=store, tasks=tasks, outbox=outbox, vendor=self.rules.new_state())

    def clear(self) -> None:
        """Forget every account, object, task, delivery and piece of module state."""
        self.state.tasks.close()
        self.state.outbox.close()
        self.state.store.release()
        self.state = self._fresh_state()
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
            data.seeded[key] = None
            info = self.collections.get(template)
            if self.settings.demo_data and info is not None and info.top_level and info.listable and template not in self.rules.no_demo:
                for index in range(DEMO_OBJECTS):
                    record = self.demo_object(account, info, index)
                    self.store.put(account.name, template, parents, str(record[info.id_field]), record, origin=FROM_DEMO)
        return data.collection(template, parents)

    def demo_object(self, account: Account, info: CollectionInfo, index: int) -> dict[str, Any]:
        """A complete object of the collection's model, generated from the seed."""
        key = f"{self.name}/{account.name}{info.template}/{index}"
        record = self.fake.value(info.item_schema, key)
        if not isinstance(record, dict):
            record = {}
        record[info.id_field] = self.demo_identifier(account, info, index)
        return record

    def demo_identifier(self, account: Account, info: CollectionInfo, index: int) -> Any:
        """Demo identifiers do not depend on which collection was looked at first."""
        styled = self.rules.demo_identifier(info.template, index)
        if styled is not None:
            return styled
        if info.id_schema.get("type") in ("integer", "number"):
            return self.store.next_number(info.template)
        return self.fake.uuid(f"{self.name}/demo/{account.name}{info.template}/{index}")

    def new_identifier(self, info: CollectionInfo | None, key: str) -> Any:
        """A server-made identifier of the collection's type: a counter or a UUID."""
        if info is not None and info.id_schema.get("type") in ("integer", "number"):
            return self.store.next_number(info.template)
        return self.fake.uuid(f"{self.name}/id/{key}/{self.store.next_number('uuid')}")

    def parents_of(self, template: str, path_parameters: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(path_parameters[name]) for name in template_parameters(template) if name in path_parameters)

    def require_parents(self, account: Account, operation: OperationSpec, path_parameters: dict[str, Any]) -> None:
        """404 unless every object the path names above the operation's own exists."""
        for template, parameter in self._parents_named(operation):
            value = str(path_parameters.get(parameter, ""))
            parents = self.parents_of(template, path_parameters)
            if value not in self.collection(account, template, parents):
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

    def next_reference(self) -> str:
        """A fresh id for error bodies that carry one."""
        self.state.references += 1
        return self.fake.uuid(f"{self.name}/reference/{self.state.references}")

    def register_task_type(self, task_type: TaskType) -> None:
        self.task_types[task_type.name] = task_type

    def wake(self) -> None:
        """Resume background work left pending while no event loop ran (start-up, imports)."""
        self.tasks.wake()
        self.outbox.wake()


_OWN_OBJECT_KINDS = {"read", "replace", "update", "delete", "create_at"}


def singular(word: str) -> str:
    """`proxies` -> `proxy`, `batches` -> `batch`, `addresses` -> `address`, `contacts` -> `contact`."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def noun_of(template: str) -> str:
    """`/tickets/{ticketId}/comments` -> `comment`: what the collection's objects are called."""
    literals = [segment for segment in template.split("/") if segment and not is_parameter(segment)]
    return singular(literals[-1]).replace("-", " ").replace("_", " ") if literals else "object"


def _collections(contract: CompiledContract) -> dict[str, CollectionInfo]:
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
        found[template] = CollectionInfo(
            template=template,
            item_schema=_with_identifier(item_schema, id_field, operations),
            id_field=id_field,
            listable="list" in kinds,
        )
    return found


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
    """The object model: a read's answer, else a list's items, else a creation's answer."""
    order = {"read": 0, "list": 1, "create": 2, "create_at": 2, "replace": 3, "update": 3, "upsert": 4}
    for operation in sorted(operations, key=lambda o: order.get(o.kind, 9)):
        schema = operation.success.schema or {}
        if operation.kind == "list":
            schema = _list_items(schema)
        if schema.get("type") == "object" and schema.get("properties"):
            return schema
        if schema.get("type") == "array" and schema.get("items", {}).get("properties"):
            return schema["items"]
    for operation in operations:
        for body in operation.bodies.values():
            if body.schema.get("properties"):
                return body.schema
    return {"type": "object", "properties": {"id": {"type": "string"}}}


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
            if name in properties and name != "id":
                return name
    if "id" not in properties:
        return next((name for name in NATURAL_KEYS if name in properties), "id")
    return "id"
