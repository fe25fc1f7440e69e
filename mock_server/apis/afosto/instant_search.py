"""Instant search (`/cnt/instant/...`): indexes hold documents, proxies publish indexes
under aliases, and search finds documents through an index or a proxy key.

Documents, settings and their resets are index *updates*: each is listed at
`.../updates` as `enqueued` and applied by a background task, which marks it
`processed` (`POST .../settings?sync=1` applies at once). A document is named by its
`reference`; putting a known reference again merges into it.

Search matches every query word (without regard to case) against the documents' text
(only the settings' `search_fields` when set; `stop_words` are left out, `synonyms` count
as the word), applies filters `{key, operator, values}` (`key` names a field of the
document's `filters`, then of its `metadata`, then of the document; dotted paths work;
only the settings' filter keys when set), counts facets per value (numeric ones with
min, max, avg and sum), keeps the first document per `distinct_field`, shows only the
`display_fields` when set, and pages by `offset` / `limit` (default 10).

Proxy search (`POST /cnt/instant/search/{key}`) is public: the key names the proxy and
with it the account. Besides the documented JSON request and answer it serves the
vendor's JavaScript client: `Accept: application/vnd.instantsearch+json`, a body
`{"data": [query, ...]}` (sent as `text/plain`), one answer per query echoing its
`__queryID`, results keyed by the index alias; and `GET .../settings` names the aliases.
"""

from __future__ import annotations

import copy
import math
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...engine.background.tasks import StepFailure, Task
from ...engine.behaviour import toolkit
from ...engine.behaviour.matching import strings_of
from ...engine.behaviour.replies import success
from ...engine.errors import ApiError, Problem
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import FROM_API, FROM_TASK
from ...engine.vendor import Call, Reply
from .criteria import Condition, as_number, as_text, holds, read_conditions
from .tasks import AfostoTaskType, start_task

INDEXES = "/cnt/instant/indexes"
DOCUMENTS = "/cnt/instant/indexes/{id}/documents"
SETTINGS = "/cnt/instant/indexes/{id}/settings"
UPDATES = "/cnt/instant/indexes/{id}/updates"
PROXIES = "/cnt/instant/proxies"
INDEX_UPDATE = "afosto.index_update"
VENDOR_MEDIA_TYPE = "application/vnd.instantsearch+json"
JSON_MEDIA_TYPE = "application/json"
PUBLIC_OPERATIONS = frozenset({"searchDocuments", "getProxySearchSettings"})
CORS = {"Access-Control-Allow-Origin": "*"}
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
DEFAULT_SETTINGS: dict[str, Any] = {
    "synonyms": {},
    "stop_words": [],
    "ranking_rules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "facet_fields": [],
    "distinct_field": None,
    "search_fields": [],
    "display_fields": [],
    "filters": [],
}
SETTING_NAMES = tuple(DEFAULT_SETTINGS)
# A proxy key is one segment of the public search URL (whitespace as Python and the
# contract's regular expressions both read it).
MAX_PROXY_KEY = 200
PROXY_KEY = re.compile(rf"^[^\s\x1c-\x1f\x85/?#%]{{1,{MAX_PROXY_KEY}}}$")


# --- documents, settings and updates ---------------------------------------------------------------


def _index(call: Call) -> tuple[str, dict[str, Any]]:
    key = str(call.parameter("id"))
    index = toolkit.find_in(call, call.runtime.collections[INDEXES], key)
    return key, index


def _queue_update(call: Call, index_id: str, kind: str, count: int, change: dict[str, Any], at_once: bool = False) -> None:
    """Record an update of the index, applied by a background task (or at once)."""
    number = call.runtime.store.next_number(f"afosto/index-updates/{index_id}")
    update = {
        "id": str(number), "updateId": number, "status": "enqueued",
        "type": {"name": kind, "number": count}, "enqueuedAt": call.runtime.now(),
    }
    call.runtime.store.put(call.account.name, UPDATES, (index_id,), str(number), update, origin=FROM_API)
    payload = {"index": index_id, "update": number, **change}
    if at_once:
        apply_update(call.runtime, call.account.name, payload, FROM_API)
    else:
        start_task(call, INDEX_UPDATE, payload, f"{kind} on index {index_id}")


