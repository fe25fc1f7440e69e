"""casavi's asynchronous import jobs, as two kinds of the engine's background tasks.

`POST /import` and `POST /documents` answer a job id before any record is applied; the
engine's task queue applies one record per step, in the documented order (contacts,
properties, their units with contracts, responsibilities), one account's jobs strictly
in order. `GET /jobs/{jobId}` reports progress and per-kind results. A record that
cannot be applied fails alone, whatever the reason (an unknown reference, a full
storage budget, a step that raised): it is counted as failed and listed in `errors`
with its id and the reason, and the job goes on.
"""

from __future__ import annotations

import copy
from typing import Any

from ...engine.background.tasks import StepFailure, Task, TaskType, record_step_failure
from ...engine.errors import ApiError
from ...engine.runtime import ApiRuntime
from ...engine.state.store import StoreFull
from ...engine.vendor import Call, Reply
from .importer import Importer, Outcome

KINDS = ("contacts", "properties", "units", "contracts", "responsibilities", "documents")
IMPORT = "casavi.import"
DOCUMENT = "casavi.document"


def empty_results() -> dict[str, Any]:
    return {**{kind: {"created": 0, "updated": 0, "failed": 0} for kind in KINDS}, "errors": []}


class _JobType(TaskType):
    """Shared by both kinds of job: outcomes of each record are counted per kind."""

    name = ""
    failure_ends_task = False  # a record fails alone

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
            outcomes = [(str(step[0]), "failed", self.record_id(task.payload, step), error.message)]
        self.count(task, outcomes)

    @staticmethod
    def count(task: Task, outcomes: list[Outcome]) -> None:
        for kind, outcome, record_id, message in outcomes:
            task.results[kind][outcome] += 1
            if outcome == "failed":
                task.results["errors"].append({"kind": kind, "id": record_id, "message": message})

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        """The record of a step that raised failed: counted, and listed with its id and the reason."""
        if not task.results:
            task.results = empty_results()
        if not isinstance(step, list) or not step or step[0] not in KINDS:
            record_step_failure(task, step, failure)  # not a record's step (the job's last words)
            return
        self.count(task, [(step[0], "failed", self.record_id(task.payload, step), failure.reason("record"))])

    def outcomes(self, importer: Importer, payload: Any, step: Any) -> list[Outcome]:
        raise NotImplementedError

    def record_id(self, payload: Any, step: Any) -> str:
        """The reference id of the record a step applies ("" when the payload names none)."""
        try:
            record = self.record(payload, step)
        except (LookupError, TypeError):
            return ""
        if not isinstance(record, dict):
            return ""
        found = record.get("propertyId") if step[0] == "responsibilities" else record.get("id")
        return "" if found is None else str(found)

    def record(self, payload: Any, step: Any) -> Any:
        """The record a step applies (LookupError or TypeError when the payload lacks it)."""
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

    def record(self, payload: Any, step: Any) -> Any:
        if step[0] == "units":
            return payload["properties"][step[1]]["units"][step[2]]
        return payload[step[0]][step[1]]


class DocumentJob(_JobType):
    """A document upload, change or removal: one step."""

    name = DOCUMENT

    def plan(self, task: Task) -> list[Any]:
        return [["documents"]]

    def outcomes(self, importer: Importer, payload: Any, step: Any) -> list[Outcome]:
        return [importer.document(payload)]

    def record(self, payload: Any, step: Any) -> Any:
        return payload


def job_report(task: Task) -> dict[str, Any]:
    """`GET /jobs/{jobId}`: `{id, results, progress, completed, completedAt}`."""
    return {
        "id": task.id,
        "results": copy.deepcopy(task.results or empty_results()),
        "progress": task.progress,
        "completed": task.ended,  # every record applied or failed
        "completedAt": task.completed_at,
    }


def _submit(call: Call, task_type: str) -> Reply:
    """Queue a job; the answer names it before any record is applied."""
    number = call.runtime.store.next_number("jobs")
    job_id = f"{call.runtime.fake.rng(f'casavi/job/{number}').getrandbits(96):024x}"
    call.runtime.tasks.submit(call.account.name, task_type, call.body, job_id)
    return Reply(200, {"jobId": job_id})


def import_master_data(call: Call) -> Reply:
    return _submit(call, IMPORT)


def upload_document(call: Call) -> Reply:
    return _submit(call, DOCUMENT)


def job_information(call: Call) -> Reply:
    task = call.runtime.tasks.get(str(call.parameter("jobId")), call.account.name)
    if task is None or task.type not in (IMPORT, DOCUMENT):
        raise ApiError(404, f"job {call.parameter('jobId')!r} not found")
    return Reply(200, job_report(task))
