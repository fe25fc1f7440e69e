"""Waiting for a sandbox started as a process of its own (`mock-server serve`, the proxy, a
container) until it answers."""

from __future__ import annotations

import subprocess
import time

import httpx

from .errors import SandboxError

HEALTH_PATH = "/__admin/health"


def wait_until_ready(
    base_url: str, process: subprocess.Popen | None = None, timeout: float = 60.0, interval: float = 0.05
) -> None:
    """Return once `GET <base_url>/__admin/health` answers 200. SandboxError when
    ``process`` (the server's, if given) exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise SandboxError(f"the server exited with status {process.returncode} before it answered")
        try:
            if httpx.get(base_url.rstrip("/") + HEALTH_PATH, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SandboxError(f"{base_url} did not answer within {timeout:g} s")
        time.sleep(interval)
