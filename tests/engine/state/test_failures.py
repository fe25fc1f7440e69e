"""The failure log: numbered, bounded, selected and cleared per API."""

from __future__ import annotations

from mock_server.engine.state.changes import DELETED, FROM_TASK, Change
from mock_server.engine.state.failures import LISTENER, REQUEST, TASK, TRACEBACK_LIMIT, FailureLog


def _raised(message: str = "boom") -> Exception:
    try:
        raise KeyError(message)
    except KeyError as error:
        return error


def test_entries_are_numbered_kept_to_the_limit_and_never_renumbered():
    log = FailureLog(lambda: "2026-01-02T03:04:05.678Z", size=3)
    for number in range(5):
        log.record("afosto" if number % 2 else "casavi", TASK, _raised(str(number)), task={"id": str(number)})
    assert [failure.sequence for failure in log.select()] == [3, 4, 5] and log.sequence == 5
    assert [failure.sequence for failure in log.select(["afosto"])] == [4]
    assert [failure.sequence for failure in log.since(3)] == [4, 5] and log.since(5) == []
    log.clear(["casavi"])
    assert [failure.sequence for failure in log.select()] == [4]
    log.record("relay", REQUEST, _raised(), request={"method": "GET"}, reference="r-1")
    assert [failure.sequence for failure in log.select()] == [4, 6]
    log.clear()
    assert log.select() == [] and log.sequence == 6


def test_an_entry_names_what_failed_by_identifiers_with_its_traceback():
    log = FailureLog(lambda: "2026-01-02T03:04:05.678Z")
    change = Change("relay", "demo", "/orders/{orderId}/comments", ("7",), "3", DELETED, {"text": "private"}, None, FROM_TASK)
    entry = log.record("relay", LISTENER, _raised("x" * 5000), listener="pkg.Listener", change=change).to_json()
    assert entry["sequence"] == 1 and entry["time"] == "2026-01-02T03:04:05.678Z" and entry["source"] == "listener"
    assert entry["listener"] == "pkg.Listener" and entry["error"]["type"] == "KeyError"
    assert len(entry["error"]["message"]) <= 1001 and entry["traceback"].startswith("Traceback")
    assert "_raised" in entry["traceback"] and len(entry["traceback"]) <= TRACEBACK_LIMIT + 1
    assert entry["change"] == {
        "api": "relay", "account": "demo", "collection": "/orders/{orderId}/comments", "path": "/orders/7/comments",
        "key": "3", "kind": "deleted", "origin": "task",
    }
    assert "private" not in str(entry) and "task" not in entry and "reference" not in entry
