"""Collection models inferred from the contract: for every collection the operations name,
the model of its objects, the field that identifies them, whether it is listed, and
whether any operation stores new objects in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from .kinds import MAKING_KINDS, is_parameter, last_segment
from .operations import CompiledContract, OperationSpec
from .schema import Schema, SchemaIndex

# Schema keywords that put no rule on a value.
_NO_RULES = frozenset({"description", "example", "title", "default", "deprecated", "readOnly", "writeOnly", "xml", "externalDocs"})
_TEMPLATE_PARAMETER = re.compile(r"{([^}]+)}")
# The kinds of operation whose path's last parameter names their own object.
OWN_OBJECT_KINDS = {"read", "replace", "update", "delete", "create_at"}
# Fields that name an object when its model has no `id`, in the order they are preferred.
NATURAL_KEYS = ("key", "code", "sku", "secret", "reference", "uuid")
# Names of the fields that hold when an object was created and last changed.
CREATED_FIELDS = ("createdAt", "created_at", "creationDate")
UPDATED_FIELDS = ("updatedAt", "updated_at", "lastModified", "modifiedAt", "modified_at")
# (creation-time fields, update-time fields) an object of a collection carries.
TimestampFields = tuple[tuple[str, ...], tuple[str, ...]]


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


def contract_collections(contract: CompiledContract) -> tuple[dict[str, CollectionInfo], dict[str, CollectionInfo]]:
    """The contract's collections (`collection_infos`) and those only actions name
    (`named_only_collections`), worked out once per contract. Shared by every runtime of
    the contract: never changed."""
    found = contract.derived.get("collections")
    if found is None:
        known = collection_infos(contract)
        found = contract.derived["collections"] = (known, named_only_collections(contract, known))
    return found


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
        if operation.kind not in OWN_OBJECT_KINDS:
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


def _id_field(operations: list[OperationSpec], schema: Schema) -> str:
    """The field an object's path identifier names: `id`, or `code`, `key`, `sku`, ...

    The path parameter's own name wins where the model has that field; a model without
    `id` is keyed by its natural key (a proxy by its `key`).
    """
    properties = schema.get("properties", {})
    for operation in operations:
        if operation.kind in OWN_OBJECT_KINDS:
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
        if any(operation.kind in OWN_OBJECT_KINDS for operation in operations):
            return next((name for name in properties if re.search(r"(?:[a-z]Id|_id)$", name)), "id")
    return "id"


