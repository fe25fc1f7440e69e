"""Real servers for the browser tests and the ways the tests reach the inspector."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from mock_server.testing import SandboxError, wait_until_ready

from tests.delivery.servers import ServerProcess, free_port, run_command, start_server

AFOSTO = {"Authorization": "Bearer demo-afosto-token"}
JOB_DELAY_S = 0.4  # each step of a background task of the shared sandbox waits this long


@dataclass
class Running:
    """A server process and an HTTP client for its API and admin calls."""

    server: ServerProcess
    client: httpx.Client

    @property
    def url(self) -> str:
        return self.server.url

    def reset(self) -> None:
        assert self.client.post("/__admin/reset").status_code == 200

    def latest(self) -> int:
        """The journal's newest sequence number."""
        return int(self.client.get("/__admin/requests", params={"limit": 1}).json()["latest"])

    def casavi_headers(self) -> dict[str, str]:
        answer = self.client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
        assert answer.status_code == 200, answer.text
        return {"token": answer.json()["token"]}


def _admin_client(url: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, timeout=30, headers=headers)


@contextmanager
def sandbox(arguments: Sequence[str], logs: Path, token: str | None = None) -> Iterator[Running]:
    """`mock-server serve` on a free port, stopped at the end of the block."""
    token_argument = [f"--admin-token={token}"] if token else []  # with "=": a random token may start with "-"
    server = start_server([*arguments, *token_argument, "--log-level", "warning"], logs)
    try:
        with _admin_client(server.url, token) as client:
            yield Running(server, client)
    finally:
        server.stop(signal.SIGKILL if server.process.poll() is None else signal.SIGTERM, timeout=30)


@contextmanager
def proxy(api: str, upstream: str, logs: Path) -> Iterator[Running]:
    """`mock-server proxy --api <api> --upstream <upstream>` on a free port."""
    port = free_port()
    process = run_command(
        ["proxy", "--api", api, "--upstream", upstream, "--port", str(port), "--log-level", "warning"], logs
    )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", logs)
    try:
        try:
            wait_until_ready(server.url, process)
        except SandboxError as error:
            raise AssertionError(f"the proxy: {error}: {server.output()}") from None
        with _admin_client(server.url, None) as client:
            yield Running(server, client)
    finally:
        server.stop(signal.SIGKILL, timeout=30)


def open_inspector(page: Page, url: str, route: str = "#overview") -> None:
    """Open the inspector at ``route`` and wait until its event stream is live."""
    page.goto(f"{url}/__admin/ui{route}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each
    (axe is put into the page once per document)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then((results) => results.violations)")
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in found
        if violation["impact"] in ("serious", "critical")
    ]


def show_route(page: Page, route: str) -> None:
    """Go to another view of the open inspector the way its links do (the hash changes)."""
    page.evaluate("route => { window.location.hash = route; }", route)
    page.wait_for_function("route => window.location.hash === route", arg=route)


def settled(page: Page) -> None:
    """Wait until the view has its heading and nothing it shows is still loading."""
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Loading")
