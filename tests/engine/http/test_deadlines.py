"""Read deadlines across event loops: a sandbox kept for a whole test session serves each
async test on that test's event loop."""

from __future__ import annotations

import asyncio

from mock_server.engine.http.deadlines import ReadDeadlines


def test_a_read_deadline_still_holds_on_the_next_event_loop():
    deadlines = ReadDeadlines(0.05)

    async def stalled_read() -> dict:
        never: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        message, rest = deadlines.start(lambda: never)
        assert message is None and rest is not None
        return await rest

    first = asyncio.new_event_loop()
    first.set_exception_handler(lambda loop, context: None)  # its tasks are left pending on purpose
    reading = first.create_task(stalled_read())
    first.run_until_complete(asyncio.sleep(0.001))  # the read waits, watched
    reading.cancel()
    first.close()  # the loop ends with its watcher still pending on it

    async def on_the_next_loop() -> BaseException | None:
        read = asyncio.ensure_future(stalled_read())
        done, _ = await asyncio.wait({read}, timeout=2)
        if read not in done:
            read.cancel()
            return None
        return read.exception()

    assert isinstance(asyncio.run(on_the_next_loop()), TimeoutError)
