"""`mock-server serve` in a subprocess, started and stopped the way a user does it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import httpx

from mock_server.testing import SandboxError, wait_until_ready

REPO = Path(__file__).resolve().parents[2]
MODULE_COMMAND = (sys.executable, "-m", "mock_server")
GUID = "1e0abcb7-b94c-4072-a9c0-37072a1ef015"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without MOCK_SERVER_* settings, plus `extra`."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MOCK_SERVER_")}
    environment.update(extra)
    return environment


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str
    logs: Path

    def output(self) -> tuple[str, str]:
        return (self.logs / "stdout.txt").read_text(), (self.logs / "stderr.txt").read_text()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)


def run_command(arguments: Sequence[str], logs: Path, command: Sequence[str] = MODULE_COMMAND, **options) -> subprocess.Popen:
    logs.mkdir(parents=True, exist_ok=True)
    options.setdefault("env", clean_environment())
    with open(logs / "stdout.txt", "w") as stdout, open(logs / "stderr.txt", "w") as stderr:
        return subprocess.Popen([*command, *arguments], stdout=stdout, stderr=stderr, **options)


def start_server(arguments: Sequence[str], logs: Path, command: Sequence[str] = MODULE_COMMAND, timeout: float = 60, **options) -> ServerProcess:
    """Start `serve` on a free port and wait until its health check answers."""
    port = free_port()
    process = run_command(["serve", "--port", str(port), *arguments], logs, command, **options)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", logs)
    try:
        wait_until_ready(server.url, process, timeout)
    except SandboxError as error:
        server.stop(signal.SIGKILL)
        raise AssertionError(f"{error}: {server.output()}") from None
    return server


def one_call_per_api(url: str) -> dict[str, int]:
    """Status of one authenticated read per API (and casavi's login)."""
    with httpx.Client(base_url=url, timeout=10) as client:
        login = client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
        token = login.json().get("token", "") if login.status_code == 200 else ""
        return {
            "casavi": client.get("/casavi/contacts", headers={"token": token}).status_code,
            "afosto": client.get("/afosto/cat/channels", headers={"Authorization": "Bearer demo-afosto-token"}).status_code,
            "relay": client.get("/relay/orders", headers={"Authorization": "Bearer demo-relay-key"}).status_code,
            "messages": client.get(
                "/messages/api/v3/case-messages", params={"accessToken": "demo-partner-token", "guid": GUID}
            ).status_code,
        }
