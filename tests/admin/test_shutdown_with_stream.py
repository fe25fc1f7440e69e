"""An open inspector tab (an event stream) never holds up a shutdown: `mock-server serve`
and `mock-server proxy` exit within a second of Ctrl-C or SIGTERM, and `LiveSandbox`
stops as quickly, each with a stream open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from mock_server.testing import LiveSandbox
from tests.receiver import refused_port

from .sse import EventReader

LIMIT = 1.0  # seconds from the signal to the end of the process


def _start(arguments: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", *arguments, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server ended at start-up: {process.stdout.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the server did not start")


def _stopped_with_a_stream_open(arguments: list[str], stop: signal.Signals) -> tuple[float, int, str]:
    """Seconds from the signal to the process's end, its exit status and its output."""
    port = refused_port()
    process = _start(arguments, port)
    try:
        with EventReader(f"http://127.0.0.1:{port}") as reader:
            assert reader.status == 200
            signalled = time.monotonic()
            process.send_signal(stop)
            status = process.wait(timeout=10)
            took = time.monotonic() - signalled
            assert reader.ended.wait(2), "the stream did not end"
    finally:
        if process.poll() is None:
            process.kill()
    return took, status, process.stdout.read().decode()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_stops_promptly_with_a_stream_open(stop):
    took, status, output = _stopped_with_a_stream_open(["serve"], stop)
    print(f"serve stopped {took:.3f} s after {stop.name} with a stream open")
    assert status == 0, output
    assert took < LIMIT, output
    assert "Waiting for connections to close" not in output


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_proxy_stops_promptly_with_a_stream_open(stop):
    upstream = f"http://127.0.0.1:{refused_port()}"
    took, status, output = _stopped_with_a_stream_open(["proxy", "--api", "casavi", "--upstream", upstream], stop)
    print(f"proxy stopped {took:.3f} s after {stop.name} with a stream open")
    assert took < LIMIT, output
    assert status in (0, -stop, 128 + stop), output


def test_live_sandbox_stops_promptly_with_a_stream_open():
    server = LiveSandbox().start()
    with EventReader(server.url) as reader:
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
        assert reader.ended.wait(2)
    print(f"LiveSandbox.stop took {took:.3f} s with a stream open")
    assert took < LIMIT
