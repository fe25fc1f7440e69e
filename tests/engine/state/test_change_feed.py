"""The change feed's contract with the store: preparers may refuse a write before it is
stored; listeners are told after, and what they raise is contained, reported and never
undoes the write nor keeps the other listeners from being told."""

from __future__ import annotations

import logging

import pytest

from mock_server.engine.clock import Clock
from mock_server.engine.errors import ApiError
from mock_server.engine.state.changes import CREATED, FROM_API, FROM_VIEW, Change, ChangeFeed, listener_name
from mock_server.engine.state.failures import LISTENER, FailureLog
from mock_server.engine.state.store import ApiStore, StoreBudget

THINGS = "/things"
COPIES = "/copies"


def _change(key: str = "1", collection: str = THINGS) -> Change:
    return Change("api", "acct", collection, (), key, CREATED, None, {"id": key}, FROM_API)


class Broken:
    """A listener that always raises."""

    def __call__(self, change: Change) -> None:
        raise RuntimeError(f"broken on {change.key}")


def test_a_listener_that_raises_is_reported_and_the_others_are_still_told(caplog):
    failures: list[tuple] = []
    feed = ChangeFeed(on_failure=lambda listener, change, error: failures.append((listener, change.key, str(error))))
    told: list[tuple[str, str]] = []
    broken = Broken()
    feed.subscribe(lambda change: told.append(("first", change.key)))
    feed.subscribe(broken)
    feed.subscribe(lambda change: told.append(("last", change.key)))
    with caplog.at_level(logging.ERROR, logger="mock_server"):
        feed.announce(_change("1"))
        feed.announce(_change("2"))
    assert told == [("first", "1"), ("last", "1"), ("first", "2"), ("last", "2")]
    assert failures == [(broken, "1", "broken on 1"), (broken, "2", "broken on 2")]
    (first, _) = [record for record in caplog.records if record.name == "mock_server"]
    assert "tests.engine.state.test_change_feed.Broken failed on api created /things '1' (api)" in first.getMessage()
    assert first.exc_info is not None and "RuntimeError: broken on 1" in caplog.text
    assert not feed.announcing


def test_changes_a_failing_listener_made_are_still_announced_after_the_current_one():
    feed = ChangeFeed()
    order: list[tuple[str, str]] = []

    def copy_then_fail(change: Change) -> None:
        if change.collection == THINGS:
            feed.announce(_change(change.key, COPIES))  # made while announcing: queued
            raise RuntimeError("after the copy")

    feed.subscribe(copy_then_fail)
    feed.subscribe(lambda change: order.append((change.collection, change.key)))
    feed.announce(_change("1"))
    assert order == [(THINGS, "1"), (COPIES, "1")]


def test_a_preparer_that_raises_reaches_the_writer():
    feed = ChangeFeed(on_failure=lambda *args: pytest.fail("a preparer's refusal is not contained"))

    def refuse(change: Change) -> None:
        raise ApiError(400, "refused")

    feed.prepare(refuse, origins=None)
    with pytest.raises(ApiError):
        feed.before_store(_change())


def test_a_failure_handler_that_raises_does_not_undo_the_containment(caplog):
    def handler(listener, change, error):
        raise ValueError("the log is gone")

    feed = ChangeFeed(on_failure=handler)
    told: list[str] = []
    feed.subscribe(Broken())
    feed.subscribe(lambda change: told.append(change.key))
    with caplog.at_level(logging.ERROR, logger="mock_server"):
        feed.announce(_change("1"))
    assert told == ["1"] and "recording the failure of listener" in caplog.text


def test_listener_names_are_qualified():
    def local(change: Change) -> None:
        pass

    assert listener_name(Broken()) == "tests.engine.state.test_change_feed.Broken"
    assert listener_name(local) == "tests.engine.state.test_change_feed.test_listener_names_are_qualified.<locals>.local"
    assert listener_name(ChangeFeed().announce) == "mock_server.engine.state.changes.ChangeFeed.announce"


def _store() -> tuple[ApiStore, FailureLog]:
    clock = Clock("2026-01-02T03:04:05.678Z")
    failures = FailureLog(clock.iso)
    feed = ChangeFeed(
        on_failure=lambda listener, change, error: failures.record(
            change.api, LISTENER, error, listener=listener_name(listener), change=change
        )
    )
    return ApiStore("api", feed, clock, budget=StoreBudget(total=10_000)), failures


def test_a_write_stands_once_when_a_listener_raises_and_the_failure_names_the_change():
    store, failures = _store()
    store.feed.subscribe(Broken())
    copies: list[str] = []
    store.feed.subscribe(lambda change: copies.append(change.key))
    stored = store.put("acct", THINGS, (), "1", {"id": "1", "secret": "value-not-logged"}, origin=FROM_API)
    assert store.collection("acct", THINGS).get("1") is stored and len(store.collection("acct", THINGS)) == 1
    assert copies == ["1"]  # committed once: every commit is announced to every listener
    (failure,) = failures.select()
    entry = failure.to_json()
    assert entry["listener"] == "tests.engine.state.test_change_feed.Broken"
    assert entry["change"] == {
        "api": "api", "account": "acct", "collection": THINGS, "path": THINGS, "key": "1", "kind": "created", "origin": "api",
    }
    assert entry["error"] == {"type": "RuntimeError", "message": "broken on 1"}
    assert "value-not-logged" not in str(entry)


def test_a_preparer_refusal_stores_nothing_and_counts_nothing():
    store, failures = _store()

    def refuse(change: Change) -> None:
        raise ApiError(400, "refused")

    store.feed.prepare(refuse, collections=THINGS)
    told: list[Change] = []
    store.feed.subscribe(told.append)
    with pytest.raises(ApiError):
        store.put("acct", THINGS, (), "1", {"id": "1"}, origin=FROM_API)
    assert len(store.collection("acct", THINGS)) == 0 and store.budget.used == 0
    assert told == [] and failures.select() == []
    # Data the sandbox keeps in step (a view) is not prepared by default: it is stored as given.
    store.put("acct", THINGS, (), "2", {"id": "2"}, origin=FROM_VIEW)
    assert len(store.collection("acct", THINGS)) == 1
