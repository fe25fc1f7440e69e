"""Equal schemas of a compiled contract made one object.

A contract's resolved schemas repeat the same small schemas thousands of times (a large
one holds `{"type": "string"}` alone thousands of times); one object each makes the
compiled contract much smaller to keep and quicker to read back at every start. Schemas
are shared and never changed (`SchemaIndex.resolve`), so sharing them changes nothing a
reader sees. Nothing is changed in place either: the contract's document keeps its own
objects.
"""

from __future__ import annotations

from typing import Any

from .operations import OperationSpec

_SCALARS = (str, int, float, bool, type(None))


class SchemaSharer:
    """Gives one object for each distinct schema value it is shown."""

    def __init__(self) -> None:
        self._canonical: dict[tuple[Any, ...], Any] = {}
        # id of a value shown -> (the value, its shared equal); the value is held so that its
        # id is not reused while sharing goes on.
        self._seen: dict[int, tuple[Any, Any]] = {}
        self._open: set[int] = set()  # values being walked: met again, they are recursive

    def share(self, value: Any) -> Any:
        """The one object equal to ``value`` (a recursive schema stays as it is, its parts shared)."""
        if isinstance(value, _SCALARS) or not isinstance(value, (dict, list)):
            return value
        known = self._seen.get(id(value))
        if known is not None:
            return known[1]
        if id(value) in self._open:
            return value
        self._open.add(id(value))
        try:
            if isinstance(value, dict):
                parts: Any = {name: self.share(part) for name, part in value.items()}
                key: tuple[Any, ...] = ("dict", *((name, _identity(part)) for name, part in parts.items()))
            else:
                parts = [self.share(part) for part in value]
                key = ("list", *(_identity(part) for part in parts))
        finally:
            self._open.discard(id(value))
        shared = self._canonical.setdefault(key, parts)
        self._seen[id(value)] = (value, shared)
        return shared


def share_schemas(operations: dict[str, OperationSpec]) -> None:
    """Make the operations' equal schemas one object each."""
    sharer = SchemaSharer()
    share = sharer.share
    for operation in operations.values():
        for parameter in operation.parameters:
            parameter.schema, parameter.source = share(parameter.schema), share(parameter.source)
        for body in operation.bodies.values():
            body.schema, body.source, body.encoding = share(body.schema), share(body.source), share(body.encoding)
        success = operation.success
        success.schema, success.headers, success.media = share(success.schema), share(success.headers), share(success.media)


def _identity(part: Any) -> Any:
    return (type(part), part) if isinstance(part, _SCALARS) else id(part)
