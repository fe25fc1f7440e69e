"""Connections that stop sending, against a real server started by `mock-server serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

READ_TIMEOUT = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--read-timeout", str(READ_TIMEOUT), "--log-level", "warning"],
        env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"server did not start: {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.1)
    yield port
    process.terminate()
    process.communicate(timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed the connection in time, and what it sent before."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return True, received


def _health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=2) as response:
        return response.status


@pytest.mark.parametrize(
    "opening",
    [b"", b"GET /__admin/health HTTP/1.1\r\nHost: localhost\r\n", b"G"],
    ids=["nothing sent", "headers never finished", "one byte"],
)
def test_a_silent_connection_is_closed(server, opening):
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(opening)
        started = time.monotonic()
        closed, received = _closed_within(sock, READ_TIMEOUT + 5)
        assert closed and received == b"", received
        assert time.monotonic() - started < READ_TIMEOUT + 4
    assert _health(server) == 200


def test_a_body_shorter_than_its_length_gets_408_and_is_not_stored(server):
    request = (
        b"POST /afosto/cat/channels HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer demo-afosto-token\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" + b'{"name": "half"}'
    )
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(request)
        closed, received = _closed_within(sock, READ_TIMEOUT + 5)
    assert closed and received.startswith(b"HTTP/1.1 408"), received
    assert json.loads(received.split(b"\r\n\r\n", 1)[1])["code"] == 408
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/__admin/state?api=afosto", timeout=2) as response:
        assert b'"half"' not in response.read()


def test_other_clients_are_answered_while_connections_stall(server):
    stalled = [socket.create_connection(("127.0.0.1", server)) for _ in range(20)]
    try:
        for sock in stalled:
            sock.sendall(b"POST /relay/customers HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\n{")
        started = time.monotonic()
        assert _health(server) == 200
        assert time.monotonic() - started < 1
    finally:
        for sock in stalled:
            sock.close()
