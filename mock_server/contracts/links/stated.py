"""Links from what the API module states: the references it enforces (which replace what
naming inferred for those fields) and the operations that must come before others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...engine.contract.collections import CollectionInfo
from ...engine.contract.kinds import is_parameter
from ...engine.contract.operations import OperationSpec
from ...engine.contract.references import Prerequisite, RequiredReference, compatible, field_parts, schema_at
from ...engine.contract.schema import Schema
from .pointers import escape, schema_at_pointer
from .sources import CREATING_KINDS, Source
from .targets import link_to


@dataclass(frozen=True)
class Stated:
    """A reference the API module enforces, with the operation it belongs to and the
    schema of the request part that names the object."""

    reference: RequiredReference
    target: OperationSpec
    schema: Schema


def stated_reference(
    reference: RequiredReference, by_route: dict[tuple[str, str], OperationSpec], infos: dict[str, CollectionInfo]
) -> Stated:
    """The reference with its operation and the schema of the part that names the object."""
    target = by_route.get((reference.method, reference.path))
    if target is None:
        raise ValueError(f"a reference names an unknown operation {reference.method} {reference.path}")
    if reference.target not in infos:
        raise ValueError(f"a reference names an unknown collection {reference.target}")
    if reference.in_path:
        spec = next((item for item in target.parameters if item.location == "path" and f"{{{item.name}}}" == reference.field), None)
        schema = spec.schema if spec is not None else None
    else:
        body = next((body for body in target.bodies.values() if body.kind in ("json", "multipart")), None)
        schema = schema_at(body.schema, reference.field) if body is not None else None
    if schema is None:
        raise ValueError(f"{reference.method} {reference.path} has no {reference.field} for a reference")
    return Stated(reference, target, schema)


def prerequisite(item: Prerequisite, by_route: dict[tuple[str, str], OperationSpec]) -> tuple[OperationSpec, dict[str, str]]:
    """The operation that must come first, and the target's path parameters read from its path."""
    target = by_route.get((item.method, item.path))
    before = by_route.get((item.before_method, item.before_path))
    if target is None or before is None:
        raise ValueError(f"a prerequisite names an unknown operation: {item}")
    names = _parameter_names(target.path)
    known = set(_parameter_names(before.path))
    if not set(names) <= known:
        raise ValueError(f"{item.before_method} {item.before_path} does not name what {item.method} {item.path} needs")
    return before, {f"path.{name}": f"$request.path.{name}" for name in names}


def add_stated_link(
    links: dict[str, Any], source: Source, item: Stated, stated: list[Stated], infos: dict[str, CollectionInfo]
) -> None:
    """The link from ``source`` into the request part the reference names, where the
    source's values fit it (a `uuid` field names no object keyed by an integer).

    A body field names its object within the objects the request's path names: the link
    also fills the path parameters that name the object (or, for a nested collection,
    its parents) from the same source.
    """
    reference = item.reference
    expression = _keyed(source, infos[reference.target], reference.by)
    if expression is None or not _fits(item.schema, infos[reference.target], reference.by):
        return
    if not _answers_in_type(source, expression, item.schema):
        return
    target = item.target
    if reference.in_path:
        parameters = {**links.get(target.operation_id, {}).get("parameters", {}), f"path.{reference.field[1:-1]}": expression}
        links[target.operation_id] = link_to(target, parameters=parameters)
        return
    parameters = _same_object_parameters(source, item, stated, infos)
    if parameters is None:
        return
    value: Any = [expression] if item.schema.get("type") == "array" else expression
    parts = field_parts(reference.field)
    for part in reversed(parts):
        value = [value] if part == "[]" else {part: value}
    name = ".".join(part for part in parts if part != "[]")
    links[f"{target.operation_id}.{name}"] = link_to(target, parameters=parameters, body=value)


def _fits(schema: Schema, info: CollectionInfo, by: str | None) -> bool:
    field = by or info.id_field
    key_schema = info.id_schema if by is None else (schema_at(info.item_schema, by) or {})
    return compatible(schema.get("items", {}) if schema.get("type") == "array" else schema, (field, key_schema))


def _same_object_parameters(
    source: Source, item: Stated, stated: list[Stated], infos: dict[str, CollectionInfo]
) -> dict[str, str] | None:
    """`path.<name>` -> expression for the target's path parameters that name the
    referenced object (a stated path reference) or its parents; None where the source
    cannot tell them."""
    target = item.target
    names = set(_parameter_names(target.path))
    source_names = set(_parameter_names(source.operation.path))
    parameters: dict[str, str] = {}
    for segment in item.reference.target.split("/"):
        if is_parameter(segment) and segment[1:-1] in names:
            if segment[1:-1] not in source_names:
                return None
            parameters[f"path.{segment[1:-1]}"] = f"$request.path.{segment[1:-1]}"
    for other in stated:
        if other.target is target and other.reference.in_path and other.reference.target == item.reference.target:
            expression = _keyed(source, infos[other.reference.target], other.reference.by)
            if expression is None:
                return None
            parameters[f"path.{other.reference.field[1:-1]}"] = expression
    return parameters


def _keyed(source: Source, info: CollectionInfo, by: str | None) -> str | None:
    """The source's expression for the field ``by`` (a field path) of the object it
    yields, or for its identifier when ``by`` is None; None where the source does not
    show that field. An object made from the request holds what the request body says."""
    if by is None:
        return source.expression
    pointer = "".join(f"/{'0' if part == '[]' else escape(part)}" for part in field_parts(by))
    suffix = f"/{escape(info.id_field)}"
    candidates = []
    if "#" in source.expression and source.expression.endswith(suffix):
        candidates.append(source.expression[: -len(suffix)] + pointer)
    if source.operation.kind in CREATING_KINDS:
        candidates.append(f"$request.body#{pointer}")
    for expression in candidates:
        side, where = expression.split("#", 1)
        if side == "$response.body":
            schema = source.operation.success.schema if source.operation.success.is_json else None
        else:
            schema = next((body.schema for body in source.operation.bodies.values() if body.kind == "json"), None)
        if schema is not None and schema_at_pointer(schema, where) is not None:
            return expression
    return None


def _answers_in_type(source: Source, expression: str, schema: Schema) -> bool:
    """Whether the value an answer's expression names is documented with the type the
    request part takes (a customer answered with a text id fills no integer field)."""
    side, _, pointer = expression.partition("#")
    answered = source.operation.success.schema if side == "$response.body" and source.operation.success.is_json else None
    found = schema_at_pointer(answered, pointer) if answered else None
    wanted = (schema.get("items", {}) if schema.get("type") == "array" else schema).get("type")
    given = (found or {}).get("type")
    return given is None or wanted is None or given == wanted or {given, wanted} == {"integer", "number"}


def _parameter_names(path: str) -> list[str]:
    """The names of a path's parameters, in order (`/a/{x}/b/{y}` -> x, y)."""
    return [segment[1:-1] for segment in path.split("/") if is_parameter(segment)]
