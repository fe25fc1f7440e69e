"""Large bodies are read in steps under the same rules as small ones (`jsonio.loads`)."""

from __future__ import annotations

import asyncio

import pytest

from mock_server.engine import jsonio

BODIES = [
    b'{"a": [1, 2, {"b": "c"}], "d": null, "e": true, "f": 1.5e3, "g": -0}',
    b"[]", b"{}", b' [ 1 , 2 ] ', b'"text"', b"12345678901234567890123", b'{"a":\t\n1}',
    b'{"n": [12345678901234567890123, {"m": 98765432109876543210}]}',
    b'{"a": "\\ud83d\\ude00", "\\u00e9": "\xc3\xa9"}', b'{"a": 1, "a": 2}',
]
REFUSED = [
    b"", b"   ", b'{"a": NaN}', b"[1, 2,]", b'{"a" 1}', b'{"a": 1} x', b'{"a": "\\ud800"}', b'{"\\udc00": 1}',
    b"[1e999]", b"\xff", b"[1,2", b"[01]", b'{"a": [{"b": -Infinity}]}', b"{'a': 1}",
]


def _read_in_steps(body: bytes):
    return asyncio.run(jsonio.loads_in_steps(body))


@pytest.mark.parametrize("body", BODIES)
def test_what_is_read_in_steps_equals_what_is_read_at_once(body):
    assert _read_in_steps(body) == jsonio.loads(body)


@pytest.mark.parametrize("body", REFUSED)
def test_what_is_refused_at_once_is_refused_in_steps(body):
    with pytest.raises(jsonio.JsonError):
        jsonio.loads(body)
    with pytest.raises(jsonio.JsonError):
        _read_in_steps(body)


@pytest.mark.parametrize("levels", [63, 64, 65, 600])
@pytest.mark.parametrize("outside", [(b"", b""), (b'{"a": ', b"}"), (b'[[{"a": ', b"}]]"), (b"[[[[", b"]]]]")])
def test_the_nesting_limit_is_the_same_in_steps(levels, outside):
    body = outside[0] + b"[" * levels + b"1" + b"]" * levels + outside[1]
    try:
        expected = ("read", jsonio.loads(body))
    except jsonio.JsonError as error:
        expected = ("refused", str(error))
    try:
        found = ("read", _read_in_steps(body))
    except jsonio.JsonError as error:
        found = ("refused", str(error))
    assert found == expected


def test_refusals_name_where():
    with pytest.raises(jsonio.JsonError, match="line 2 column 5"):
        _read_in_steps(b'{"a": [1,\n    {"b": NaN}]}')
    with pytest.raises(jsonio.JsonError, match="invalid UTF-8 at line 1 column 8"):
        _read_in_steps(b'{"a": "\xff"}')


def test_the_event_loop_gets_turns_while_a_body_is_read(monkeypatch):
    monkeypatch.setattr(jsonio, "READING_STEP", 0.0)
    body = b'{"items": [' + b",".join(b'{"n": %d}' % number for number in range(1000)) + b"]}"

    async def race() -> int:
        turns = 0

        async def other() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)
                turns += 1

        running = asyncio.create_task(other())
        await asyncio.sleep(0)
        value = await jsonio.loads_in_steps(body)
        running.cancel()
        assert len(value["items"]) == 1000
        return turns

    assert asyncio.run(race()) >= 1000
