"""An open inspector tab never holds up the server's shutdown: Ctrl-C (SIGINT) and SIGTERM
end `mock-server serve`, and the proxy, within 1 s while the page's event stream is open."""

from __future__ import annotations

import signal
import time

import pytest
from playwright.sync_api import Page

from tests.browser.inspector import open_inspector, proxy, sandbox
from tests.receiver import refused_port

STOPS_WITHIN_S = 1.0


@pytest.mark.parametrize("server_kind, stop_signal", [
    pytest.param("serve", signal.SIGINT, id="serve-SIGINT"),
    pytest.param("serve", signal.SIGTERM, id="serve-SIGTERM"),
    pytest.param("proxy", signal.SIGINT, id="proxy-SIGINT"),
])
def test_a_server_with_an_open_tab_stops_within_one_second(page: Page, tmp_path, server_kind: str, stop_signal: int):
    start = sandbox([], tmp_path) if server_kind == "serve" else proxy("casavi", f"http://127.0.0.1:{refused_port()}", tmp_path)
    with start as running:
        open_inspector(page, running.url, "#requests")
        page.wait_for_timeout(200)  # the stream is open and idle
        process = running.server.process
        asked = time.monotonic()
        process.send_signal(stop_signal)
        code = process.wait(timeout=30)
        took = time.monotonic() - asked
    # serve ends with status 0; the proxy as a process ended by the signal may (128 + signal)
    assert code in ((0,) if server_kind == "serve" else (0, 128 + stop_signal)), running.server.output()
    assert took < STOPS_WITHIN_S, f"{server_kind} took {took:.2f} s to stop after {signal.Signals(stop_signal).name}"
