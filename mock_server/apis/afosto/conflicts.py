"""Where the Afosto module may answer 409 Conflict, and why: what the lifecycles of
batches, datasets and proxies do not allow, and the deletes that a reference to the object refuses.
The contract generator documents a 409 on exactly these operations."""

from __future__ import annotations

from typing import Iterable

from . import batches, datasets, instant_search
from .reference_table import guarded_delete_routes


def conflict_routes(routes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(method, path) -> why a request there can conflict with the state, for the given routes."""
    routes = list(routes)
    reasons = {**batches.CONFLICTS, **datasets.CONFLICTS, **instant_search.CONFLICTS, **guarded_delete_routes(routes)}
    known = set(routes)
    missing = sorted(route for route in reasons if route not in known)
    if missing:
        raise ValueError(f"conflicts name operations the contract does not have: {missing}")
    return reasons
