"""One served API at run time: its compiled contract, store, accounts and helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .answer_cache import AnswerCache
from .clock import Clock
from .errors import ApiError
from .fake import FakeData
from .kinds import is_parameter, last_segment
from .operations import CompiledContract, OperationSpec
from .schema import Schema
from .shaping import Shaper
from .store import AccountData, ApiStore, Collection
from .vendor import Account, VendorApi

DEMO_OBJECTS = 3
CREATED_FIELDS = ("createdAt", "created_at", "creationDate")
UPDATED_FIELDS = ("updatedAt", "updated_at", "lastModified", "modifiedAt", "modified_at")
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


def template_parameters(template: str) -> list[str]:
    return _TEMPLATE_PARAMETER.findall(template)


class ApiRuntime:
    """Serves one API: the engine's state and helpers shared by all its operations."""

    def __init__(
        self,
        contract: CompiledContract,
        vendor: VendorApi,
        *,
        seed: int,
        clock: Clock,
        demo_data: bool,
    ) -> None:
        self.name = contract.api
        self.contract = contract
        self.vendor = vendor
        self.seed = seed
        self.clock = clock
        self.demo_data = demo_data
        self.fake = FakeData(seed)
        self.shaper = Shaper(self.fake)
        self.store = ApiStore()
        self.accounts: dict[str, Account] = {}
        self.collections = _collections(contract)
        self.references = 0
        self.answers = AnswerCache()
        vendor.attach(self)

    # --- accounts -----------------------------------------------------------------------

    def add_account(self, account: Account) -> None:
        self.accounts[account.name] = account
        self.store.account(account.name)

    def data(self, account: Account) -> AccountData:
        return self.store.account(account.name)

    # --- collections --------------------------------------------------------------------

    def collection(self, account: Account, template: str, parents: tuple[str, ...] = ()) -> Collection:
        """The account's collection, with its demo objects made on first use."""
        data = self.data(account)
        found = data.collection(template, parents)
        key = (template, parents)
        if key not in data.seeded:
            data.seeded[key] = None
            info = self.collections.get(template)
            if self.demo_data and info is not None and info.top_level and info.listable:
                for index in range(DEMO_OBJECTS):
                    record = self.demo_object(account, info, index)
                    found.put(str(record[info.id_field]), record)
        return found

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
        styled = self.vendor.demo_identifier(info.template, index)
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
        segments = operation.path.strip("/").split("/")
        last = len(segments) - 1
        for index, segment in enumerate(segments):
            if not is_parameter(segment) or (index == last and operation.kind in _OWN_OBJECT_KINDS):
                continue
            template = "/" + "/".join(segments[:index])
            info = self.collections.get(template)
            if info is None:
                continue
            value = str(path_parameters.get(segment[1:-1], ""))
            parents = self.parents_of(template, path_parameters)
            if value not in self.collection(account, template, parents):
                raise ApiError(operation.error_status(404), f"{noun_of(template)} {value!r} not found")

    def now(self) -> str:
        return self.clock.iso()

    def next_reference(self) -> str:
        """A fresh id for error bodies that carry one."""
        self.references += 1
        return self.fake.uuid(f"{self.name}/reference/{self.references}")

    def clear(self) -> None:
        """Forget every account, object and piece of module state."""
        self.answers.invalidate()
        self.store = ApiStore()
        self.accounts.clear()
        self.vendor.reset()
        self.references = 0


_OWN_OBJECT_KINDS = {"read", "replace", "update", "delete", "create_at"}


def noun_of(template: str) -> str:
    """`/tickets/{ticketId}/comments` -> `comment`: what the collection's objects are called."""
    literals = [segment for segment in template.split("/") if segment and not is_parameter(segment)]
    return literals[-1].rstrip("s") if literals else "object"


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
        found[template] = CollectionInfo(
            template=template,
            item_schema=_item_schema(operations),
            id_field=_id_field(operations),
            listable="list" in kinds,
        )
    return found


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


def _id_field(operations: list[OperationSpec]) -> str:
    """The field an object's path identifier names: `id`, or `code`, `key`, `sku`, ..."""
    schema = _item_schema(operations)
    properties = schema.get("properties", {})
    for operation in operations:
        if operation.kind in _OWN_OBJECT_KINDS:
            name = last_segment(operation.path)[1:-1]
            if name in properties and name != "id":
                return name
    return "id"
