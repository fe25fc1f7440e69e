"""Background work of one API: tasks queued per account and applied step by step.

A vendor registers the kinds of work it does (`TaskType`: casavi's import jobs,
Afosto's batch validation, ...). A task is data (its payload, its planned steps and how
far it got), so it can be listed, exported and imported at any point. A worker applies
one step at a time, oldest task first within each account (accounts take turns), and
waits the configured delay after each step so progress can be watched;
`run_all` finishes everything queued at once. A step is taken off the task before it is
applied, so each step is applied exactly once whoever drives the queue, and a queue
that was closed (by a reset) applies nothing more.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from . import jsonio

log = logging.getLogger("mock_server")

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"


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
    results: dict[str, Any] = field(default_factory=dict)  # what the task type records as it goes
    started_at: str | None = None
    completed_at: str | None = None

    @property
    def progress(self) -> float:
        """From 0 to 1 as steps are applied."""
        return 1.0 if not self.steps else round(self.done / len(self.steps), 4)

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id, "account": self.account, "type": self.type, "payload": copy.deepcopy(self.payload),
            "steps": copy.deepcopy(self.steps), "done": self.done, "status": self.status,
            "results": copy.deepcopy(self.results), "createdAt": self.created_at, "startedAt": self.started_at,
            "completedAt": self.completed_at,
        }

    @classmethod
    def from_state(cls, entry: dict[str, Any]) -> "Task":
        return cls(
            id=entry["id"], account=entry["account"], type=entry["type"], payload=entry.get("payload"),
            steps=list(entry.get("steps") or []), created_at=entry["createdAt"], done=int(entry.get("done", 0)),
            status=entry.get("status", QUEUED), results=dict(entry.get("results") or {}),
            started_at=entry.get("startedAt"), completed_at=entry.get("completedAt"),
        )


class TaskType(Protocol):
    """A kind of background work: how a payload becomes steps and how a step is applied."""

    name: str

    def plan(self, task: Task) -> list[Any]:
        """The steps of a new task, from its payload."""

    def apply(self, task: Task, step: Any) -> None:
        """Apply one step (writes go through the store); record outcomes in ``task.results``."""

    def finish(self, task: Task) -> None:
        """Called once after the last step."""


class TaskQueue:
    """One API's tasks: by id, and per account in the order they are applied."""

    def __init__(
        self,
        types: dict[str, TaskType],
        now: Callable[[], str],
        step_delay: float,
        on_progress: Callable[[Task], None] = lambda task: None,
        charge: Callable[..., None] = lambda account, size, refusable=True: None,
    ) -> None:
        self.types = types
        self.now = now
        self.step_delay = step_delay
        self.on_progress = on_progress  # e.g. drop cached answers that show the task
        self.charge = charge  # counts a task's data against the storage budget (507 when full)
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
        applied = False
        if task.done < len(task.steps):
            step = task.steps[task.done]
            task.done += 1  # taken before it runs: applied exactly once, even if it fails
            if task.status == QUEUED:
                task.status, task.started_at = RUNNING, self.now()
            try:
                self.types[task.type].apply(task, step)
            except Exception:  # a bug in a step must not stop the queue
                log.exception("task %s (%s) failed at step %s", task.id, task.type, task.done)
            applied = True
        if task.done >= len(task.steps):
            self._finish(task)
            queue.popleft()
        self.on_progress(task)
        return applied

    def _finish(self, task: Task) -> None:
        if task.started_at is None:
            task.started_at = self.now()
        self.types[task.type].finish(task)
        task.status, task.completed_at = COMPLETED, self.now()

    def run_all(self) -> int:
        """Apply everything queued now, in order; returns how many tasks finished."""
        finished = 0
        while not self.closed and self.busy:
            for account in list(self.pending):
                queue = self.pending.get(account)
                head = queue[0] if queue else None
                self._advance(account)
                if head is not None and head.completed:
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
            if not task.completed:
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
