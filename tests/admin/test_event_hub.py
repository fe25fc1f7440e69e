"""The event hub on its own: bounded queues, state changes gathered per tick, ending on
close, and events published from another thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

from mock_server.admin import events as events_module
from mock_server.admin.events import EventHub, EventStreamResponse, StreamRefused


def _names(messages: list[bytes]) -> list[str]:
    return [message.split(b"\n", 1)[0].removeprefix(b"event: ").decode() for message in messages]


async def test_a_stream_that_falls_behind_is_dropped_told_to_resync_and_ended():
    hub = EventHub(queue_limit=5)
    stream = hub.join()
    for number in range(6):
        hub.publish("request", {"sequence": number})
    assert len(stream.waiting) == 0 and stream.overflowed
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        await asyncio.sleep(10)
        return {"type": "http.disconnect"}

    await asyncio.wait_for(EventStreamResponse(hub, stream)({}, receive, send), 1)
    bodies = b"".join(message.get("body", b"") for message in sent[1:])
    assert b"event: resync" in bodies and b"sequence" not in bodies
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert not hub.streams


async def test_memory_per_stream_stays_bounded_however_much_is_published():
    hub = EventHub(queue_limit=100)
    stream = hub.join()
    for number in range(10_000):
        hub.publish("request", {"sequence": number})
    assert len(stream.waiting) <= 100


async def test_state_changes_in_one_tick_go_out_as_one_event():
    hub = EventHub()
    stream = hub.join()
    for key in range(20):
        hub.changed({"key": str(key)})
    assert not stream.waiting
    messages = await stream.next_messages(1)
    assert messages is not None and _names(messages) == ["state"]
    assert messages[0].count(b'"key"') == 20


async def test_too_many_changes_in_one_tick_send_resync_instead(monkeypatch):
    monkeypatch.setattr(events_module, "STATE_CHANGES_PER_EVENT", 10)
    hub = EventHub()
    stream = hub.join()
    for key in range(25):
        hub.changed({"key": str(key)})
    messages = await stream.next_messages(1)
    assert messages is not None and _names(messages) == ["resync"]
    assert b"25 state changes" in messages[0]


async def test_nothing_is_gathered_while_no_stream_is_open():
    hub = EventHub()
    hub.changed({"key": "1"})
    hub.publish("request", {})
    assert hub.number == 0 and hub._tick is None


async def test_close_ends_every_stream_and_refuses_new_ones_until_opened_again():
    hub = EventHub()
    streams = [hub.join(), hub.join()]
    hub.publish("reset", {"apis": []})
    hub.close()
    for stream in streams:
        assert _names(await stream.next_messages(1)) == ["reset"]
        assert await stream.next_messages(1) is None
    with pytest.raises(StreamRefused) as refused:
        hub.join()
    assert refused.value.status == 503
    hub.open()
    assert hub.join() is not None


async def test_too_many_streams_are_refused():
    hub = EventHub(stream_limit=2)
    hub.join(), hub.join()
    with pytest.raises(StreamRefused) as refused:
        hub.join()
    assert refused.value.status == 429


async def test_events_published_from_another_thread_reach_the_stream_on_its_loop():
    hub = EventHub()
    stream = hub.join()
    worker = threading.Thread(target=hub.publish, args=("task", {"id": "t"}))
    worker.start()
    worker.join()
    messages = await stream.next_messages(1)
    assert messages is not None and _names(messages) == ["task"]
    closing = threading.Thread(target=hub.close)
    closing.start()
    closing.join()
    assert await stream.next_messages(1) is None


async def test_keep_alive_when_nothing_happens():
    hub = EventHub()
    stream = hub.join()
    assert await stream.next_messages(0.05) == []
