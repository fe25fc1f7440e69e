"""Afosto's tasks: work an operation starts is a task named by its `x-task-id` header,
readable at `GET /mes/tasks/{id}`. A task whose step raised ends at once with `result`
`failed` (the reason is kept in the task's results, shown at `GET /__admin/tasks`)."""

from __future__ import annotations

from typing import Any

from ...engine.background.tasks import StepFailure, Task, TaskType, record_step_failure
from ...engine.errors import ApiError
from ...engine.vendor import Call, Reply

OPERATION = "afosto.operation"
TASK_HEADER = "x-task-id"
FAILED = "failed"  # the `result` of a task that could not be done


class AfostoTaskType(TaskType):
    """What every Afosto task does when a step raises: it ends with `result` `failed`."""

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        task.results["result"] = FAILED
        record_step_failure(task, step, failure)


class OperationTask(AfostoTaskType):
    """The background part of an operation whose answer names a task: one step."""

    name = OPERATION

    def plan(self, task: Task) -> list[Any]:
        return [["run"]]

    def apply(self, task: Task, step: Any) -> None:
        task.results["result"] = "succeeded"

    def finish(self, task: Task) -> None:
        task.results.setdefault("result", "succeeded")


def start_task(call: Call, type_name: str, payload: Any, description: str) -> Task:
    """Queue a task for the call's account; its id is a UUID made from the sequence."""
    number = call.runtime.store.next_number("tasks")
    task_id = call.runtime.fake.uuid(f"afosto/task/{number}")
    task = call.runtime.tasks.submit(call.account.name, type_name, payload, task_id)
    task.results["description"] = description
    return task


def task_reply(call: Call, task: Task) -> Reply:
    """The documented bodiless answer of an operation that started ``task``."""
    return Reply(call.operation.success.status, None, {TASK_HEADER: task.id})


def task_report(task: Task) -> dict[str, Any]:
    """The documented task model: progress in percent; `result` and the times once they happened."""
    report = {
        "id": task.id,
        "name": task.type.split(".", 1)[-1],
        "description": task.results.get("description", ""),
        "progress": int(task.progress * 100),
        "result": task.results.get("result") if task.ended else None,
        "started_at": task.started_at,
        "completed_at": task.completed_at,
    }
    return {name: value for name, value in report.items() if value is not None}


def get_task(call: Call) -> Reply:
    task = call.runtime.tasks.get(str(call.parameter("id")), call.account.name)
    if task is None:
        raise ApiError(404, f"task {call.parameter('id')!r} not found")
    return Reply(200, task_report(task))
