"""What each operation needs before it can succeed, read from the contract's links.

A link from operation S to operation T says: a value S yields (an identifier in its answer,
its request or its path) fills a parameter or body field of T. Inverted, the links tell
the walk, for every operation, which operations supply its path parameters and the body
fields that name other objects. The order of the walk follows: an operation comes after
what supplies it, creations before reads and changes, removals last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.engine.contract.kinds import is_parameter
from mock_server.engine.contract.operations import CompiledContract, OperationSpec, compile_contract

# Walk order inside one dependency depth.
KIND_ORDER = {
    "create": 0, "create_at": 0, "upsert": 1, "read": 2, "list": 2, "singleton_read": 2, "search": 3,
    "process": 3, "replace": 4, "update": 4, "update_by_body": 4, "action": 5, "singleton_write": 5,
    "delete_matching": 8, "delete": 9,
}
REMOVING_KINDS = {"delete", "delete_matching"}


@dataclass(frozen=True)
class Supply:
    """One link into an operation: which operation supplies what, read how."""

    source: str  # operationId
    parameters: tuple[tuple[str, str], ...]  # (path parameter, expression)
    body: Any  # the link's requestBody, or None
    creates: bool  # the source makes a new object (else it reads existing ones)


@dataclass
class Step:
    """One operation of the walk."""

    operation: OperationSpec
    raw: dict[str, Any]
    supplies: list[Supply] = field(default_factory=list)
    depth: int = 0

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def path_parameters(self) -> list[str]:
        return [segment[1:-1] for segment in self.operation.path.split("/") if is_parameter(segment)]


@dataclass
class Plan:
    api: str
    document: dict[str, Any]
    compiled: CompiledContract
    steps: dict[str, Step]  # by operationId

    def ordered(self) -> list[Step]:
        """Dependency order: shallower first, creations before the rest, removals at the end."""
        def key(step: Step) -> tuple[int, int, int, str]:
            removing = step.operation.kind in REMOVING_KINDS
            return (int(removing), -step.depth if removing else step.depth, KIND_ORDER.get(step.operation.kind, 6), step.operation.path)

        return sorted(self.steps.values(), key=key)


def plan_for(api: str, document: dict[str, Any]) -> Plan:
    """Every operation of the contract with the links that supply it."""
    compiled = compile_contract(api, document)
    steps = {
        spec.operation_id: Step(spec, document["paths"][spec.path][spec.method.lower()])
        for spec in compiled.operations.values()
    }
    for source in steps.values():
        for response in source.raw.get("responses", {}).values():
            for link in response.get("links", {}).values():
                target = steps.get(link["operationId"])
                if target is None:
                    continue
                parameters = tuple(
                    (name.split(".", 1)[1] if "." in name else name, expression)
                    for name, expression in link.get("parameters", {}).items()
                )
                target.supplies.append(
                    Supply(source.operation_id, parameters, link.get("requestBody"), source.operation.method != "GET")
                )
    for step in steps.values():
        step.depth = _depth(step, steps, set())
    return Plan(api, document, compiled, steps)


def _depth(step: Step, steps: dict[str, Step], visiting: set[str]) -> int:
    if step.operation_id in visiting:
        return 0
    visiting = visiting | {step.operation_id}
    needed = set(step.path_parameters)
    depth = 0
    for supply in step.supplies:
        if needed & {name for name, _ in supply.parameters}:
            depth = max(depth, 1 + _depth(steps[supply.source], steps, visiting))
    return depth
