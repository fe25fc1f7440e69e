"""JSON in and out: fast, and exact for integers beyond 64 bits.

orjson reads integers longer than 64 bits as floats and refuses to write them; such
bodies go through the standard library instead, so `34258395353591902208` stays an
integer both ways.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_NUMBER = re.compile(rb"\d{19,}")


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ValueError (with a position) when it is not JSON."""
    raw = data.encode() if isinstance(data, str) else data
    if _LONG_NUMBER.search(raw):
        return json.loads(raw)
    return orjson.loads(raw)


def dumps(value: Any) -> bytes:
    """Serialise compactly."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode()