def put_documents(call: Call) -> Reply:
    """Documents are added or merged into the ones with their `reference`, as an update."""
    index_id, _ = _index(call)
    documents = []
    for position, document in enumerate(call.body if isinstance(call.body, list) else []):
        if not isinstance(document, dict):
            raise ApiError(400, problems=[Problem("body", (position,), "type", "object")])
        reference = document.get("reference")
        if not isinstance(reference, str) or reference == "":
            raise ApiError(400, f'body field "[{position}].reference" is required: the text that names the document',
                           [Problem("body", (position, "reference"), "required")])
        documents.append(document)
    _queue_update(call, index_id, "DocumentsAddition", len(documents), {"documents": documents})
    return success(call, None, index_id)


def delete_documents(call: Call) -> Reply:
    """The documents whose references the body lists go, as an update."""
    index_id, _ = _index(call)
    references = [str(item) for item in (call.body if isinstance(call.body, list) else []) if isinstance(item, (str, int))]
    _queue_update(call, index_id, "DocumentsDeletion", len(references), {"references": references})
    return success(call, None, index_id)


def clear_documents(call: Call) -> Reply:
    """Every document of the index goes, as an update."""
    index_id, _ = _index(call)
    count = len(call.runtime.store.collection(call.account.name, DOCUMENTS, (index_id,)))
    _queue_update(call, index_id, "ClearAll", count, {"clear": True})
    return success(call, None, index_id)


def settings_of(runtime: ApiRuntime, account: str, index_id: str) -> dict[str, Any]:
    """The index's settings in effect (the defaults where none were set)."""
    stored = runtime.store.collection(account, SETTINGS, (index_id,)).get(index_id) or {}
    return {**copy.deepcopy(DEFAULT_SETTINGS), **{name: stored[name] for name in SETTING_NAMES if name in stored},
            **({"last_processed_at": stored["last_processed_at"]} if "last_processed_at" in stored else {})}


def get_settings(call: Call) -> Reply:
    index_id, _ = _index(call)
    return success(call, settings_of(call.runtime, call.account.name, index_id), index_id)


def change_settings(call: Call) -> Reply:
    """Named settings change, as an update (applied at once with `?sync=1`)."""
    index_id, _ = _index(call)
    changes = {name: value for name, value in toolkit.body_fields(call).items() if name in SETTING_NAMES}
    _check_settings(changes)
    at_once = str(call.parameter("sync", "")).lower() in ("1", "true", "yes")
    _queue_update(call, index_id, "Settings", len(changes), {"settings": changes}, at_once)
    return success(call, None, index_id)


def reset_settings(call: Call) -> Reply:
    """Back to the default settings, as an update."""
    index_id, _ = _index(call)
    _queue_update(call, index_id, "Settings", 0, {"reset": True})
    return success(call, None, index_id)


