"""Request headers as text, each distinct short name or value decoded once."""

from __future__ import annotations

from ..memo import BoundedMemo

# Header texts shared between requests: at most this many, of at most this many bytes each.
SHARED_HEADER_BYTES = 256
HEADER_TEXTS: BoundedMemo = BoundedMemo(1024)  # raw name or value -> its text


def header_texts(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Request headers as text by name (ASGI servers give the names in lower case already).

    A client sends the same few names and values with every request: each distinct short
    one is decoded once and its text shared, which spares making a dozen strings per
    request, and freeing them again when the journal lets the request go.
    """
    known = HEADER_TEXTS.get
    return {known(name) or _header_text(name): known(value) or _header_text(value) for name, value in raw}


def _header_text(raw: bytes) -> str:
    text = raw.decode("latin-1")
    return HEADER_TEXTS.keep(raw, text) if len(raw) <= SHARED_HEADER_BYTES else text
