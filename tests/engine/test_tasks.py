"""The engine's task queue: FIFO per account, each step exactly once, progress, driving, closing."""

from __future__ import annotations

import asyncio
import random

from mock_server.engine.tasks import Task, TaskQueue


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
