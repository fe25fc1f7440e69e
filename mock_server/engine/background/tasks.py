"""Background work of one API: tasks queued per account and applied step by step.

A vendor registers the kinds of work it does (`TaskType`: casavi's import jobs,
Afosto's batch validation, ...). A task is data (its payload, its planned steps and how
far it got), so it can be listed, exported and imported at any point. A worker applies
one step at a time, oldest task first within each account (accounts take turns), and
waits the configured delay after each step so progress can be watched;
`run_all` finishes everything queued at once. A step is taken off the task before it is
applied, so each step is applied exactly once whoever drives the queue, and a queue
that was closed (by a reset) applies nothing more.

A step that raises never passes for done: the exception is logged and reported (the
runtime keeps it in its failure log), the task type is told (`TaskType.step_failed`) so
its report shows the failure the way the vendor reports one, and the task ends
`failed` — at once, or after its other steps when the type's steps fail alone
(`TaskType.failure_ends_task`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .. import jsonio

log = logging.getLogger("mock_server")

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"  # ended, every step applied
FAILED = "failed"  # ended, a step raised
ENDED = frozenset({COMPLETED, FAILED})


@dataclass
class Task:
    """One piece of background work and how far it got."""

    id: str
    account: str
    type: str  # the TaskType that plans and applies it
    payload: Any  # what the steps work on (JSON data)
    steps: list[Any]  # planned steps (JSON data), applied in order
    created_at: str
    done: int = 0
    status: str = QUEUED
    failed_steps: int = 0  # steps that raised
    results: dict[str, Any] = field(default_factory=dict)  # what the task type records as it goes
    started_at: str | None = None
    completed_at: str | None = None

    @property
    def progress(self) -> float:
        """From 0 to 1 as steps are applied."""
        return 1.0 if not self.steps else round(self.done / len(self.steps), 4)

    @property
    def completed(self) -> bool:
        """Whether it ended with every step applied."""
        return self.status == COMPLETED

    @property
    def ended(self) -> bool:
        """Whether it ended, completed or failed: nothing more is applied."""
        return self.status in ENDED

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id, "account": self.account, "type": self.type, "payload": copy.deepcopy(self.payload),
            "steps": copy.deepcopy(self.steps), "done": self.done, "status": self.status,
            "failedSteps": self.failed_steps, "results": copy.deepcopy(self.results), "createdAt": self.created_at, "startedAt": self.started_at,
            "completedAt": self.completed_at,
        }

    @classmethod
    def from_state(cls, entry: dict[str, Any]) -> "Task":
        return cls(
            id=entry["id"], account=entry["account"], type=entry["type"], payload=entry.get("payload"),
            steps=list(entry.get("steps") or []), created_at=entry["createdAt"], done=int(entry.get("done", 0)),
            status=entry.get("status", QUEUED), failed_steps=int(entry.get("failedSteps", 0)),
            results=dict(entry.get("results") or {}), started_at=entry.get("startedAt"), completed_at=entry.get("completedAt"),
        )


@dataclass(frozen=True)
class StepFailure:
    """A step that raised: the exception, and its number in the failure log (None when unlogged)."""

    error: Exception
    logged: int | None = None

    def reason(self, what: str = "step") -> str:
        """Why the step failed, for a task's report: the exception's type and where it is
        listed, never its message (which may quote stored values)."""
        where = f"; GET /__admin/errors lists it as failure {self.logged}" if self.logged is not None else ""
        return f"the sandbox failed to apply this {what} ({type(self.error).__name__}){where}"


def record_step_failure(task: Task, step: Any, failure: StepFailure) -> None:
    """What a task records of a failed step when its type says nothing more:
    `results.failures` lists the step and the reason."""
    task.results.setdefault("failures", []).append({"step": step, "reason": failure.reason()})


class TaskType:
    """A kind of background work: how a payload becomes steps and how a step is applied.

    Task types may also be plain objects with `name`, `plan`, `apply` and `finish`; the
    queue then uses this class's `step_failed` and `failure_ends_task`.
    """

    name: str = ""
    # True: a step that raises ends the task at once; False: each step fails alone and
    # the task goes on with its other steps (it still ends failed).
    failure_ends_task: bool = True

    def plan(self, task: Task) -> list[Any]:
        """The steps of a new task, from its payload."""
        raise NotImplementedError

    def apply(self, task: Task, step: Any) -> None:
        """Apply one step (writes go through the store); record outcomes in ``task.results``."""
        raise NotImplementedError

    def finish(self, task: Task) -> None:
        """Called once after the last step (or after the step that ended the task)."""

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        """Record in ``task.results`` that applying ``step`` raised, the way the vendor
        reports a failure (by default: `results.failures`)."""
        record_step_failure(task, step, failure)


class TaskQueue:
    """One API's tasks: by id, and per account in the order they are applied."""

    def __init__(
        self,
        types: dict[str, TaskType],
        now: Callable[[], str],
        step_delay: float,
        on_progress: Callable[[Task], None] = lambda task: None,
        charge: Callable[..., None] = lambda account, size, refusable=True: None,
        on_failure: Callable[[Task, Any, Exception], StepFailure] = lambda task, step, error: StepFailure(error),
    ) -> None:
        self.types = types
        self.now = now
        self.step_delay = step_delay
        self.on_progress = on_progress  # e.g. drop cached answers that show the task
        self.charge = charge  # counts a task's data against the storage budget (507 when full)
        self.on_failure = on_failure  # reports a step that raised (after it was logged)
        self.tasks: dict[str, Task] = {}
        self.pending: dict[str, deque[Task]] = {}  # account -> tasks not finished, oldest first
        self.closed = False
        self._worker: asyncio.Task[None] | None = None

    def submit(self, account: str, type_name: str, payload: Any, task_id: str) -> Task:
        """Queue a task; its steps are planned now and applied in the background."""
        task = Task(task_id, account, type_name, payload, [], created_at=self.now())
        task.steps = list(self.types[type_name].plan(task))
        self.charge(account, _size(task))
        self.tasks[task.id] = task
        self.pending.setdefault(account, deque()).append(task)
        self.on_progress(task)
        self.wake()
        return task

    def get(self, task_id: str, account: str | None = None) -> Task | None:
        """A task by id (only the account's own when ``account`` is given)."""
        task = self.tasks.get(task_id)
        if task is None or (account is not None and task.account != account):
            return None
        return task

    @property
    def busy(self) -> bool:
        return any(self.pending.values())

    # --- driving ----------------------------------------------------------------------

    def wake(self) -> None:
        """Make sure a worker applies what is pending (when an event loop runs here)."""
        if self.closed or not self.busy or (self._worker is not None and not self._worker.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: the next call on one (or `run_all`) picks the work up
        self._worker = loop.create_task(self._work())

    async def _work(self) -> None:
        while not self.closed and self.busy:
            for account in list(self.pending):
                if self.closed:
                    return
                if self._advance(account):
                    await asyncio.sleep(self.step_delay)

    def _advance(self, account: str) -> bool:
        """Apply the next step of the account's oldest task; True when a step was applied."""
        queue = self.pending.get(account)
        if not queue:
            self.pending.pop(account, None)
            return False
        task = queue[0]
        applied = ends = False
        if task.done < len(task.steps):
            step = task.steps[task.done]
            task.done += 1  # taken before it runs: applied exactly once, even if it fails
            if task.status == QUEUED:
                task.status, task.started_at = RUNNING, self.now()
            try:
                self.types[task.type].apply(task, step)
            except Exception as error:  # a bug in a step fails the step, never the queue
                ends = self._step_failed(task, step, error)
            applied = True
        if ends or task.done >= len(task.steps):
            self._finish(task)
            queue.popleft()
        self.on_progress(task)
        return applied

    def _step_failed(self, task: Task, step: Any, error: Exception) -> bool:
        """Log and report the failed step, let its type record it; whether the task ends now."""
        log.error("task %s (%s) failed at step %s of %s", task.id, task.type, task.done, len(task.steps), exc_info=error)
        task.failed_steps += 1
        kind = self.types[task.type]
        try:
            failure = self.on_failure(task, step, error)
        except Exception:  # reporting must not stop the queue
            log.exception("reporting the failure of task %s failed", task.id)
            failure = StepFailure(error)
        record = getattr(kind, "step_failed", record_step_failure)  # plain task types get the generic record
        try:
            record(task, step, failure)
        except Exception:
            log.exception("task type %s could not record the failure of task %s", task.type, task.id)
            record_step_failure(task, step, failure)
        return getattr(kind, "failure_ends_task", True)

    def _finish(self, task: Task) -> None:
        if task.started_at is None:
            task.started_at = self.now()
        try:
            self.types[task.type].finish(task)
        except Exception as error:  # a bug in the last words fails the task, never the queue
            self._step_failed(task, None, error)
        task.status, task.completed_at = FAILED if task.failed_steps else COMPLETED, self.now()

    def run_all(self) -> int:
        """Apply everything queued now, in order; returns how many tasks finished."""
        finished = 0
        while not self.closed and self.busy:
            for account in list(self.pending):
                queue = self.pending.get(account)
                head = queue[0] if queue else None
                self._advance(account)
                if head is not None and head.ended:
                    finished += 1
        return finished

    def close(self) -> list[asyncio.Task[Any]]:
        """Stop: nothing more is applied (the API's state is being replaced). Returns the
        worker that was cancelled, if any, for a caller that waits until it has ended."""
        self.closed = True
        worker, self._worker = self._worker, None
        return cancelled([worker])

    def __deepcopy__(self, memo: dict[int, Any]) -> "TaskQueue":
        """A copy of the queue and its tasks that has not started working (the worker, if
        any, belongs to the queue copied)."""
        copied = object.__new__(TaskQueue)
        memo[id(self)] = copied
        for name, value in vars(self).items():
            setattr(copied, name, None if name == "_worker" else copy.deepcopy(value, memo))
        return copied

    # --- state ------------------------------------------------------------------------

    def export(self) -> list[dict[str, Any]]:
        return [task.to_state() for task in self.tasks.values()]

    def load(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            task = Task.from_state(entry)
            if task.type not in self.types:
                raise ValueError(f"unknown task type {task.type!r}")
            self.charge(task.account, _size(task), refusable=False)
            self.tasks[task.id] = task
            if not task.ended:
                self.pending.setdefault(task.account, deque()).append(task)
        self.wake()


def cancelled(work: Iterable[asyncio.Task[Any] | None]) -> list[asyncio.Task[Any]]:
    """Cancel the background work that still runs; returns it. Work whose event loop has
    closed ended with it."""
    stopped = []
    for item in work:
        if item is not None and not item.done() and not item.get_loop().is_closed():
            item.cancel()
            stopped.append(item)
    return stopped


def _size(task: Task) -> int:
    """What a task keeps: its payload and its planned steps, as JSON bytes."""
    return len(jsonio.dumps(task.payload)) + len(jsonio.dumps(task.steps))
