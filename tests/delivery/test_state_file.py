"""State that survives a restart: `--state-file`, saved atomically, loaded at start."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.serving.state_file import StateFile, StateFileError, StateKeeper

from .servers import MODULE_COMMAND, clean_environment, start_server

AFOSTO = {"Authorization": "Bearer demo-afosto-token"}


# --- the file ---------------------------------------------------------------------------

def test_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    state = StateFile(tmp_path / "state.json")
    state.write({"afosto": {"accounts": [{"name": "one"}]}})
    state.write({"afosto": {"accounts": [{"name": "two"}]}})
    assert state.read() == {"afosto": {"accounts": [{"name": "two"}]}}
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_keeps_the_last_complete_save(tmp_path, monkeypatch):
    state = StateFile(tmp_path / "state.json")
    state.write({"afosto": {"accounts": [{"name": "kept"}]}})

    def failing_fsync(handle: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        state.write({"afosto": {"accounts": [{"name": "lost"}]}})
    monkeypatch.undo()
    assert state.read() == {"afosto": {"accounts": [{"name": "kept"}]}}
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_no_file_yet_reads_as_none(tmp_path):
    assert StateFile(tmp_path / "state.json").read() is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"afosto": {"accounts": [{"name": "dem', "not valid JSON"),
        (b"", "is empty"),
        (b"[1, 2]", "expected a state export"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path, content, problem):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as error:
        StateFile(path).read()
    message = str(error.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_a_folder_that_cannot_hold_the_file_stops_early(tmp_path):
    with pytest.raises(StateFileError, match="does not exist"):
        StateFile(tmp_path / "missing" / "state.json").check_folder()
    with pytest.raises(StateFileError, match="is a folder"):
        StateFile(tmp_path).check_folder()


# --- the keeper ---------------------------------------------------------------------------

class FakeSandbox:
    """Just what the keeper uses: a revision, the served APIs, export and import."""

    def __init__(self, apis: tuple[str, ...] = ("afosto",)) -> None:
        self.revision = 0
        self.runtimes = {api: None for api in apis}
        self.state: dict[str, Any] = {api: {"accounts": []} for api in apis}
        self.exports = 0

    def export_state(self) -> dict[str, Any]:
        self.exports += 1
        return json.loads(json.dumps(self.state))

    def replace_state(self, document: dict[str, Any]) -> None:
        self.state = dict(document)


def test_keeper_saves_periodically_only_when_the_revision_moved(tmp_path):
    sandbox = FakeSandbox()
    keeper = StateKeeper(sandbox, StateFile(tmp_path / "state.json"), interval=0.05)
    assert keeper.load() is False

    async def scenario() -> None:
        keeper.start()
        await asyncio.sleep(0.2)
        assert sandbox.exports == 0 and not keeper.file.path.exists()
        sandbox.state["afosto"]["accounts"].append({"name": "new"})
        sandbox.revision += 1
        for _ in range(100):
            await asyncio.sleep(0.02)
            if keeper.saved_revision == 1:
                break
        assert keeper.file.read() == sandbox.state
        exports = sandbox.exports
        await asyncio.sleep(0.2)
        assert sandbox.exports == exports  # nothing changed, nothing saved
        sandbox.revision += 1
        sandbox.state["afosto"]["accounts"].append({"name": "at shutdown"})
        await keeper.stop()  # and saves the final state
        assert keeper.saved_revision == 2 and keeper.file.read() == sandbox.state

    asyncio.run(scenario())


def test_keeper_keeps_the_sections_of_apis_not_served_here(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"afosto": {"accounts": [{"name": "a"}]}, "relay": {"accounts": [{"name": "r"}]}}))
    sandbox = FakeSandbox(apis=("afosto",))
    keeper = StateKeeper(sandbox, StateFile(path), interval=5)
    assert keeper.load() is True
    assert sandbox.state == {"afosto": {"accounts": [{"name": "a"}]}}
    assert keeper.save()
    assert json.loads(path.read_text())["relay"] == {"accounts": [{"name": "r"}]}


def test_keeper_removes_temporary_files_a_crash_left(tmp_path):
    leftover = tmp_path / ".state.json.abc123.tmp"
    leftover.write_text("{")
    StateKeeper(FakeSandbox(), StateFile(tmp_path / "state.json"), interval=5).load()
    assert not leftover.exists()


# --- the server, restarted ------------------------------------------------------------------

def _create_channel(url: str, name: str) -> str:
    response = httpx.post(f"{url}/afosto/cat/channels", json={"name": name}, headers=AFOSTO, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def _channel_names(url: str) -> set[str]:
    response = httpx.get(f"{url}/afosto/cat/channels", headers={**AFOSTO, "x-page-size": "100"}, timeout=10)
    return {channel["name"] for channel in response.json()}


@pytest.mark.slow
def test_data_survives_sigterm_and_restart(tmp_path):
    path = tmp_path / "state.json"
    first = start_server(["--state-file", str(path)], tmp_path / "first")
    channel = _create_channel(first.url, "Kept across restarts")
    login = httpx.post(f"{first.url}/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()
    ticket = httpx.post(f"{first.url}/casavi/tickets", json={"id": "T-77", "title": "Durable", "propertyId": "P-00001"},
                        headers={"token": login["token"]})
    assert ticket.status_code in (200, 201), ticket.text
    assert first.stop(signal.SIGTERM) == 0
    assert json.loads(path.read_text())["afosto"]["accounts"]

    second = start_server(["--state-file", str(path)], tmp_path / "second")
    try:
        answer = httpx.get(f"{second.url}/afosto/cat/channels/{channel}", headers=AFOSTO)
        assert answer.status_code == 200 and answer.json()["name"] == "Kept across restarts"
        login = httpx.post(f"{second.url}/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()
        assert httpx.get(f"{second.url}/casavi/tickets/T-77", headers={"token": login["token"]}).json()["title"] == "Durable"
        assert "(loaded;" in second.output()[0]
    finally:
        second.stop()


@pytest.mark.slow
def test_sigkill_after_a_periodic_save_keeps_the_data_up_to_that_save(tmp_path):
    path = tmp_path / "state.json"
    server = start_server(["--state-file", str(path), "--state-save-interval", "2"], tmp_path / "first")
    _create_channel(server.url, "Saved before the crash")
    deadline = time.monotonic() + 30
    while b"Saved before the crash" not in (path.read_bytes() if path.exists() else b""):
        assert time.monotonic() < deadline, "no periodic save"
        time.sleep(0.02)
    _create_channel(server.url, "Written after the last save")
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL

    restarted = start_server(["--state-file", str(path)], tmp_path / "second")
    try:
        names = _channel_names(restarted.url)
        assert "Saved before the crash" in names
        assert "Written after the last save" not in names
    finally:
        restarted.stop()


def test_a_truncated_state_file_stops_the_start_and_stays_untouched(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"afosto": {"accounts": [{"name": "demo", "token": "demo-afosto-token"}], "data": {}}}))
    truncated = path.read_bytes()[:40]
    path.write_bytes(truncated)
    before = path.stat().st_mtime_ns
    result = subprocess.run([*MODULE_COMMAND, "serve", "--port", "0", "--state-file", str(path)],
                            capture_output=True, text=True, env=clean_environment(), timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "not valid JSON" in lines[0], result.stderr
    assert path.read_bytes() == truncated and path.stat().st_mtime_ns == before


def test_a_state_file_naming_unknown_collections_stops_the_start(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"afosto": {"accounts": [{"name": "demo", "token": "t"}], "data": {"demo": {"/nowhere": []}}}}))
    before = path.read_bytes()
    result = subprocess.run([*MODULE_COMMAND, "serve", "--port", "0", "--state-file", str(path)],
                            capture_output=True, text=True, env=clean_environment(), timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "/nowhere" in lines[0], result.stderr
    assert path.read_bytes() == before


def test_the_environment_variable_sets_the_state_file(tmp_path: Path):
    path = tmp_path / "from-env.json"
    server = start_server([], tmp_path / "logs", env=clean_environment(MOCK_SERVER_STATE_FILE=str(path)))
    _create_channel(server.url, "Via the environment")
    assert server.stop() == 0
    assert b"Via the environment" in path.read_bytes()
