"""JSON in and out, under one set of rules for every body the sandbox reads.

Reading is strict: what is not JSON is refused with its position (NaN and Infinity,
lone surrogates, invalid UTF-8, trailing data), and so is nesting deeper than
`MAX_DEPTH` levels. Integers of any length are kept exactly: orjson reads integers
beyond 64 bits as floats, so a body holding one is read again by the standard library
once orjson has vouched for it.

A large body is read in steps (`loads_in_steps`) under the same rules, so other requests
are answered while it is read.

Writing is strict too: a value that cannot be written as JSON raises `NotJson`
instead of being written some other way, so nothing that cannot be sent back is ever
stored (the store writes every object it keeps, see `store.py`).
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from typing import Any

import orjson

# Containers a body may nest: `{"a": [1]}` is 2 levels deep.
MAX_DEPTH = 64
# Fixture documents and state exports wrap objects in a few levels of their own.
MAX_DOCUMENT_DEPTH = MAX_DEPTH + 16

_LONG_DIGITS = 19  # an integer this long may be beyond 64 bits
_LONG_NUMBER = re.compile(rb"\d{%d,}" % _LONG_DIGITS)
_NOT_NUMBERS = (b"NaN", b"Infinity", b"-Infinity")


class JsonError(ValueError):
    """Text that is not JSON under the sandbox's rules; the message names where."""


class NotJson(TypeError):
    """A value that cannot be written as JSON."""


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON strictly; raises JsonError naming the problem and its position."""
    raw = data if type(data) is bytes else data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
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
    if len(raw) >= _LONG_DIGITS and _LONG_NUMBER.search(raw):
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
    try:
        return json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
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
    _refuse_nesting(value, max_depth)


def _refuse_nesting(value: Any, max_depth: int, limit: int | None = None) -> None:
    """JsonError when ``value`` nests more than ``max_depth`` levels (``limit``: the limit
    named in the message, where ``value`` sits inside a document)."""
    level = [value] if type(value) is dict or type(value) is list else []
    for _ in range(max_depth):
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            below += [child for child in children if type(child) is dict or type(child) is list]
        if not below:
            return
        level = below
    raise JsonError(f"nesting deeper than {limit or max_depth} levels")


# --- large bodies, read in steps ----------------------------------------------------------

# Containers this many levels deep or less are read member by member; deeper values whole.
_STEPPED_LEVELS = 2
# Seconds of reading between two turns of the event loop.
READING_STEP = 0.002
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


async def loads_in_steps(data: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`loads` under the same rules, for large bodies: the outer containers are read member
    by member, giving the event loop a turn every `READING_STEP` seconds, so reading a body
    of many megabytes holds up other requests for no longer than a step (or one member).

    (orjson reads a body in one call that keeps every other thread waiting, so a worker
    thread would not help; the standard library's reader of single values is used instead.)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise JsonError(f"invalid UTF-8 at line {line} column {column}") from None
    reader = _SteppedReader(text, max_depth, READING_STEP)
    position = reader.skip(0)
    value, position = await reader.value(position, 1)
    if reader.skip(position) != len(text):
        raise reader.error("unexpected content after the JSON value", position)
    return value


class _SteppedReader:
    def __init__(self, text: str, max_depth: int, step: float) -> None:
        self.text = text
        self.max_depth = max_depth
        self.step = step
        self.decoder = json.JSONDecoder(parse_float=_finite_float, parse_constant=_no_constant)
        self.since = time.perf_counter()

    def skip(self, position: int) -> int:
        return _WHITESPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def error(self, message: str, position: int) -> JsonError:
        line = self.text.count("\n", 0, position) + 1
        column = position - (self.text.rfind("\n", 0, position) + 1) + 1
        return JsonError(f"{message} at line {line} column {column}")

    async def value(self, position: int, depth: int) -> tuple[Any, int]:
        if depth > self.max_depth:
            raise JsonError(f"nesting deeper than {self.max_depth} levels")
        opening = self.text[position : position + 1]
        if depth <= _STEPPED_LEVELS and opening in ("[", "{"):
            return await (self.array(position, depth) if opening == "[" else self.object(position, depth))
        value, end = self.whole(position)
        if self.text.count("[", position, end) + self.text.count("{", position, end) > self.max_depth - depth:
            _refuse_nesting(value, self.max_depth - depth + 1, self.max_depth)
        if _SURROGATE_ESCAPE.search(self.text, position, end):
            _check_strings(value)
        if time.perf_counter() - self.since > self.step:
            await asyncio.sleep(0)
            self.since = time.perf_counter()
        return value, end

    def whole(self, position: int) -> tuple[Any, int]:
        try:
            return self.decoder.raw_decode(self.text, position)
        except json.JSONDecodeError as error:
            raise JsonError(f"{error.msg} at line {error.lineno} column {error.colno}") from None
        except RecursionError:
            raise JsonError(f"nesting deeper than {self.max_depth} levels") from None
        except JsonError as error:  # NaN, Infinity or a number beyond a double, in the value starting here
            raise self.error(str(error), position) from None
        except ValueError:  # an integer longer than Python converts
            raise self.error("an integer has more digits than the sandbox reads (4300)", position) from None

    def separator(self, position: int, closing: str) -> tuple[int, bool]:
        """Past the `,` before the next member, or past ``closing`` (True: the container ends)."""
        position = self.skip(position)
        if self.text.startswith(",", position):
            return self.skip(position + 1), False
        if self.text.startswith(closing, position):
            return position + 1, True
        raise self.error(f"expected ',' or '{closing}'", position)

    async def array(self, position: int, depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        position = self.skip(position + 1)
        if self.text.startswith("]", position):
            return items, position + 1
        while True:
            item, position = await self.value(position, depth + 1)
            items.append(item)
            position, ended = self.separator(position, "]")
            if ended:
                return items, position

    async def object(self, position: int, depth: int) -> tuple[dict[str, Any], int]:
        members: dict[str, Any] = {}
        position = self.skip(position + 1)
        if self.text.startswith("}", position):
            return members, position + 1
        while True:
            if not self.text.startswith('"', position):
                raise self.error("expected a member name in double quotes", position)
            start = position
            name, position = self.whole(position)
            if _SURROGATE_ESCAPE.search(self.text, start, position):
                _check_strings(name)
            position = self.skip(position)
            if not self.text.startswith(":", position):
                raise self.error("expected ':'", position)
            members[name], position = await self.value(self.skip(position + 1), depth + 1)
            position, ended = self.separator(position, "}")
            if ended:
                return members, position


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise JsonError(f"the number {text[:24]} is too large")
    return number


def _no_constant(name: str) -> Any:
    raise JsonError(f"NaN and Infinity are not JSON numbers ({name})")