def _check_settings(changes: dict[str, Any]) -> None:
    """The settings search reads, in the shapes it reads them; 400 naming the field."""
    distinct = changes.get("distinct_field")
    if distinct is not None and not (isinstance(distinct, str) and distinct):
        raise ApiError(400, 'body field "distinct_field" must name a field of the documents (or be null)',
                       [Problem("body", ("distinct_field",), "type", "string")])
    for name in ("stop_words", "facet_fields", "search_fields", "display_fields"):
        value = changes.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise ApiError(400, problems=[Problem("body", (name,), "type", "array")])
    synonyms = changes.get("synonyms")
    if synonyms is not None and not (
        isinstance(synonyms, dict) and all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in synonyms.values())
    ):
        raise ApiError(400, 'body field "synonyms" must map each word to a list of words', [Problem("body", ("synonyms",), "invalid")])
    for position, entry in enumerate(changes.get("filters") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not entry["key"]:
            raise ApiError(400, problems=[Problem("body", ("filters", position, "key"), "required")])


def apply_update(runtime: ApiRuntime, account: str, payload: dict[str, Any], origin: str) -> str:
    """Apply one index update (documents, removals, a clear or settings) and mark it processed;
    returns its final status."""
    started = time.perf_counter()
    index_id = payload["index"]
    store = runtime.store
    parents = (index_id,)
    status = "processed"
    if store.collection(account, INDEXES).get(index_id) is None:
        status = "failed"  # the index went away before the update was applied
    else:
        documents = store.collection(account, DOCUMENTS, parents)
        key_field = runtime.collections[DOCUMENTS].id_field  # `reference`, as the engine keys them
        for document in payload.get("documents") or []:
            before = documents.get(document[key_field])
            after = toolkit.merged(before, document) if before is not None else copy.deepcopy(document)
            store.put(account, DOCUMENTS, parents, document[key_field], after, origin=origin)
        for reference in payload.get("references") or []:
            store.delete(account, DOCUMENTS, parents, reference, origin=origin)
        if payload.get("clear"):
            for reference in documents.keys():
                store.delete(account, DOCUMENTS, parents, reference, origin=origin)
        if "settings" in payload or payload.get("reset"):
            current = {} if payload.get("reset") else settings_of(runtime, account, index_id)
            changed = {**current, **(payload.get("settings") or {}), "id": index_id, "last_processed_at": runtime.now()}
            store.put(account, SETTINGS, parents, index_id, changed, origin=origin)
    update = store.collection(account, UPDATES, parents).get(str(payload["update"]))
    if update is not None:
        finished = {**update, "status": status, "processedAt": runtime.now(), "duration": round(time.perf_counter() - started, 6)}
        store.put(account, UPDATES, parents, str(payload["update"]), finished, origin=origin)
    return status


class IndexUpdate(AfostoTaskType):
    """The background task that applies an index update (`failed` when it could not)."""

    name = INDEX_UPDATE

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def plan(self, task: Task) -> list[Any]:
        return [["apply"]]

    def apply(self, task: Task, step: Any) -> None:
        status = apply_update(self.runtime, task.account, task.payload, FROM_TASK)
        task.results["result"] = "succeeded" if status == "processed" else "failed"

    def finish(self, task: Task) -> None:
        task.results.setdefault("result", "succeeded")

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        super().step_failed(task, step, failure)
        parents = (task.payload["index"],)
        key = str(task.payload["update"])
        update = self.runtime.store.collection(task.account, UPDATES, parents).get(key)
        if update is not None:
            finished = {**update, "status": "failed", "processedAt": self.runtime.now()}
            self.runtime.store.put(task.account, UPDATES, parents, key, finished, origin=FROM_TASK)


# --- queries -------------------------------------------------------------------------------------


@dataclass
class Query:
    """One search request: what the documented body or one entry of `data` asks."""

    text: str = ""
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    indices: list[str] | None = None
    filters: list[Condition] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    query_id: str | None = None
    where: tuple[str | int, ...] = ()


def read_queries(body: Any) -> tuple[list[Query], bool]:
    """The queries of a request body, and whether they came wrapped in `data`."""
    if isinstance(body, dict) and "data" in body:
        entries = body["data"]
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise ApiError(400, 'body field "data" must be a list of queries', [Problem("body", ("data",), "type", "array")])
        return [read_query(entry, ("data", position)) for position, entry in enumerate(entries)], True
    return [read_query(body if isinstance(body, dict) else {}, ())], False


def read_query(raw: dict[str, Any], where: tuple[str | int, ...]) -> Query:
    """A query from its JSON, every value checked; 400 naming the field otherwise."""

    def bad(name: str | int, *more: str | int, kind: str = "type", expected: Any = None) -> ApiError:
        return ApiError(400, problems=[Problem("body", (*where, name, *more), kind, expected)])

    text = raw.get("q")
    if text is not None and not isinstance(text, str):
        raise bad("q", expected="string")
    numbers = {}
    for name, default, low, high in (("offset", 0, 0, None), ("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)):
        value = raw.get(name)
        if value is None:
            numbers[name] = default
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(name, expected="integer")
        if value < low:
            raise bad(name, kind="minimum", expected=low)
        if high is not None and value > high:
            raise bad(name, kind="maximum", expected=high)
        numbers[name] = value
    indices = raw.get("indices")
    if indices is not None and not (isinstance(indices, list) and all(isinstance(item, str) for item in indices)):
        raise bad("indices", expected="array")
    facets = raw.get("facets") or []
    if not (isinstance(facets, list) and all(isinstance(item, str) for item in facets)):
        raise bad("facets", expected="array")
    query_id = raw.get("__queryID")
    return Query(
        text=text or "",
        offset=numbers["offset"],
        limit=numbers["limit"],
        indices=indices or None,
        filters=read_conditions(raw.get("filters"), (*where, "filters"), "values"),
        facets=facets,
        query_id=str(query_id) if query_id is not None else None,
        where=where,
    )


# --- matching ------------------------------------------------------------------------------------


def _flat(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return [item for element in value for item in _flat(element)]
    if isinstance(value, dict):
        return []
    return [value]


def field_values(document: dict[str, Any], key: str) -> list[Any]:
    """The values a filter or facet key names in a document (see the module's description)."""
    if "." in key:
        return _flat(_at(document, key))
    for section in ("filters", "metadata"):
        holder = document.get(section)
        if isinstance(holder, dict) and key in holder:
            return _flat(holder[key])
    return _flat(document.get(key))


def _words(document: dict[str, Any], settings: dict[str, Any]) -> str:
    """The text query words are matched against: the search fields, or every string."""
    fields = settings.get("search_fields") or []
    if fields:
        return " ".join(text for name in fields for text in strings_of(_at(document, name))).lower()
    return " ".join(strings_of(document)).lower()


def _at(document: dict[str, Any], dotted: str) -> Any:
    value: Any = document
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _matches_text(haystack: str, words: list[str], synonyms: dict[str, list[str]]) -> bool:
    return all(any(form in haystack for form in (word, *(s.lower() for s in synonyms.get(word, ())))) for word in words)


@dataclass
class Found:
    """What one index answers to one query."""

    count: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    stats: dict[str, dict[str, float]]


def search(runtime: ApiRuntime, account: str, index_id: str, query: Query) -> Found:
    """Run one query against the stored documents of one index."""
    settings = settings_of(runtime, account, index_id)
    filterable = [entry.get("key") for entry in settings.get("filters") or [] if isinstance(entry, dict)]
    for condition in query.filters:
        if filterable and condition.key not in filterable:
            raise ApiError(400, f'body field "{Problem("body", (*condition.where, "key"), "x").field}": '
                                f'{condition.key!r} is not filterable; filterable: {", ".join(filterable)}',
                           [Problem("body", (*condition.where, "key"), "invalid")])
    stop_words = {word.lower() for word in settings.get("stop_words") or []}
    words = [word for word in query.text.lower().split() if word not in stop_words]
    synonyms = {str(word).lower(): list(alternatives) for word, alternatives in (settings.get("synonyms") or {}).items()}
    matches = []
    seen_distinct: set[str] = set()
    distinct = settings.get("distinct_field")
    for document in runtime.store.collection(account, DOCUMENTS, (index_id,)).values():
        if words and not _matches_text(_words(document, settings), words, synonyms):
            continue
        if not all(holds(field_values(document, condition.key), condition) for condition in query.filters):
            continue
        if distinct:
            marks = [as_text(value) for value in field_values(document, distinct)]
            if marks and marks[0] in seen_distinct:
                continue
            seen_distinct.update(marks[:1])
        matches.append(document)
    facets, stats = _facets(matches, query.facets, settings, filterable)
    shown = settings.get("display_fields") or []
    page = matches[query.offset : query.offset + query.limit]
    hits = [_displayed(document, shown) for document in page]
    return Found(len(matches), hits, facets, stats)


def _displayed(document: dict[str, Any], shown: list[str]) -> dict[str, Any]:
    if not shown:
        return copy.deepcopy(document)
    return {name: copy.deepcopy(document[name]) for name in ("reference", *shown) if name in document}


def _facets(
    documents: list[dict[str, Any]], asked: list[str], settings: dict[str, Any], filterable: list[str]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, float]]]:
    allowed = settings.get("facet_fields") or []
    keys: list[str] = []
    for name in asked:
        if name == "*":
            every = allowed or filterable or sorted({k for d in documents for k in (d.get("filters") or {}) if isinstance(d.get("filters"), dict)})
            keys.extend(key for key in every if key not in keys)
        elif name not in keys and (not allowed or name in allowed):
            keys.append(name)
    facets: dict[str, dict[str, int]] = {}
    stats: dict[str, dict[str, float]] = {}
    for key in keys:
        counts: dict[str, int] = {}
        numbers: list[int | float] = []
        numeric = True
        for document in documents:
            for value in field_values(document, key):
                counts[as_text(value)] = counts.get(as_text(value), 0) + 1
                number = as_number(value) if not isinstance(value, str) else None
                if number is None:
                    numeric = False
                else:
                    numbers.append(number)
        facets[key] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        if numbers and numeric:
            stats[key] = number_stats(numbers)
    return facets, stats


def number_stats(numbers: list[int | float]) -> dict[str, int | float]:
    """`min`, `max`, `avg` and `sum` of a facet's numbers, each one JSON can carry: min and
    max are values of the facet; the sum of integers is exact; a sum or average of doubles
    is a double (the average to 6 decimals), or, beyond a double's range, the exact value
    rounded to the nearest integer (a JSON number has no range; a double would be infinite)."""
    if all(type(number) is int for number in numbers):
        total: int | float = sum(numbers)
        average = _nearest(Fraction(total, len(numbers)))
    else:
        try:
            total = math.fsum(numbers)
        except OverflowError:  # an integer beyond a double, or a sum beyond one
            total = math.inf
        if math.isfinite(total):
            average = round(total / len(numbers), 6)
        else:
            exact = sum(map(Fraction, numbers), Fraction(0))
            total, average = _nearest(exact), _nearest(exact / len(numbers))
    return {"min": _plain(min(numbers)), "max": _plain(max(numbers)), "avg": _plain(average), "sum": _plain(total)}


def _nearest(exact: Fraction) -> int | float:
    """An exact value as JSON carries it: whole ones as integers, others as the nearest
    double to 6 decimals, or, beyond a double's range, as the nearest integer."""
    if exact.denominator == 1:
        return int(exact)
    try:
        return round(float(exact), 6)
    except OverflowError:
        return round(exact)


def _plain(number: int | float) -> int | float:
    """A whole double as an integer (`32`, not `32.0`)."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


# --- answers ---------------------------------------------------------------------------------------


def wants_vendor_answer(call: Call) -> bool:
    """Whether the client asked for the instant-search answer (its JavaScript client does):
    its `Accept` names the vendor's media type and ranks it no lower than JSON. `Accept`
    is a preference: a client that takes anything (`*/*`) gets the documented JSON."""
    return prefers_vendor_type(call.incoming.headers.get("accept", ""))


def prefers_vendor_type(accept: str) -> bool:
    """`application/vnd.instantsearch+json` -> True; `*/*`, `application/json, <vendor>;q=0.5`,
    `<vendor>;q=0` -> False. A range's weight is that of its most specific entry."""
    weights: dict[str, float] = {}
    for entry in accept.lower().split(","):
        media, *parameters = [part.strip() for part in entry.split(";")]
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and (media not in weights or weight > weights[media]):
            weights[media] = weight if math.isfinite(weight) else 0.0
    vendor = weights.get(VENDOR_MEDIA_TYPE)
    if not vendor or vendor <= 0:
        return False
    json_weight = next((weights[media] for media in (JSON_MEDIA_TYPE, "application/*", "*/*") if media in weights), 0.0)
    return vendor >= json_weight


def _answer(call: Call, targets: list[tuple[str, str]], queries: list[Query], key: str, extra: dict[str, str]) -> Reply:
    """Run every query against its targets (alias, index id); answer in the shape asked for."""
    vendor = wants_vendor_answer(call)
    if not vendor and len(queries) != 1:
        raise ApiError(400, f'body field "data" holds {len(queries)} queries; several queries need '
                            f"Accept: {VENDOR_MEDIA_TYPE}", [Problem("body", ("data",), "max_items", 1)])
    answers = []
    for query in queries:
        chosen = _chosen(targets, query)
        answers.append((query, [(alias, index_id, search(call.runtime, call.account.name, index_id, query)) for alias, index_id in chosen]))
    if vendor:
        body = [
            {
                "__queryID": query.query_id,
                "results": [
                    {
                        "id": alias,
                        "hits": [{"objectID": hit.get("reference"), **hit} for hit in found.hits],
                        "count": found.count,
                        "facets": found.facets,
                        "facets_stats": found.stats,
                    }
                    for alias, _, found in results
                ],
            }
            for query, results in answers
        ]
        for entry in body:
            if entry["__queryID"] is None:
                del entry["__queryID"]
        return success(call, body, key, extra, media_type=VENDOR_MEDIA_TYPE)
    query, results = answers[0]
    total = sum(found.count for _, _, found in results)
    body = {
        "results": [
            {
                "id": index_id,
                "count": found.count,
                "hits": found.hits,
                "facets": [
                    {"key": name, "buckets": [{"value": value, "count": str(count)} for value, count in counts.items()]}
                    for name, counts in found.facets.items()
                ],
            }
            for _, index_id, found in results
        ],
        "offset": query.offset,
        "limit": query.limit,
        "count": total,
        "q": query.text,
    }
    return success(call, body, key, {**extra, "x-page-size": str(query.limit), "x-count": str(total)})


def _chosen(targets: list[tuple[str, str]], query: Query) -> list[tuple[str, str]]:
    if query.indices is None:
        return targets
    by_alias = dict(targets)
    for position, alias in enumerate(query.indices):
        if alias not in by_alias:
            known = ", ".join(by_alias) or "none"
            raise ApiError(400, f'body field "{Problem("body", (*query.where, "indices", position), "x").field}": '
                                f"no index has the alias {alias!r} here (aliases: {known})",
                           [Problem("body", (*query.where, "indices", position), "invalid")])
    return [(alias, by_alias[alias]) for alias in dict.fromkeys(query.indices)]


def search_index(call: Call) -> Reply:
    """`POST /cnt/instant/indexes/{id}/search`: one index, no proxy (its alias is its name)."""
    index_id, index = _index(call)
    queries, _ = read_queries(call.body)
    alias = str(index.get("name") or index_id)
    return _answer(call, [(alias, index_id)], queries, index_id, {})


def proxy_of(runtime: ApiRuntime, key: str) -> tuple[str, dict[str, Any]] | None:
    """(account, proxy) of the proxy with this key, in whichever account has it."""
    for account in runtime.accounts:
        proxy = runtime.store.collection(account, PROXIES).get(key)
        if proxy is not None:
            return account, proxy
    return None


def _targets(call: Call, proxy: dict[str, Any]) -> list[tuple[str, str]]:
    """(alias, index id) of the proxy's indexes that exist."""
    indexes = call.runtime.store.collection(call.account.name, INDEXES)
    targets = []
    for entry in proxy.get("indexes") or []:
        if not isinstance(entry, dict):
            continue
        index_id = str(entry.get("index_id") or "")
        index = indexes.get(index_id)
        if index is None:
            continue
        targets.append((str(entry.get("alias") or index.get("name") or index_id), index_id))
    return targets


def _proxy(call: Call) -> dict[str, Any]:
    collection = call.runtime.store.collection(call.account.name, PROXIES)
    return toolkit.find(call, collection, str(call.parameter("id")), call.runtime.collections[PROXIES])


def search_proxy(call: Call) -> Reply:
    """`POST /cnt/instant/search/{key}`: the proxy's indexes, by alias (public)."""
    proxy = _proxy(call)
    queries, _ = read_queries(call.body)
    return _answer(call, _targets(call, proxy), queries, str(proxy.get("key")), dict(CORS))


def proxy_settings(call: Call) -> Reply:
    """`GET /cnt/instant/search/{key}/settings`: what the proxy publishes (public)."""
    proxy = _proxy(call)
    indexes = []
    names = call.runtime.store.collection(call.account.name, INDEXES)
    for alias, index_id in _targets(call, proxy):
        settings = settings_of(call.runtime, call.account.name, index_id)
        indexes.append({
            "alias": alias, "index_id": index_id, "name": (names.get(index_id) or {}).get("name"),
            "filters": settings.get("filters") or [], "facet_fields": settings.get("facet_fields") or [],
            "search_fields": settings.get("search_fields") or [],
        })
    return success(call, {"data": {"key": proxy.get("key"), "indexes": indexes}}, str(proxy.get("key")), dict(CORS))


# --- proxies -----------------------------------------------------------------------------------------


def create_proxy(call: Call) -> Reply:
    """A proxy keeps the key the client chose; keys are unique over all accounts (they are public)."""
    info = call.runtime.collections[PROXIES]
    body = toolkit.body_fields(call)
    key = body.get("key")
    if key is not None:
        if not isinstance(key, str) or not PROXY_KEY.fullmatch(key):
            raise ApiError(400, f'body field "key" must be 1 to {MAX_PROXY_KEY} characters without spaces, '
                                '"/", "?", "#" or "%" (it is a segment of the search URL)',
                           [Problem("body", ("key",), "invalid")])
        holder = proxy_of(call.runtime, key)
        if holder is not None and holder[0] != call.account.name:
            raise ApiError(call.operation.error_status(409), f"proxy key {key!r} is taken; proxy keys are public and unique")
    stored = toolkit.store_new(call, info, toolkit.new_record(call, info, body))
    return success(call, stored, str(stored["key"]))


HANDLERS = {
    "updateOrInsertAListOfDocuments": put_documents,
    "deleteAListOfDocuments": delete_documents,
    "clearsAllDocumentsFromAnIndex": clear_documents,
    "listIndexSettings": get_settings,
    "updateIndexSettings": change_settings,
    "resetIndexSettings": reset_settings,
    "searchDocuments": search_proxy,
    "searchDocumentsWithinASingleIndex": search_index,
    "getProxySearchSettings": proxy_settings,
    "createAProxy": create_proxy,
}

CONFLICTS = {
    ("POST", "/cnt/instant/proxies"): "the proxy key is taken",
}
