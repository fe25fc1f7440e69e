"""Reading a request's body from ASGI messages: within a size limit, under read deadlines,
whole or spooled to a file as it arrives."""

from __future__ import annotations

from typing import IO, AsyncIterator, Callable

from ..asgi import Message, Receive
from ..errors import ApiError
from .deadlines import ReadDeadlines


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def announces_body(headers: dict[str, str]) -> bool:
    """Whether the request says a body follows (else the server has all of it already)."""
    length = headers.get("content-length")
    return (length is not None and length.strip() != "0") or "transfer-encoding" in headers


async def next_message(receive: Receive, deadlines: ReadDeadlines | None) -> Message:
    """The next piece of the body; 408 when the client stalls or leaves before it is complete."""
    try:
        if deadlines is None:
            message = await receive()
        else:
            message, rest = deadlines.start(receive)
            if rest is not None:
                message = await rest
    except TimeoutError:
        raise ApiError(408, f"the request body stopped arriving for {deadlines.timeout:g} seconds") from None  # type: ignore[union-attr]
    if message["type"] == "http.disconnect":
        raise ApiError(408, "the connection closed before the request body was complete")
    return message


async def whole_body(
    receive: Receive, limit: int, deadlines: ReadDeadlines | None = None, first: Message | None = None
) -> bytes:
    """A request's whole body (from ``first`` on, when a piece was read already):
    BodyTooLarge past ``limit`` bytes, the rest read and dropped so the connection stays
    usable; ApiError(408) when the client stalls (under ``deadlines``) or leaves first."""
    if first is None:
        first = await next_message(receive, deadlines)
        body = first.get("body", b"")
        if not first.get("more_body", False) and len(body) <= limit:
            return body  # the whole body came in one piece, as it mostly does
    return b"".join([chunk async for chunk in chunks(receive, limit, deadlines, first)])


async def chunks(
    receive: Receive, limit: int, deadlines: ReadDeadlines | None, message: Message | None = None
) -> AsyncIterator[bytes]:
    """The body's pieces as they arrive (from ``message`` on, when one was read already);
    BodyTooLarge, the rest read and dropped so the connection stays usable, once they pass
    ``limit`` bytes."""
    size = 0
    while True:
        if message is None:
            message = await next_message(receive, deadlines)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            while message.get("more_body", False):
                message = await next_message(receive, deadlines)
            raise BodyTooLarge(limit)
        yield chunk
        if not message.get("more_body", False):
            return
        message = None


async def spool_body(
    receive: Receive, spool: IO[bytes], limit: int, deadlines: ReadDeadlines | None, hold: Callable[[int], None],
    head_limit: int,
) -> bytes:
    """Write the body to ``spool``; returns its first ``head_limit`` + 1 bytes (for the
    journal). ``hold`` is told of every piece's size first (it may refuse the body by raising)."""
    head = b""
    async for chunk in chunks(receive, limit, deadlines):
        if chunk:
            hold(len(chunk))
            spool.write(chunk)
            if len(head) <= head_limit:
                head += chunk[: head_limit + 1 - len(head)]
    return head
