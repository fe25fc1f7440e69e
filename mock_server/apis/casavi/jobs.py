"""casavi's asynchronous import jobs, as two kinds of the engine's background tasks.

`POST /import` and `POST /documents` answer a job id before any record is applied; the
engine's task queue applies one record per step, in the documented order (contacts,
properties, their units with contracts, responsibilities), one account's jobs strictly
in order. `GET /jobs/{jobId}` reports progress and per-kind results.
"""

from __future__ import annotations

import copy
from typing import Any

from ...engine.runtime import ApiRuntime
from ...engine.store import StoreFull
from ...engine.tasks import Task
from .importer import Importer, Outcome

KINDS = ("contacts", "properties", "units", "contracts", "responsibilities", "documents")
IMPORT = "casavi.import"
DOCUMENT = "casavi.document"


def empty_results() -> dict[str, Any]:
    return {**{kind: {"created": 0, "updated": 0, "failed": 0} for kind in KINDS}, "errors": []}


class _JobType:
    """Shared by both kinds of job: outcomes of each record are counted per kind."""

    name = ""

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def plan(self, task: Task) -> list[Any]:
        raise NotImplementedError

    def apply(self, task: Task, step: Any) -> None:
        if not task.results:
            task.results = empty_results()
        account = self.runtime.accounts.get(task.account)
        if account is None:  # the account went away (a fixture replaced it): nothing to apply to
            return
        try:
            outcomes = self.outcomes(Importer(self.runtime, account), task.payload, step)
        except StoreFull as error:  # the record does not fit the storage budget: it fails alone
            outcomes = [(str(step[0]), "failed", None, error.message)]
        for kind, outcome, record_id, message in outcomes:
            task.results[kind][outcome] += 1
            if outcome == "failed":
                task.results["errors"].append({"kind": kind, "id": record_id, "message": message})

    def outcomes(self, importer: Importer, payload: Any, step: Any) -> list[Outcome]:
        raise NotImplementedError

    def finish(self, task: Task) -> None:
        if not task.results:
            task.results = empty_results()


class ImportJob(_JobType):
    """An import envelope: one step per record."""

    name = IMPORT

    def plan(self, task: Task) -> list[Any]:
        body = task.payload
        steps: list[Any] = [["contacts", index] for index, _ in enumerate(body.get("contacts") or [])]
        properties = body.get("properties") or []
        steps += [["properties", index] for index, _ in enumerate(properties)]
        for owner, item in enumerate(properties):
            steps += [["units", owner, index] for index, _ in enumerate(item.get("units") or [])]
        steps += [["responsibilities", index] for index, _ in enumerate(body.get("responsibilities") or [])]
        return steps

    def outcomes(self, importer: Importer, payload: Any, step: Any) -> list[Outcome]:
        kind = step[0]
        if kind == "contacts":
            return [importer.contact(payload["contacts"][step[1]])]
        if kind == "properties":
            return [importer.property(payload["properties"][step[1]])]
        if kind == "units":
            owner = payload["properties"][step[1]]
            return importer.unit(str(owner["id"]), owner["units"][step[2]])
        return [importer.responsibility(payload["responsibilities"][step[1]])]


class DocumentJob(_JobType):
    """A document upload, change or removal: one step."""

    name = DOCUMENT

    def plan(self, task: Task) -> list[Any]:
        return [["documents"]]

    def outcomes(self, importer: Importer, payload: Any, step: Any) -> list[Outcome]:
        return [importer.document(payload)]


def job_report(task: Task) -> dict[str, Any]:
    """`GET /jobs/{jobId}`: `{id, results, progress, completed, completedAt}`."""
    return {
        "id": task.id,
        "results": copy.deepcopy(task.results or empty_results()),
        "progress": task.progress,
        "completed": task.completed,
        "completedAt": task.completed_at,
    }
