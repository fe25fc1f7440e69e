"""The texts Faker wrote for a seed, kept in the cache folder: read back they give the same
values without Faker, a damaged or foreign entry is ignored, and what is kept is bounded."""

from __future__ import annotations

import pytest

from mock_server.engine.values import fake as fake_module
from mock_server.engine.values import kept_texts as kept_module
from mock_server.engine.values.fake import FakeData
from mock_server.engine.values.kept_texts import KeptTexts

SCHEMA = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "firstName": {"type": "string"},
        "city": {"type": "string"},
        "description": {"type": "string"},
        "reference": {"type": "string"},
        "count": {"type": "integer"},
    },
}


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept_module.kept_texts.cache_clear()
    yield
    kept_module.kept_texts.cache_clear()


def _without_faker(monkeypatch):
    def refuse(self):
        raise AssertionError("Faker was asked although the texts were kept")

    monkeypatch.setattr(FakeData, "faker", property(refuse))


def test_kept_texts_read_back_give_the_same_values_without_faker(monkeypatch):
    made = FakeData(11)
    values = [made.value(SCHEMA, f"afosto/default/contacts/{number}") for number in range(5)]
    made.kept_texts.save()

    kept_module.kept_texts.cache_clear()
    _without_faker(monkeypatch)
    again = FakeData(11)
    assert [again.value(SCHEMA, f"afosto/default/contacts/{number}") for number in range(5)] == values


def test_another_seed_does_not_read_the_texts_of_the_first(monkeypatch):
    made = FakeData(11)
    made.value(SCHEMA, "key")
    made.kept_texts.save()
    assert KeptTexts(12).get("key/city\x1fcity") is None
    assert KeptTexts(11).get("key/city\x1fcity") is not None


def test_nothing_is_written_when_nothing_was_added(tmp_path):
    KeptTexts(3).save()
    assert not (tmp_path / "mock-server" / "texts").exists()


def test_a_damaged_entry_is_ignored_and_written_anew(tmp_path):
    made = FakeData(5)
    first = made.value(SCHEMA, "key")
    made.kept_texts.save()
    (entry,) = (tmp_path / "mock-server" / "texts").iterdir()
    entry.write_bytes(entry.read_bytes()[:-5])
    kept_module.kept_texts.cache_clear()
    again = FakeData(5)
    assert again.value(SCHEMA, "key") == first
    again.kept_texts.save()
    assert KeptTexts(5).get("key/city\x1fcity") == first["city"]


def test_an_entry_that_is_not_a_table_of_texts_is_ignored():
    assert kept_module._parsed(b"[1, 2]") == {}
    assert kept_module._parsed(b'{"a": 1}') == {}
    assert kept_module._parsed(b"not json") == {}
    assert kept_module._parsed(b'{"a": "b"}') == {"a": "b"}


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(kept_module, "KEPT_TEXTS_LIMIT", 3)
    kept = KeptTexts(9)
    for number in range(10):
        kept.keep(f"key{number}", "text")
    assert [kept.get(f"key{number}") for number in range(5)] == ["text", "text", "text", None, None]


def test_every_api_of_a_process_shares_the_kept_texts_of_its_seed():
    assert FakeData(21).kept_texts is FakeData(21).kept_texts
    assert FakeData(21).kept_texts is not FakeData(22).kept_texts
    assert fake_module.FakeData(21).kept_texts.seed == 21
