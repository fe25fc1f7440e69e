"""Repairs of the Afosto path templates: one spelling per path, every template name
declared, a parameter naming an object typed as on that object's own path."""

from __future__ import annotations

import copy
import re
from collections import Counter

from ..model import JsonSchema, Operation, Parameter

TEMPLATE_NAME = re.compile(r"{([^}]+)}")


def _template_names(path: str) -> list[str]:
    return TEMPLATE_NAME.findall(path)


def _unify_template_names(operations: list[Operation], notes: list[str]) -> None:
    """Paths equal but for their parameter names take the names of the first one printed."""
    first_spelling: dict[str, str] = {}
    for operation in operations:
        skeleton = TEMPLATE_NAME.sub("{}", operation.path)
        spelling = first_spelling.setdefault(skeleton, operation.path)
        if spelling == operation.path:
            continue
        renames = dict(zip(_template_names(operation.path), _template_names(spelling)))
        notes.append(f"{operation.method} {operation.path}: renamed to {spelling}")
        operation.path = spelling
        for parameter in operation.parameters:
            if parameter.location == "path":
                parameter.name = renames.get(parameter.name, parameter.name)


def _declare_template_parameters(operation: Operation, notes: list[str]) -> None:
    """Every template name declared as a path parameter, and no other path parameter."""
    names = _template_names(operation.path)
    declared = [parameter.name for parameter in operation.parameters if parameter.location == "path"]
    for name in names:
        if name not in declared:
            notes.append(f"{operation.method} {operation.path}: declared missing path parameter {name!r}")
            operation.parameters.append(Parameter(name, "path", {"type": "string"}, required=True))
    for parameter in list(operation.parameters):
        if parameter.location == "path" and parameter.name not in names:
            notes.append(f"{operation.method} {operation.path}: dropped path parameter {parameter.name!r}")
            operation.parameters.remove(parameter)


def _unify_parameter_types(operations: list[Operation], notes: list[str]) -> None:
    """A path parameter naming an object takes the type it has on that object's own path
    (`/spl/hubs/{id}/logs` names the hub of `/spl/hubs/{id}`, whose `id` is a string)."""
    own: dict[str, JsonSchema] = {}
    for operation in operations:
        if operation.method == "GET" and TEMPLATE_NAME.fullmatch(operation.path.rsplit("/", 1)[-1]):
            name = _template_names(operation.path)[-1]
            parameter = next((p for p in operation.parameters if p.location == "path" and p.name == name), None)
            if parameter is not None:
                own.setdefault(TEMPLATE_NAME.sub("{}", operation.path), parameter.schema)
    for operation in operations:
        segments = operation.path.split("/")
        for index, segment in enumerate(segments[:-1]):
            if not TEMPLATE_NAME.fullmatch(segment):
                continue
            owner = own.get(TEMPLATE_NAME.sub("{}", "/".join(segments[: index + 1])))
            parameter = next((p for p in operation.parameters if p.location == "path" and p.name == segment[1:-1]), None)
            if owner is not None and parameter is not None and owner.get("type") != parameter.schema.get("type"):
                notes.append(f"{operation.method} {operation.path}: {parameter.name} typed as on its object's own path")
                parameter.schema = copy.deepcopy(owner)


def repair_paths(operations: list[Operation], notes: list[str]) -> None:
    _unify_template_names(operations, notes)
    for operation in operations:
        _declare_template_parameters(operation, notes)
    _unify_parameter_types(operations, notes)
    keys = Counter((operation.method, operation.path) for operation in operations)
    if any(count > 1 for count in keys.values()):
        raise ValueError("two operations share a method and path after the path repairs")

