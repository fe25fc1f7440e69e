"""Coverage of a contract by the calls a client made: which documented operations were
called, and which of their documented status codes were answered."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from ..contract.operations import CompiledContract, OperationSpec


def documented_statuses(operation: OperationSpec) -> list[int]:
    """Every status code the operation documents."""
    return sorted(int(status) for status in operation.raw.get("responses", {}) if status.isdigit())


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, to two decimals (100 for nothing to cover)."""
    return round(100.0 * part / whole, 2) if whole else 100.0


def api_coverage(contract: CompiledContract, statuses: Mapping[str, Counter[int]]) -> dict[str, Any]:
    """One API's coverage from the status counts per operation id.

    Status 0 (a connection dropped without an answer) is counted as a call but covers
    no status code.
    """
    operations: dict[str, Any] = {}
    never: list[str] = []
    documented_total = exercised_total = 0
    for operation_id, operation in contract.operations.items():
        seen = statuses.get(operation_id, Counter())
        calls = sum(seen.values())
        documented = documented_statuses(operation)
        missing = [status for status in documented if not seen.get(status)]
        documented_total += len(documented)
        exercised_total += len(documented) - len(missing)
        operations[operation_id] = {
            "method": operation.method,
            "path": operation.path,
            "calls": calls,
            "statuses": {str(code): count for code, count in sorted(seen.items())},
            "documentedStatuses": documented,
            "statusesNotSeen": missing,
        }
        if not calls:
            never.append(operation_id)
    called = len(operations) - len(never)
    return {
        "operations": len(operations),
        "called": called,
        "operationCoverage": percent(called, len(operations)),
        "documentedStatuses": documented_total,
        "exercisedStatuses": exercised_total,
        "statusCoverage": percent(exercised_total, documented_total),
        "neverCalled": never,
        "byOperation": operations,
    }


def coverage_report(
    contracts: Mapping[str, CompiledContract], statuses: Mapping[tuple[str, str], Counter[int]]
) -> dict[str, Any]:
    """Coverage per API, from the journal's status counts per (api, operation id)."""
    report = {}
    for api, contract in contracts.items():
        by_operation = {operation: counts for (name, operation), counts in statuses.items() if name == api}
        report[api] = api_coverage(contract, by_operation)
    return report
