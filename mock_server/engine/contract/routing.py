"""Matching request paths against an API's path templates.

Templates are compiled into a tree of segments once at start-up; a request walks it in
O(number of segments), preferring literal segments over parameters and backtracking
when a literal branch leads nowhere, or (given the request's method) to a template that
does not answer that method. A parameter then takes a segment that a literal also
matches only where the target accepts it as that parameter's value: `GET
/conversations/search` is the POST-only search path (answered 405) when the read takes
integer ids, but `/emails/{id}` for an `id` that may be any text. Parameter values are
collected by position, since templates that share a prefix may name the same parameter
differently (`/transfers/{id}` and `/transfers/{transfer_id}/transports`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, Sequence, TypeVar

Target = TypeVar("Target")
# (target, parameter name, segment) -> whether the target takes the segment as that parameter
Accepts = Callable[[Target, str, str], bool]


@dataclass
class _Node(Generic[Target]):
    literals: dict[str, "_Node[Target]"] = field(default_factory=dict)
    parameter: "_Node[Target] | None" = None
    methods: dict[str, Target] = field(default_factory=dict)
    template: str | None = None
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class Match(Generic[Target]):
    """A path that matched a template: its targets by method and the path's parameters."""

    template: str
    methods: dict[str, Target]
    parameters: dict[str, str]


class PathRouter(Generic[Target]):
    """Templates like `/tickets/{ticketId}/comments` mapped to one target per method."""

    def __init__(self) -> None:
        self._root: _Node[Target] = _Node()

    def add(self, template: str, method: str, target: Target) -> None:
        node = self._root
        names: list[str] = []
        for segment in _segments(template):
            if segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                if node.parameter is None:
                    node.parameter = _Node()
                node = node.parameter
            else:
                node = node.literals.setdefault(segment, _Node())
        if node.template is not None and node.template != template:
            raise ValueError(f"{template} and {node.template} differ only in parameter names")
        node.methods[method.upper()] = target
        node.template = template
        node.names = tuple(names)

    def match(self, path: str, method: str | None = None, accepts: Accepts[Target] | None = None) -> Match[Target] | None:
        """The template the (decoded) path matches, or None."""
        return self.match_segments(_segments(path), method, accepts)

    def match_segments(
        self, segments: Sequence[str], method: str | None = None, accepts: Accepts[Target] | None = None
    ) -> Match[Target] | None:
        """Like `match` for a path already split into decoded segments (so `%2F` stays inside one).

        With `method`, a template that answers it wins over a more literal one that does
        not: `DELETE /emails/form` is `/emails/{id}` when `/emails/form` only takes POST,
        unless ``accepts`` says that target does not take the segment (`form`) as its
        parameter. Without such a template the most literal match is returned (its answer
        is 405).
        """
        wanted = method.upper() if method else None
        values: list[str] = []
        node = self._literal_first(segments, values, wanted) if wanted else None
        if node is None and wanted:
            values = []
            node = self._walk(self._root, segments, 0, values, wanted, accepts, ())
        if node is None:
            values = []
            node = self._walk(self._root, segments, 0, values, None, None, ())
        if node is None or node.template is None:
            return None
        return Match(node.template, node.methods, dict(zip(node.names, values)) if values else {})

    def _literal_first(self, segments: Sequence[str], values: list[str], method: str) -> _Node[Target] | None:
        """The common case without backtracking: literal segments where there are some,
        else the parameter; None when that way does not lead to a template answering ``method``."""
        node = self._root
        for segment in segments:
            literal = node.literals.get(segment)
            if literal is not None:
                node = literal
            elif node.parameter is not None and segment:
                values.append(segment)
                node = node.parameter
            else:
                return None
        return node if method in node.methods else None

    def _walk(
        self,
        node: _Node[Target],
        segments: Sequence[str],
        index: int,
        values: list[str],
        method: str | None,
        accepts: Accepts[Target] | None,
        shadowed: tuple[int, ...],
    ) -> _Node[Target] | None:
        """``shadowed``: the positions among ``values`` of segments a literal matched too."""
        if index == len(segments):
            if not method:
                return node if node.methods else None
            target = node.methods.get(method)
            if target is None:
                return None
            if accepts is not None and not all(accepts(target, node.names[at], values[at]) for at in shadowed):
                return None
            return node
        segment = segments[index]
        literal = node.literals.get(segment)
        if literal is not None:
            found = self._walk(literal, segments, index + 1, values, method, accepts, shadowed)
            if found is not None:
                return found
        if node.parameter is not None and segment:
            values.append(segment)
            here = (*shadowed, len(values) - 1) if literal is not None else shadowed
            found = self._walk(node.parameter, segments, index + 1, values, method, accepts, here)
            if found is not None:
                return found
            values.pop()
        return None


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []
