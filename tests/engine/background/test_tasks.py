"""The engine's task queue: FIFO per account, each step exactly once, progress, driving, closing."""

from __future__ import annotations

import asyncio
import logging
import random

from mock_server.engine.background.tasks import FAILED, StepFailure, Task, TaskQueue


class Recording:
    """A task type whose steps record (task, step) as they are applied."""

    name = "recording"

    def __init__(self) -> None:
        self.applied: list[tuple[str, int]] = []
        self.finished: list[str] = []

    def plan(self, task: Task) -> list[int]:
        return list(range(task.payload["steps"]))

    def apply(self, task: Task, step: int) -> None:
        self.applied.append((task.id, step))

    def finish(self, task: Task) -> None:
        self.finished.append(task.id)


def _queue(delay: float = 0.0) -> tuple[TaskQueue, Recording, list[float]]:
    kind = Recording()
    seen: list[float] = []
    queue = TaskQueue({kind.name: kind}, lambda: "2026-01-01T00:00:00.000Z", delay, lambda task: seen.append(task.progress))
    return queue, kind, seen


async def test_each_account_runs_its_tasks_in_order_each_step_once_under_concurrent_submission():
    queue, kind, _ = _queue()
    rng = random.Random(7)
    submitted: dict[str, list[str]] = {}

    async def submitter(account: str) -> None:
        for number in range(15):
            task_id = f"{account}-{number}"
            queue.submit(account, "recording", {"steps": rng.randint(0, 4)}, task_id)
            submitted.setdefault(account, []).append(task_id)
            await asyncio.sleep(0)

    await asyncio.gather(*(submitter(account) for account in ("a", "b", "c", "d")))
    for _ in range(2000):
        if not queue.busy:
            break
        await asyncio.sleep(0)
    assert not queue.busy
    for account, ids in submitted.items():
        # Within an account, a task's steps all come before the next task's.
        order = [task_id for task_id, _ in kind.applied if task_id.startswith(account + "-")]
        assert order == sorted(order, key=ids.index)
        assert [task_id for task_id in kind.finished if task_id.startswith(account + "-")] == ids
    assert len(kind.applied) == len(set(kind.applied)) == sum(len(t.steps) for t in queue.tasks.values())
    assert all(task.completed and task.progress == 1 for task in queue.tasks.values())


async def test_progress_rises_step_by_step_and_completion_is_stamped_once():
    queue, kind, seen = _queue(delay=0.001)
    task = queue.submit("a", "recording", {"steps": 5}, "t")
    assert task.progress == 0 and not task.completed
    while queue.busy:
        await asyncio.sleep(0.001)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 1
    assert [step for _, step in kind.applied] == [0, 1, 2, 3, 4]
    assert task.completed_at == "2026-01-01T00:00:00.000Z" and kind.finished == ["t"]


async def test_run_all_finishes_everything_and_the_worker_applies_nothing_twice():
    queue, kind, _ = _queue(delay=0.05)
    for number in range(3):
        queue.submit(f"acct{number}", "recording", {"steps": 3}, f"t{number}")
    await asyncio.sleep(0.01)  # the worker has taken a first step
    assert queue.run_all() == 3
    await asyncio.sleep(0.1)
    assert sorted(kind.applied) == [(f"t{n}", s) for n in range(3) for s in range(3)]


def test_run_all_works_without_an_event_loop():
    queue, kind, _ = _queue(delay=10)
    queue.submit("a", "recording", {"steps": 2}, "t")
    assert queue.run_all() == 1 and kind.applied == [("t", 0), ("t", 1)]


async def test_a_closed_queue_applies_nothing_more():
    queue, kind, _ = _queue(delay=0.02)
    queue.submit("a", "recording", {"steps": 50}, "t")
    await asyncio.sleep(0.05)
    queue.close()
    applied = len(kind.applied)
    assert 0 < applied < 50
    await asyncio.sleep(0.1)
    assert queue.run_all() == 0 and len(kind.applied) == applied


def test_tasks_export_and_load_mid_flight():
    queue, kind, _ = _queue()
    task = queue.submit("a", "recording", {"steps": 3}, "t")
    queue._advance("a")
    exported = queue.export()
    again, kind_again, _ = _queue()
    again.load(exported)
    again.run_all()
    assert kind_again.applied == [("t", 1), ("t", 2)]
    assert again.tasks["t"].completed and task.done == 1


class Failing(Recording):
    """Recording, but the steps named in the payload's `poisoned` raise."""

    name = "failing"

    def __init__(self, ends: bool | None) -> None:
        super().__init__()
        self.told: list[tuple[str, int, str, int | None]] = []
        if ends is not None:
            self.failure_ends_task = ends

    def apply(self, task: Task, step: int) -> None:
        if step in task.payload.get("poisoned", ()):
            raise ValueError(f"poisoned step {step}")
        super().apply(task, step)

    def step_failed(self, task: Task, step: int, failure: StepFailure) -> None:
        self.told.append((task.id, step, type(failure.error).__name__, failure.logged))
        task.results["failed"] = task.results.get("failed", 0) + 1


