"""Media types as a request's `Content-Type` names them."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def media_type(content_type: str) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return content_type.split(";")[0].strip().lower()


def is_json_media_type(media: str) -> bool:
    """`application/json`, or a JSON-based type (`application/problem+json`)."""
    return media == "application/json" or media.endswith("+json")
