"""The event stream's route, and what it hears from where: the request journal, each API's stored
changes, tasks and webhook deliveries, the override rules, the failure log and resets.

Each source tells the hub through the hook it already has (the journal's and the
others' watchers, the change feed's listeners); nothing polls. The watching starts when
the first stream opens, so a server nobody watches pays nothing for it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..engine.background.outbox import Delivery
from ..engine.background.tasks import Task
from ..engine.state.changes import Change
from ..engine.state.failures import Failure, change_summary
from ..engine.tools.journal import JournalEntry, RequestJournal
from ..engine.tools.overrides import RuleNews
from ..sandbox import Sandbox
from .errors import AdminError
from .events import HEADERS, EventHub, EventStreamResponse, StreamRefused


async def events(request: Request) -> Response:
    """GET: the event stream (`text/event-stream`): request, state, task, webhook,
    override, error, reset; `: keep-alive` comments every 15 s."""
    hub: EventHub = request.app.state.events
    if request.method == "HEAD":  # the headers alone: a stream would never end
        return Response(headers={name.decode(): value.decode() for name, value in HEADERS})
    try:
        stream = hub.join()
    except StreamRefused as refusal:
        raise AdminError(refusal.status, refusal.message) from None
    return EventStreamResponse(hub, stream)


def task_entry(api: str, task: Task) -> dict[str, Any]:
    """A task as `GET /__admin/tasks` lists it."""
    return {"api": api, **task.to_state(), "progress": task.progress}


def watch_journal(hub: EventHub, journal: RequestJournal) -> None:
    """A `request` event (the entry without headers and bodies) for every request answered."""

    def answered(entry: JournalEntry) -> None:
        if hub:
            hub.publish("request", entry.summary())

    hub.on_first_stream.append(lambda: journal.watchers.add(answered))


def watch_sandbox(hub: EventHub, sandbox: Sandbox) -> None:
    """Every event of the sandbox: requests, state changes, tasks, deliveries, rules,
    failures and resets."""
    watch_journal(hub, sandbox.journal)
    hub.on_first_stream.append(lambda: _start_watching(hub, sandbox))


def _start_watching(hub: EventHub, sandbox: Sandbox) -> None:
    def changed(change: Change) -> None:
        if hub:
            hub.changed(change_summary(change))

    def failed(failure: Failure) -> None:
        if hub:
            hub.publish("error", failure.to_json())

    def rule_news(news: RuleNews) -> None:
        if hub:
            what, rule = news
            hub.publish("override", {"id": rule.id if rule else None, "what": what, "rule": rule.to_json() if rule else None})

    def reset(apis: list[str]) -> None:
        if hub:
            hub.publish("reset", {"apis": apis})

    for name, api in sandbox.apis.items():
        runtime = api.runtime
        runtime.feed.subscribe(changed)
        runtime.task_watchers.add(_task_watcher(hub, name))
        runtime.delivery_watchers.add(_delivery_watcher(hub))
    sandbox.failures.watchers.add(failed)
    sandbox.overrides.watchers.add(rule_news)
    sandbox.reset_watchers.add(reset)


def _task_watcher(hub: EventHub, api: str) -> Any:
    def moved(task: Task) -> None:
        if hub:
            hub.publish("task", task_entry(api, task))

    return moved


def _delivery_watcher(hub: EventHub) -> Any:
    def moved(delivery: Delivery) -> None:
        if hub:
            hub.publish("webhook", delivery.to_json())

    return moved
