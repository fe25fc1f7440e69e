"""casavi's asynchronous import jobs: a FIFO queue worked off in the background.

`POST /import` and `POST /documents` answer a job id before any record is applied. A
background task applies the records of the oldest job one step at a time, waiting
`job_delay` seconds per record so progress can be watched; `POST /__admin/jobs/run`
finishes everything queued at once. A job remembers which steps it applied, so each
record is applied exactly once whoever drives it.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

KINDS = ("contacts", "properties", "units", "contracts", "responsibilities", "documents")

# One step applies one record and reports (kind, outcome, error) tuples.
Step = Callable[[], list[tuple[str, str, str | None, str | None]]]


@dataclass
class Job:
    """An import as the API reports it, plus the steps still to apply."""

    id: str
    account: str
    steps: deque[Step] = field(default_factory=deque)
    total: int = 0
    done: int = 0
    results: dict[str, Any] = field(default_factory=lambda: _empty_results())
    completed_at: str | None = None

    @property
    def progress(self) -> float:
        return 1.0 if self.total == 0 else round(self.done / self.total, 4)

    def report(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "results": copy.deepcopy(self.results),
            "progress": self.progress,
            "completed": self.completed_at is not None,
            "completedAt": self.completed_at,
        }

    def to_state(self) -> dict[str, Any]:
        """Completed jobs are exported; pending steps are code and finish before an export."""
        return {"id": self.id, "account": self.account, "total": self.total, "done": self.done,
                "results": self.results, "completedAt": self.completed_at}


def _empty_results() -> dict[str, Any]:
    return {**{kind: {"created": 0, "updated": 0, "failed": 0} for kind in KINDS}, "errors": []}


class JobQueue:
    """Jobs by id, and the order they are applied in."""

    def __init__(self, job_delay: float) -> None:
        self.job_delay = job_delay
        self.now: Callable[[], str] = lambda: ""  # the runtime's clock, once attached
        self.on_change: Callable[[], None] = lambda: None  # e.g. drop cached answers
        self.jobs: dict[str, Job] = {}
        self.pending: deque[Job] = deque()
        self._worker: asyncio.Task[None] | None = None

    def submit(self, job: Job) -> None:
        """Queue a job and make sure a worker is running."""
        job.total = len(job.steps)
        self.jobs[job.id] = job
        self.pending.append(job)
        if self.job_delay <= 0 and not self._loop_running():
            self.run_all()
            return
        self._ensure_worker()

    def _loop_running(self) -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def _ensure_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def _work(self) -> None:
        while self.pending:
            job = self.pending[0]
            if job.steps:
                self._apply_step(job)
                await asyncio.sleep(self.job_delay)
            else:
                self._finish(job)

    def _apply_step(self, job: Job) -> None:
        step = job.steps.popleft()
        for kind, outcome, record_id, message in step():
            job.results[kind][outcome] += 1
            if outcome == "failed":
                job.results["errors"].append({"kind": kind, "id": record_id, "message": message})
        job.done += 1
        self.on_change()
        if not job.steps:
            self._finish(job)

    def _finish(self, job: Job) -> None:
        if job.completed_at is None:
            job.completed_at = self.now()
        if self.pending and self.pending[0] is job:
            self.pending.popleft()

    def run_all(self) -> int:
        """Apply everything queued now, in order; returns how many jobs finished."""
        finished = 0
        while self.pending:
            job = self.pending[0]
            while job.steps:
                self._apply_step(job)
            self._finish(job)
            finished += 1
        return finished

    def clear(self) -> None:
        self.jobs.clear()
        self.pending.clear()
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
        self._worker = None

    def export(self) -> list[dict[str, Any]]:
        self.run_all()
        return [job.to_state() for job in self.jobs.values()]

    def load(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.jobs[entry["id"]] = Job(
                id=entry["id"], account=entry["account"], total=entry.get("total", 0), done=entry.get("done", 0),
                results=entry.get("results") or _empty_results(), completed_at=entry.get("completedAt"),
            )
