"""The bounded memo behind the facts the engine works out once (routes, header texts, ...)."""

from __future__ import annotations

from mock_server.engine.memo import BoundedMemo


def test_a_memo_keeps_what_it_is_given_and_reads_as_a_dict():
    memo = BoundedMemo(3)
    assert memo.keep("a", 1) == 1
    assert memo.get("a") == 1 and "a" in memo and memo.get("b") is None


def test_a_full_memo_forgets_everything_before_it_keeps_the_next():
    memo = BoundedMemo(3)
    for number in range(3):
        memo.keep(number, str(number))
    assert len(memo) == 3
    memo.keep("next", "kept")
    assert dict(memo) == {"next": "kept"}
    for number in range(100):
        memo.keep(number, number)
        assert len(memo) <= 3


def test_the_engine_s_memos_are_bounded():
    from mock_server.engine.values import shaping
    from mock_server.engine.values.fake import FakeData

    fake = FakeData(7)
    first = fake.numbered_uuid("p/", 1)
    for number in range(5000):
        fake.numbered_uuid(f"prefix-{number}/", 1)
    assert len(fake._hashed_prefixes) <= fake._hashed_prefixes.most
    assert fake.numbered_uuid("p/", 1) == first == fake.uuid("p/1")  # forgotten, worked out the same again
    assert all(memo.most == shaping.CONFORMING_LIMIT for memo in shaping._CONFORMING.values())
