"""The instant-search operations: documents, settings and their updates, search through an
index or a proxy, and proxies (see the package's description)."""

from __future__ import annotations

import re
from typing import Any

from ....engine.behaviour import toolkit
from ....engine.behaviour.replies import success
from ....engine.errors import ApiError, Problem
from ....engine.runtime import ApiRuntime
from ....engine.vendor import Call, Reply
from .answer_formats import VENDOR_MEDIA_TYPE, documented_body, vendor_body, wants_vendor_answer
from .index_updates import DOCUMENTS, INDEXES, SETTING_NAMES, queue_update, settings_of
from .query import Query, read_queries
from .search import search

PROXIES = "/cnt/instant/proxies"
PUBLIC_OPERATIONS = frozenset({"searchDocuments", "getProxySearchSettings"})
CORS = {"Access-Control-Allow-Origin": "*"}
# A proxy key is one segment of the public search URL (whitespace as Python and the
# contract's regular expressions both read it).
MAX_PROXY_KEY = 200
PROXY_KEY = re.compile(rf"^[^\s\x1c-\x1f\x85/?#%]{{1,{MAX_PROXY_KEY}}}$")


def _index(call: Call) -> tuple[str, dict[str, Any]]:
    key = str(call.parameter("id"))
    index = toolkit.find_in(call, call.runtime.collections[INDEXES], key)
    return key, index


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
    queue_update(call, index_id, "DocumentsAddition", len(documents), {"documents": documents})
    return success(call, None, index_id)


def delete_documents(call: Call) -> Reply:
    """The documents whose references the body lists go, as an update."""
    index_id, _ = _index(call)
    references = [str(item) for item in (call.body if isinstance(call.body, list) else []) if isinstance(item, (str, int))]
    queue_update(call, index_id, "DocumentsDeletion", len(references), {"references": references})
    return success(call, None, index_id)


def clear_documents(call: Call) -> Reply:
    """Every document of the index goes, as an update."""
    index_id, _ = _index(call)
    count = len(call.runtime.store.collection(call.account.name, DOCUMENTS, (index_id,)))
    queue_update(call, index_id, "ClearAll", count, {"clear": True})
    return success(call, None, index_id)


def get_settings(call: Call) -> Reply:
    index_id, _ = _index(call)
    return success(call, settings_of(call.runtime, call.account.name, index_id), index_id)


def change_settings(call: Call) -> Reply:
    """Named settings change, as an update (applied at once with `?sync=1`)."""
    index_id, _ = _index(call)
    changes = {name: value for name, value in toolkit.body_fields(call).items() if name in SETTING_NAMES}
    _check_settings(changes)
    at_once = str(call.parameter("sync", "")).lower() in ("1", "true", "yes")
    queue_update(call, index_id, "Settings", len(changes), {"settings": changes}, at_once)
    return success(call, None, index_id)


def reset_settings(call: Call) -> Reply:
    """Back to the default settings, as an update."""
    index_id, _ = _index(call)
    queue_update(call, index_id, "Settings", 0, {"reset": True})
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


def _answer(call: Call, targets: list[tuple[str, str]], queries: list[Query], key: str, extra: dict[str, str]) -> Reply:
    """Run every query against its targets (alias, index id); answer in the format asked for."""
    vendor = wants_vendor_answer(call)
    if not vendor and len(queries) != 1:
        raise ApiError(400, f'body field "data" holds {len(queries)} queries; several queries need '
                            f"Accept: {VENDOR_MEDIA_TYPE}", [Problem("body", ("data",), "max_items", 1)])
    answers = [
        (query, [(alias, index_id, search(call.runtime, call.account.name, index_id, query)) for alias, index_id in _chosen(targets, query)])
        for query in queries
    ]
    if vendor:
        return success(call, vendor_body(answers), key, extra, media_type=VENDOR_MEDIA_TYPE)
    query, results = answers[0]
    body = documented_body(query, results)
    return success(call, body, key, {**extra, "x-page-size": str(query.limit), "x-count": str(body["count"])})


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


CONFLICTS = {
    ("POST", "/cnt/instant/proxies"): "the proxy key is taken",
}
