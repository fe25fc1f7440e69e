"""JSON in and out, under one set of rules for every body the sandbox reads.

Reading is strict: what is not JSON is refused with its position (NaN and Infinity,
lone surrogates, invalid UTF-8, trailing data), and so is nesting deeper than
`MAX_DEPTH` levels. Integers of any length are kept exactly: orjson reads integers
beyond 64 bits as floats, so a body holding one is read again by the standard library
once orjson has vouched for it.

Writing is strict too: a value that cannot be written as JSON raises `NotJson`
instead of being written some other way, so nothing that cannot be sent back is ever
stored (the store writes every object it keeps, see `store.py`).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import orjson

# Containers a body may nest: `{"a": [1]}` is 2 levels deep.
MAX_DEPTH = 64
# Fixture documents and state exports wrap objects in a few levels of their own.
MAX_DOCUMENT_DEPTH = MAX_DEPTH + 16

_LONG_NUMBER = re.compile(rb"\d{19,}")
_NOT_NUMBERS = (b"NaN", b"Infinity", b"-Infinity")


class JsonError(ValueError):
    """Text that is not JSON under the sandbox's rules; the message names where."""


class NotJson(TypeError):
    """A value that cannot be written as JSON."""


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON strictly; raises JsonError naming the problem and its position."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "number is infinity" not in error.msg:
            raise JsonError(_described(error, raw)) from None
        # A number too large for a double: an integer is kept exactly, a float is refused.
        value = _read_exactly(raw)
        _check_strings(value)
        _refuse_deep(value, raw, max_depth)
        return value
    _refuse_deep(value, raw, max_depth)
    if _LONG_NUMBER.search(raw):
        value = json.loads(raw)  # orjson vouched for the text: only the long integers change
    return value


def dumps(value: Any) -> bytes:
    """Serialise compactly; raises NotJson for anything JSON cannot hold."""
    try:
        return orjson.dumps(value)
    except TypeError:
        pass  # integers beyond 64 bits, or a value that is not JSON at all
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        raise NotJson(f"not JSON: {error}") from None


def copied(value: Any) -> Any:
    """A deep copy of JSON data, made by orjson (several times faster than `copy.deepcopy`,
    which matters for large bodies); anything orjson cannot write is deep-copied as usual."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError:
        return copy.deepcopy(value)


def is_json(value: Any) -> bool:
    """Whether ``value`` can be written as JSON."""
    try:
        dumps(value)
    except NotJson:
        return False
    return True


def _described(error: json.JSONDecodeError, raw: bytes) -> str:
    """`unexpected character at line 1 column 9`, with NaN and Infinity named."""
    where = f"at line {error.lineno} column {error.colno}"
    if raw[error.pos : error.pos + 9].startswith(_NOT_NUMBERS) or raw[max(error.pos - 1, 0) : error.pos + 8] == b"-Infinity":
        return f"NaN and Infinity are not JSON numbers {where}"
    if "depth limit" in error.msg or "recursion" in error.msg:
        return f"nesting deeper than {MAX_DEPTH} levels {where}"
    message = "invalid UTF-8" if error.msg.startswith("str is not valid UTF-8") else error.msg
    return f"{message} {where}"


def _read_exactly(raw: bytes) -> Any:
    """The standard library's reading, under the same rules (for numbers beyond a double)."""

    def refuse(name: str) -> Any:
        raise JsonError(f"NaN and Infinity are not JSON numbers ({name})")

    def finite(text: str) -> float:
        number = float(text)
        if number in (float("inf"), float("-inf")):
            raise JsonError(f"the number {text[:24]} is too large")
        return number

    try:
        return json.loads(raw, parse_float=finite, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise JsonError(_described(error, raw)) from None
    except RecursionError:
        raise JsonError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except JsonError:
        raise
    except ValueError:  # an integer longer than Python converts (4300 digits)
        raise JsonError("an integer has more digits than the sandbox reads (4300)") from None


def _check_strings(value: Any) -> None:
    """Lone surrogates, for text the standard library read (orjson refuses them itself)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise JsonError("a string holds a lone surrogate (\\ud800-\\udfff without its pair)") from None
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _refuse_deep(value: Any, raw: bytes, max_depth: int) -> None:
    # A document with fewer brackets than the limit cannot nest deeper: no walk needed.
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    level = [value] if type(value) is dict or type(value) is list else []
    for _ in range(max_depth):
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            below += [child for child in children if type(child) is dict or type(child) is list]
        if not below:
            return
        level = below
    raise JsonError(f"nesting deeper than {max_depth} levels")
