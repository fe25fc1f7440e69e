"""What each operation does to the store, decided from its title, method and path.

The generic rule: `POST` on a collection creates, `GET` lists or reads, `PUT`/`PATCH`
change, `DELETE` removes, search endpoints filter, action endpoints change the state of
the object they name. Titles refine it: a `POST` on a collection titled "Search ..." is
a search, a `PUT` titled "Upsert ..." an upsert. The decisions are written to a reviewable
table (`contracts/operation-kinds.md`) that CI keeps current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

# What the kinds mean, for the table's legend.
KINDS = {
    "create": "stores a new object in the collection (several for an array body)",
    "create_at": "stores a new object under the identifier the path names",
    "read": "returns one stored object (404 when missing)",
    "list": "returns the collection's objects, paged as the API pages",
    "replace": "PUT on an object: the body replaces it, server-managed fields stay",
    "update": "PATCH on an object: the body is merged into it",
    "update_by_body": "PUT on a collection: the object named by the body's identifier is replaced",
    "upsert": "creates or updates objects by their identifier",
    "delete": "removes one object (404 when missing)",
    "delete_matching": "removes the collection's objects the request names",
    "search": "filters the collection's objects by the request's criteria",
    "action": "changes the state of the object the path names (in the collection shown); a read shows the change",
    "singleton_read": "returns the account's one object of this kind",
    "singleton_write": "changes the account's one object of this kind",
    "process": "computes an answer from the request; stores nothing",
}

CREATE_WORDS = {
    "create", "creates", "add", "adds", "new", "announce", "subscribe", "start", "install", "upload", "register",
    "comment", "log", "append", "insert", "import",
}
SEARCH_WORDS = {"search", "query", "find"}
VERB_SEGMENTS = {"create", "add", "new"}


@dataclass(frozen=True)
class Decision:
    """The kind of one operation and the collection it works on."""

    kind: str
    resource: str | None  # collection template; None for `process`
    reason: str


@dataclass(frozen=True)
class OperationFacts:
    """What the classifier reads of an operation."""

    method: str
    path: str
    title: str
    description: str = ""
    returns_array: bool = False
    # Top-level fields of the documented request body (of its items, for a list body).
    body_fields: frozenset[str] = frozenset()


def title_words(title: str) -> list[str]:
    """`CreateOrderComment` and `Create a new ticket` both read as lower-case words."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", title)
    return re.findall(r"[a-z0-9]+", spaced.lower())


