"""Checking the references a request body carries, wherever they travel.

An API module states the body fields that name objects of another collection
(`BodyReference`: the operation, the field path, the collection it names). A reference
stated for an operation that stores its body into an object (create, replace, update, an
action on the object, ...) is a field of that collection's objects, so every write
operation on the collection whose body carries the field is checked the same way: the
generic action merges any field of the object's model, and a printer's `hub_id` must
name a hub whether it comes with `POST /spl/printers` or `PUT /spl/printers/{id}/inbox`.

A named object must be one of the caller's account. One that is not answers with the
status the operation documents for what it does not find: 404 where the vendor's
document states a 404, else 400; the answer names the field either way. A reference that `guards_delete` keeps
its target: deleting an object still named by one is refused (409).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..contract.collections import template_parameters
from ..contract.operations import OperationSpec
from ..contract.references import BodyReference, noun_of
from ..errors import ApiError, Problem
from ..runtime import ApiRuntime
from ..values.identifiers import canonical_identifier, identifier_key
from ..vendor import Call, Handler, Reply
from .generic import generic_handler
from .toolkit import object_key

# The kinds of operation that store what their body holds into an object of their collection.
STORING_KINDS = frozenset({"create", "create_at", "replace", "update", "update_by_body", "upsert", "action"})
NOT_FOUND = 404


# What a document says of a 404 that names no kind of object: it is about the path's object.
GENERIC_NOT_FOUND = frozenset({"", "not found", "entity not found", "resource not found", "object not found"})


def unknown_reference_status(operation: OperationSpec) -> int:
    """404 where the vendor's document states one for what the operation does not find,
    else 400. A plain "Not found" on an operation whose path names an object is about that
    object (`PUT /locations/{id}`: the location is gone), so a body's unknown reference is
    a 400 there: a client must not read an unknown address as a deleted location. A 404
    that names what it is about ("Printer or hub not found"), or one of an operation whose
    path names no object, covers the body's references."""
    stated = operation.stated_not_found
    if stated is None:
        return 400
    if "{" in operation.path and stated.strip(" .") in GENERIC_NOT_FOUND:
        return 400
    return NOT_FOUND


def check_references(runtime: ApiRuntime, handlers: dict[str, Handler], references: Iterable[BodyReference]) -> None:
    """Precede the handler of every operation whose body carries one of ``references`` (the
    generic behaviour where the module has none) with the checks of `ReferenceChecks`."""
    checks = ReferenceChecks(runtime, references)
    for operation_id in runtime.contract.operations:
        handler = handlers.get(operation_id, generic_handler)
        checked = checks.wrap(operation_id, handler)
        if checked is not handler:
            handlers[operation_id] = checked


def values_at(body: Any, field: str) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(where, value) of every value a field path names: `a.b`, `items[].id`, `[].id`."""
    parts = field.replace("[]", ".[]").strip(".").split(".")
    yield from _walk(body, [part for part in parts if part], ())


def _walk(value: Any, parts: list[str], where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if not parts:
        yield where, value
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _walk(item, rest, (*where, index))
    elif isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest, (*where, head))


def identifier_text(value: Any) -> str | None:
    """An identifier as the store keys it (`identifier_key`: a text, or a whole number,
    `4.0` being `4`); None for a value that names nothing (an object, a list, a boolean,
    a fraction)."""
    identifier = canonical_identifier(value)
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int)):
        return None
    return identifier_key(identifier)


def given_values(body: Any, field: str) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """The values a field path holds that are given (not null, not empty text); an object's
    field is looked for in each object of a list body too."""
    for where, value in stated_values(body, field):
        if value != "":
            yield where, value


def stated_values(body: Any, field: str) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """The values a field path holds that are not null (a reference left out names nothing)."""
    found = values_at(body, field)
    if isinstance(body, list) and not field.startswith("[]"):
        found = values_at(body, f"[].{field}")
    for where, value in found:
        if value is not None:
            yield where, value


def named_values(body: Any, field: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The identifiers a field path holds (values that are not given, or name nothing, are
    skipped)."""
    for where, value in given_values(body, field):
        text = identifier_text(value)
        if text is not None:
            yield where, text


