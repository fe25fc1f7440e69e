"""Index updates: documents, removals, a clear or settings, listed at `.../updates` as
`enqueued` and applied by a background task (or at once), which marks them `processed`."""

from __future__ import annotations

import copy
import time
from typing import Any

from ....engine.background.tasks import StepFailure, Task
from ....engine.behaviour import toolkit
from ....engine.runtime import ApiRuntime
from ....engine.state.changes import FROM_API, FROM_TASK
from ....engine.vendor import Call
from ..tasks import AfostoTaskType, start_task

INDEXES = "/cnt/instant/indexes"
DOCUMENTS = "/cnt/instant/indexes/{id}/documents"
SETTINGS = "/cnt/instant/indexes/{id}/settings"
UPDATES = "/cnt/instant/indexes/{id}/updates"
INDEX_UPDATE = "afosto.index_update"
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


def settings_of(runtime: ApiRuntime, account: str, index_id: str) -> dict[str, Any]:
    """The index's settings in effect (the defaults where none were set)."""
    stored = runtime.store.collection(account, SETTINGS, (index_id,)).get(index_id) or {}
    return {**copy.deepcopy(DEFAULT_SETTINGS), **{name: stored[name] for name in SETTING_NAMES if name in stored},
            **({"last_processed_at": stored["last_processed_at"]} if "last_processed_at" in stored else {})}


def queue_update(call: Call, index_id: str, kind: str, count: int, change: dict[str, Any], at_once: bool = False) -> None:
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
