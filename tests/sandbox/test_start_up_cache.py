"""A start adopts the start-up state an earlier start with exactly the same inputs kept,
and shows what loading the fixtures again would have shown; any other start loads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_server import sandbox as sandbox_module
from mock_server.app import create_app
from mock_server.engine.contract.cache import cache_folder

EXTRA_ACCOUNT = "casavi:\n  accounts:\n    - {name: extra, key: extra-key, secret: extra-secret, tenantId: 77}\n"
TICKETS = "casavi:\n  data:\n    demo:\n      /tickets:\n        - {id: T-1, title: Dripping tap}\n"
RULE = "overrides:\n  - {api: afosto, method: GET, path: /cat/channels, response: {status: 503}}\n"


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _entries() -> list[Path]:
    folder = cache_folder("start-up")
    return sorted(folder.glob("start-*.pickle")) if folder.exists() else []


def _fixture(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _loads_refused(monkeypatch) -> None:
    """Loading fixtures fails from now on: a start that still works adopted a kept state."""

    def refuse(*args, **kwargs):
        raise AssertionError("the start-up fixtures were checked again")

    monkeypatch.setattr(sandbox_module, "check_fixture", refuse)


def _checks_counted(monkeypatch) -> list[int]:
    """Each check of the start-up fixtures from now on adds to the list returned."""
    checked: list[int] = []
    original = sandbox_module.check_fixture

    def counted(*args, **kwargs):
        checked.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(sandbox_module, "check_fixture", counted)
    return checked


def _visible(app) -> str:
    return json.dumps(app.sandbox.export_state(), sort_keys=True)


def test_a_second_start_with_the_same_inputs_adopts_the_kept_state(tmp_path, monkeypatch):
    extra = _fixture(tmp_path, EXTRA_ACCOUNT)
    first = create_app(fixtures=[extra], seed=7)
    assert len(_entries()) == 1
    _loads_refused(monkeypatch)
    second = create_app(fixtures=[extra], seed=7, port=9999, log_level="debug")  # serving-only settings differ
    assert _visible(second) == _visible(first)
    assert set(second.sandbox.apis["casavi"].runtime.accounts) == {"demo", "extra"}


async def test_an_adopted_state_serves_and_resets_like_a_loaded_one(tmp_path, monkeypatch):
    import httpx

    extra = _fixture(tmp_path, EXTRA_ACCOUNT)
    loaded = create_app(fixtures=[extra])
    _loads_refused(monkeypatch)
    adopted = create_app(fixtures=[extra])
    answers = []
    for app in (loaded, adopted):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
            token = await client.post("/casavi/authenticate", json={"key": "extra-key", "secret": "extra-secret"})
            headers = {"Authorization": "Bearer demo-afosto-token", "Content-Type": "application/json"}
            made = await client.post("/afosto/cat/channels", headers=headers, json={"name": "Webshop", "type": "web"})
            await client.post("/__admin/reset")
            listed = await client.get("/afosto/cat/channels", headers=headers)
            answers.append((token.status_code, made.json()["id"], listed.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200


@pytest.mark.parametrize(
    ("change", "settings"),
    [
        ("a fixture file's bytes", {}),
        ("the seed", {"seed": 8}),
        ("the storage budget", {"max_store_mb": 5}),
        ("the APIs served", {"api": "casavi"}),
    ],
)
def test_a_start_with_any_other_input_loads_the_fixtures(tmp_path, monkeypatch, change, settings):
    extra = _fixture(tmp_path, EXTRA_ACCOUNT)
    create_app(fixtures=[extra], seed=7)
    if change == "a fixture file's bytes":
        extra.write_text(EXTRA_ACCOUNT.replace("extra-secret", "other-secret"))
    checked = _checks_counted(monkeypatch)
    app = create_app(**{"fixtures": [extra], "seed": 7, **settings})
    assert checked, f"a start with another {change} adopted the kept state"
    if change == "a fixture file's bytes":
        account = app.sandbox.apis["casavi"].runtime.accounts["extra"]
        assert "other-secret" in json.dumps(app.sandbox.export_state(["casavi"]))
        assert account.name == "extra"


@pytest.mark.parametrize(
    ("why", "text"),
    [("it read the clock (stamped objects)", TICKETS), ("it armed an override rule", RULE)],
)
def test_a_loading_that_depends_on_when_it_ran_or_arms_rules_is_not_kept(tmp_path, why, text):
    create_app(fixtures=[_fixture(tmp_path, text)])
    assert _entries() == [], why


def test_a_loading_that_leaves_background_work_is_not_kept(tmp_path):
    from mock_server.start_up_cache import KeptStartUp

    app = create_app(frozen_time="2026-01-02T03:04:05.000Z")
    kept = KeptStartUp(tmp_path / "entry.pickle")
    runtime = app.sandbox.apis["afosto"].runtime
    runtime.start_up_state.tasks.tasks["t-1"] = object()  # what a fixture's queued task leaves
    assert not kept.keep(app.sandbox.apis)
    assert not (tmp_path / "entry.pickle").exists()


def test_a_damaged_entry_is_ignored_and_the_fixtures_load(tmp_path, monkeypatch):
    extra = _fixture(tmp_path, EXTRA_ACCOUNT)
    first = create_app(fixtures=[extra])
    (entry,) = _entries()
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    checked = _checks_counted(monkeypatch)
    second = create_app(fixtures=[extra])
    assert checked
    assert _visible(second) == _visible(first)


def test_an_entry_someone_else_may_write_is_not_read(tmp_path, monkeypatch):
    extra = _fixture(tmp_path, EXTRA_ACCOUNT)
    create_app(fixtures=[extra])
    (entry,) = _entries()
    entry.chmod(0o666)
    checked = _checks_counted(monkeypatch)
    create_app(fixtures=[extra])
    assert checked
