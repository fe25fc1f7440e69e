"""`wait_until_ready`: a server started as a process of its own is waited for until it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from mock_server.app import create_app
from mock_server.testing import SandboxError, wait_until_ready
from tests.live import live_server


def test_a_sandbox_that_answers_is_ready():
    with live_server(create_app()) as url:
        wait_until_ready(url)
        wait_until_ready(url + "/")


def test_a_server_process_that_exits_first_is_named_with_its_status():
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    process.wait()
    with pytest.raises(SandboxError, match="exited with status 3"):
        wait_until_ready("http://127.0.0.1:9", process, timeout=5)


def test_nothing_answering_ends_the_wait_after_the_timeout():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(SandboxError, match=f"127.0.0.1:{port} did not answer within 0.3 s"):
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=0.3)
    assert time.monotonic() - started < 5