def _failing_queue(kind) -> tuple[TaskQueue, list[tuple[str, object]]]:
    reported: list[tuple[str, object]] = []

    def on_failure(task: Task, step, error: Exception) -> StepFailure:
        reported.append((task.id, step))
        return StepFailure(error, len(reported))

    return TaskQueue({kind.name: kind}, lambda: "2026-01-01T00:00:00.000Z", 0.0, on_failure=on_failure), reported


def test_a_step_that_raises_ends_the_task_failed_and_the_queue_goes_on(caplog):
    kind = Failing(ends=None)  # the default: the first failure ends the task
    queue, reported = _failing_queue(kind)
    failed = queue.submit("a", kind.name, {"steps": 4, "poisoned": [1]}, "t1")
    after = queue.submit("a", kind.name, {"steps": 2}, "t2")
    with caplog.at_level(logging.ERROR, logger="mock_server"):
        assert queue.run_all() == 2
    assert kind.applied == [("t1", 0), ("t2", 0), ("t2", 1)]
    assert kind.told == [("t1", 1, "ValueError", 1)] and reported == [("t1", 1)]
    assert failed.status == FAILED and failed.ended and not failed.completed and failed.failed_steps == 1
    assert failed.results == {"failed": 1} and failed.completed_at is not None and failed.progress == 0.5
    assert kind.finished == ["t1", "t2"] and after.completed
    assert "task t1 (failing) failed at step 2 of 4" in caplog.text and "ValueError: poisoned step 1" in caplog.text


def test_a_type_whose_steps_fail_alone_applies_the_rest_and_still_ends_failed():
    kind = Failing(ends=False)
    queue, _ = _failing_queue(kind)
    task = queue.submit("a", kind.name, {"steps": 4, "poisoned": [0, 2]}, "t")
    queue.run_all()
    assert kind.applied == [("t", 1), ("t", 3)] and [step for _, step, _, _ in kind.told] == [0, 2]
    assert task.status == FAILED and task.failed_steps == 2 and task.progress == 1


def test_a_plain_task_type_gets_the_generic_record_and_a_failed_last_word_fails_the_task():
    class Plain(Recording):
        name = "plain"

        def apply(self, task: Task, step: int) -> None:
            raise KeyError("missing")

    plain = Plain()
    queue, _ = _failing_queue(plain)
    task = queue.submit("a", "plain", {"steps": 2}, "t")
    queue.run_all()
    assert task.status == FAILED and task.done == 1
    assert task.results == {"failures": [{"step": 0, "reason": (
        "the sandbox failed to apply this step (KeyError); GET /__admin/errors lists it as failure 1")}]}

    class LastWords(Recording):
        name = "last-words"

        def finish(self, task: Task) -> None:
            raise RuntimeError("no last words")

    words = LastWords()
    queue, reported = _failing_queue(words)
    task = queue.submit("a", "last-words", {"steps": 1}, "t")
    assert queue.run_all() == 1
    assert task.status == FAILED and words.applied == [("t", 0)] and reported == [("t", None)]
    assert task.results["failures"][0]["step"] is None


def test_a_failure_that_cannot_be_reported_or_recorded_still_fails_the_task(caplog):
    class Clumsy(Failing):
        def step_failed(self, task: Task, step: int, failure: StepFailure) -> None:
            raise TypeError("cannot record")

    kind = Clumsy(ends=True)

    def on_failure(task, step, error):
        raise OSError("no log")

    queue = TaskQueue({kind.name: kind}, lambda: "now", 0.0, on_failure=on_failure)
    task = queue.submit("a", kind.name, {"steps": 2, "poisoned": [0]}, "t")
    with caplog.at_level(logging.ERROR, logger="mock_server"):
        assert queue.run_all() == 1
    assert task.status == FAILED and task.results["failures"] == [
        {"step": 0, "reason": "the sandbox failed to apply this step (ValueError)"}
    ]
    assert "reporting the failure of task t failed" in caplog.text and "could not record the failure" in caplog.text


def test_a_failed_task_exports_and_loads_as_ended():
    kind = Failing(ends=True)
    queue, _ = _failing_queue(kind)
    queue.submit("a", kind.name, {"steps": 3, "poisoned": [0]}, "t")
    queue.run_all()
    (exported,) = queue.export()
    assert exported["status"] == "failed" and exported["failedSteps"] == 1
    again, _ = _failing_queue(Failing(ends=True))
    again.load([exported])
    assert not again.busy and again.tasks["t"].status == FAILED and again.tasks["t"].failed_steps == 1