def object_field(field: str) -> str:
    """A body field path as a field of the stored object (`[].claim_id` -> `claim_id`)."""
    return field.removeprefix("[].")


class ReferenceChecks:
    """The body references of one served contract, ready to check calls against."""

    def __init__(self, runtime: ApiRuntime, references: Iterable[BodyReference]) -> None:
        self.runtime = runtime
        operations = list(runtime.contract.operations.values())
        by_route = {(operation.method, operation.path): operation for operation in operations}
        # operation id -> {field path: target collection}, in the order stated
        self.checks: dict[str, dict[str, str]] = {}
        # collection -> {field of its objects: target collection}
        carried: dict[str, dict[str, str]] = {}
        # target collection -> {(collection of the objects that name it, field)}
        self.guards: dict[str, set[tuple[str, str]]] = {}
        for reference in references:
            operation = by_route.get((reference.method, reference.path))
            if operation is None:
                raise ValueError(f"the references name an unknown operation {reference.method} {reference.path}")
            self.checks.setdefault(operation.operation_id, {})[reference.field] = reference.target
            if operation.resource is None:
                continue
            if operation.kind in STORING_KINDS:
                carried.setdefault(operation.resource, {}).setdefault(object_field(reference.field), reference.target)
            if reference.guards_delete:
                self.guards.setdefault(reference.target, set()).add((operation.resource, object_field(reference.field)))
        for operation in operations:
            if operation.kind in STORING_KINDS and operation.resource in carried:
                own = self.checks.setdefault(operation.operation_id, {})
                stated = {object_field(field) for field in own}
                for field, target in carried[operation.resource].items():
                    if field not in stated:
                        own[field] = target
        self.guarded_deletes = {
            operation.operation_id: operation.resource
            for operation in operations
            if operation.kind == "delete" and operation.resource in self.guards
        }

    def fields(self, operation_id: str) -> list[tuple[str, str]]:
        """(field path, target collection) of every reference checked on the operation."""
        return list(self.checks.get(operation_id, {}).items())

    def wrap(self, operation_id: str, handler: Handler) -> Handler:
        """The handler, preceded by the reference checks of its operation (if it has any)."""
        checks = self.fields(operation_id)
        guarded = self.guarded_deletes.get(operation_id)
        if not checks and guarded is None:
            return handler

        def checked(call: Call) -> Reply:
            if call.operation.kind != "process":
                call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
            for field, target in checks:
                self.require_target(call, field, target)
            if guarded is not None:
                self.require_unused(call, guarded, object_key(call))
            return handler(call)

        checked.__doc__ = handler.__doc__
        return checked

    def require_target(self, call: Call, field: str, target: str) -> None:
        """The documented not-found status, naming the field, when the body names an object
        the account does not have; 400 when the field holds no identifier at all."""
        parents = tuple(str(call.incoming.path_parameters.get(name, "")) for name in template_parameters(target))
        collection = None
        for where, given in stated_values(call.body, field):
            value = identifier_text(given) if given != "" else None  # empty text names no object
            if value is None:
                problem = Problem("body", where, "type")
                raise ApiError(400, f'body field "{problem.field}" must name a {noun_of(target)} by its identifier', [problem])
            if collection is None:
                collection = call.runtime.collection(call.account, target, parents)
            if value not in collection:
                problem = Problem("body", where, "unknown")
                raise ApiError(unknown_reference_status(call.operation),
                               f'body field "{problem.field}": {noun_of(target)} {value!r} not found', [problem])

    def require_unused(self, call: Call, target: str, key: str) -> None:
        """409 while another object still names the one to be deleted."""
        for source, field in sorted(self.guards.get(target, ())):
            for record in self.runtime.collection(call.account, source).values():
                if any(value == key for _, value in named_values(record, field)):
                    holder = record.get(self.runtime.collections[source].id_field)
                    raise ApiError(
                        call.operation.error_status(409),
                        f"{noun_of(target)} {key!r} is in use by {noun_of(source)} {holder!r}; "
                        f"change or delete that {noun_of(source)} first",
                    )