def is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def parent_path(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def last_segment(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def classify(operations: Iterable[OperationFacts]) -> dict[tuple[str, str], Decision]:
    """Decide the kind of every operation of one API."""
    facts = list(operations)
    by_path: dict[str, set[str]] = {}
    for fact in facts:
        by_path.setdefault(fact.path, set()).add(fact.method)
    item_paths = {path for path in by_path if is_parameter(last_segment(path))}
    collections = {parent_path(path) for path in item_paths} | {
        fact.path for fact in facts if fact.method == "GET" and fact.returns_array
    }
    return {(fact.method, fact.path): _decide(fact, by_path, collections) for fact in facts}


def _decide(fact: OperationFacts, by_path: dict[str, set[str]], collections: set[str]) -> Decision:
    path, method = fact.path, fact.method
    words = title_words(fact.title)
    text = f"{' '.join(words)} {fact.description.lower()}"
    item = is_parameter(last_segment(path))
    parent = parent_path(path)
    parent_is_item = is_parameter(last_segment(parent)) if parent != "/" else False
    segments = path.strip("/").split("/")

    searches = "search" in segments or (words and words[0] in SEARCH_WORDS) or "search" in words[:3]
    if searches and not (method == "GET" and item):
        target = "/" + "/".join(s for s in segments if s != "search") if "search" in segments else path
        return Decision("search", target, "titled or routed as a search")
    if "upsert" in words or re.search(r"create or update|creates or updates|update or insert", text):
        return Decision("upsert", parent if item else path, "titled as create-or-update")
    others = by_path.get(path, set()) - {method}
    if method == "POST" and last_segment(path) in ("delete", "remove"):
        return Decision("delete_matching", parent, "POST on a removal route")
    if method == "DELETE":
        if item:
            return Decision("delete", parent, "DELETE on an object")
        if path in collections or others:
            return Decision("delete_matching", path, "DELETE on a collection")
        if parent_is_item:
            return Decision("action", parent_path(parent), "DELETE on a part of an object")
        return Decision("delete_matching", path, "DELETE without an identifier")
    if method == "GET":
        if item:
            return Decision("read", parent, "GET on an object")
        if path in collections or "list" in words:
            return Decision("list", path, "GET on a collection")
        return Decision("singleton_read", path, "GET on a path without objects")
    if method == "POST":
        creates = bool(set(words) & CREATE_WORDS)
        if item:
            if creates:
                return Decision("create_at", parent, "POST on an identifier, titled as a creation")
            return Decision("action", parent, "POST on an object")
        if last_segment(path) in VERB_SEGMENTS:
            return Decision("create", parent, "POST on a creation route")
        if parent_is_item and not (creates or path in collections or "GET" in by_path.get(path, set())):
            return Decision("action", parent_path(parent), "POST on a part of an object")
        if creates or path in collections or "GET" in by_path.get(path, set()):
            return Decision("create", path, "POST on a collection")
        return Decision("process", None, "POST without a collection")
    # PUT and PATCH
    if item:
        return Decision("replace" if method == "PUT" else "update", parent, f"{method} on an object")
    if parent_is_item:
        return Decision("action", parent_path(parent), f"{method} on a part of an object")
    if path in collections:
        if "id" in fact.body_fields:
            return Decision("update_by_body", path, f"{method} on a collection, the body naming its object")
        return Decision("upsert", path, f"{method} on a collection, the body naming no object: sets what it lists")
    return Decision("singleton_write", path, f"{method} on a path without objects")


MAKING_KINDS = frozenset({"create", "create_at", "upsert", "update_by_body"})
_NAMING_KINDS = frozenset({"read", "replace", "update", "delete", "action"})


def looked_up_collections(
    decisions: list[tuple[str, str, str, Decision]],
    excluded: frozenset[str] = frozenset(),
    handled: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Collections whose objects operations name but nothing creates or lists: any
    identifier names one, made from the seed when first named. Collections only the API
    module's own rules answer for (casavi's jobs) are not among them."""
    by_resource: dict[str, set[str]] = {}
    generic: set[str] = set()
    for _, _, operation_id, decision in decisions:
        if decision.resource is not None:
            by_resource.setdefault(decision.resource, set()).add(decision.kind)
            if operation_id not in handled:
                generic.add(decision.resource)
    return [
        resource
        for resource, kinds in by_resource.items()
        if kinds & _NAMING_KINDS
        and not kinds & (MAKING_KINDS | {"list"})
        and resource not in excluded
        and resource in generic
    ]


def kinds_table(
    decisions_by_api: dict[str, list[tuple[str, str, str, Decision]]],
    handled: dict[str, set[str]] | None = None,
    excluded: dict[str, frozenset[str]] | None = None,
) -> str:
    """The reviewable Markdown table of every operation's kind.

    ``handled`` names, per API, the operations its module answers with a documented rule
    of its own (the generic kind still says what kind of operation it is); ``excluded``
    the collections its module keeps from being made up (no demo objects, no lookups).
    """
    handled = handled or {}
    excluded = excluded or {}
    lines = [
        "# What each operation does",
        "",
        "Generated by `mock-server contracts generate` from the contracts; checked by",
        "`mock-server contracts check`. Do not edit: change the classifier",
        "(`mock_server/engine/contract/kinds.py`) or the vendor's module instead.",
        "",
        "| kind | meaning |",
        "|---|---|",
        *(f"| {kind} | {meaning} |" for kind, meaning in KINDS.items()),
    ]
    for api, rows in decisions_by_api.items():
        lines += [
            "", f"## {api}", "",
            "| method | path | operationId | kind | collection | why | rule of the API module |",
            "|---|---|---|---|---|---|---|",
        ]
        for method, path, operation_id, decision in rows:
            rule = f"`mock_server/apis/{api}`" if operation_id in handled.get(api, set()) else ""
            lines.append(
                f"| {method} | `{path}` | {operation_id} | {decision.kind} | "
                f"{'`' + decision.resource + '`' if decision.resource else ''} | {decision.reason} | {rule} |"
            )
        looked_up = looked_up_collections(rows, excluded.get(api, frozenset()), handled.get(api, set()))
        if looked_up:
            lines += [
                "",
                "Collections whose objects operations name but none creates or lists: any identifier",
                "names one, made from the seed when first named (with demo data on):",
                "",
                *(f"- `{resource}`" for resource in looked_up),
            ]
    return "\n".join(lines) + "\n"


def facts_of(document: dict[str, Any]) -> list[tuple[OperationFacts, str]]:
    """(facts, operationId) of every operation of an OpenAPI document, in document order."""
    result = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            result.append(
                (
                    OperationFacts(
                        method=method.upper(),
                        path=path,
                        title=operation.get("summary", ""),
                        description=operation.get("description", ""),
                        returns_array=_returns_array(operation, document, path),
                        body_fields=_body_fields(operation, document),
                    ),
                    operation["operationId"],
                )
            )
    return result


def _body_fields(operation: dict[str, Any], document: dict[str, Any]) -> frozenset[str]:
    """The field names of the documented JSON request body (of its items, for a list)."""
    for content_type, media in operation.get("requestBody", {}).get("content", {}).items():
        if not content_type.endswith("json"):
            continue
        schema = _resolved(media.get("schema", {}), document)
        if schema.get("type") == "array":
            schema = _resolved(schema.get("items", {}), document)
        return frozenset(schema.get("properties", {}))
    return frozenset()


def _resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return document.get("components", {}).get("schemas", {}).get(name, {})
    return schema


def _returns_array(operation: dict[str, Any], document: dict[str, Any], path: str) -> bool:
    """Whether a success response is a list, bare or wrapped in an object."""
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        for media in response.get("content", {}).values():
            schema = media.get("schema", {})
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = document.get("components", {}).get("schemas", {}).get(name, {})
            if schema.get("type") == "array":
                return True
            # A list wrapped in an object: `{rows: [...]}`, `{customers: [...]}`.
            wrapped = {"rows", "items", "data", "results", "hits", "records", last_segment(path)}
            for name, prop in schema.get("properties", {}).items():
                if name in wrapped and prop.get("type") == "array":
                    return True
    return False



def decide_document(document: dict[str, Any]) -> list[tuple[str, str, str, Decision]]:
    """(method, path, operationId, decision) for every operation of a contract."""
    facts = facts_of(document)
    decisions = classify(fact for fact, _ in facts)
    return [(fact.method, fact.path, operation_id, decisions[(fact.method, fact.path)]) for fact, operation_id in facts]
