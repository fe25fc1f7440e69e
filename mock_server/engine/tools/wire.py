"""Answers that do not arrive as HTTP promises: cut short, malformed, or not at all.

These replace the pipeline's send step for injected faults. Closing a connection has no
ASGI message, so `abort_connection` aborts the server's transport where the server
exposes it (uvicorn's request cycle does); where it does not, as with an in-process
client through httpx's ASGITransport, it raises the transport error such a client would
see, so the fault reaches the caller the same way.
"""

from __future__ import annotations

import asyncio

from ..asgi import Send
from ..state.answer_cache import WireAnswer

NO_ANSWER = "Server disconnected without sending a response."
CUT_BODY = "peer closed connection without sending complete message body"


async def send_nothing(answer: WireAnswer, send: Send) -> None:
    """Close the connection without an answer."""
    await abort_connection(send, NO_ANSWER)


async def send_truncated(answer: WireAnswer, send: Send) -> None:
    """Status and headers (announcing the whole body), half the body, then close."""
    await send(answer.start_message())
    await send({"type": "http.response.body", "body": answer.payload[: len(answer.payload) // 2], "more_body": True})
    await abort_connection(send, CUT_BODY)


async def send_malformed(answer: WireAnswer, send: Send) -> None:
    """A complete HTTP answer whose body is the first half of the real one: not valid JSON."""
    payload = answer.payload[: len(answer.payload) // 2] if len(answer.payload) > 1 else b"{"
    if answer.status in (204, 304):
        payload = b""
    await send(answer.start_message(len(payload)))
    await send({"type": "http.response.body", "body": payload})


async def abort_connection(send: Send, message: str) -> None:
    """End the connection at once, whatever was sent so far."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        # Let the server notice the loss before the application returns, so it neither
        # answers 500 nor reports an unfinished answer.
        await asyncio.sleep(0)
        return
    import httpx  # only here: loading httpx costs start-up time and memory a sandbox mostly never needs

    raise httpx.RemoteProtocolError(message)
