"""The walk's table: operations reached, failing and skipped, per API."""

from __future__ import annotations

from collections import Counter

from .runner import Outcome


def table(api: str, outcomes: list[Outcome], exceptions: list[str] | None = None) -> str:
    """A summary line, one row per operation not reached, and the exceptions the walk used."""
    counts = Counter(outcome.result for outcome in outcomes)
    lines = [
        f"{api}: {counts['reached']} of {len(outcomes)} reached, {counts['failing']} failing, {counts['skipped']} skipped"
    ]
    for outcome in outcomes:
        if outcome.result != "reached":
            lines.append(f"  {outcome.result:8} {outcome.method:6} {outcome.path} ({outcome.operation_id}): {outcome.detail}")
    lines += [f"  exception: {text}" for text in exceptions or []]
    return "\n".join(lines)
