"""Screenshots of the inspector for the README, taken from the real page.

Starts `mock-server serve` on a free port of 127.0.0.1 with a local webhook receiver
that answers the first delivery attempt with 500 and later ones with 200, makes a few
calls to each API (one answered by an override rule, one that finds nothing), subscribes
to an Afosto event and causes it, then drives Chromium (Playwright with the system's
Chromium: nothing is downloaded) and saves PNGs of the overview, the requests panel and
one webhook delivery with both of its attempts.

    pip install -e ".[test,browser]"
    python scripts/inspector_screenshots.py            # writes docs/images/inspector-*.png
    python scripts/inspector_screenshots.py --out /tmp/shots --chromium /usr/bin/chromium
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx

from mock_server.testing import SandboxError, wait_until_ready

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
VIEWPORT = {"width": 1280, "height": 840}
AFOSTO = {"Authorization": "Bearer demo-afosto-token"}
RELAY = {"Authorization": "Bearer demo-relay-key"}
DEMO_CASE = "1e0abcb7-b94c-4072-a9c0-37072a1ef015"


def find_chromium(given: str | None) -> str:
    """--chromium, else MOCK_SERVER_CHROMIUM, else the first Chromium on the PATH."""
    wanted = given or os.environ.get("MOCK_SERVER_CHROMIUM")
    if wanted:
        found = wanted if Path(wanted).is_file() else shutil.which(wanted)
    else:
        found = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if not found:
        raise SystemExit("no Chromium found: install one (apt-get install chromium) or pass --chromium PATH")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def failing_once_receiver() -> Iterator[str]:
    """A webhook receiver on 127.0.0.1 answering 500 to the first request, 200 after; its URL."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(self.path)
            status, payload = (500, b'{"error": "not ready yet"}') if len(received) == 1 else (200, b'{"received": true}')
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def sandbox() -> Iterator[str]:
    """`mock-server serve` from this source tree on a free port; its base URL."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MOCK_SERVER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--allow-http-hooks", "--log-level", "warning"],
        cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_ready(url, process)
        except SandboxError as error:
            raise SystemExit(f"mock-server serve: {error}") from None
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def make_calls(client: httpx.Client, receiver: str) -> str:
    """Calls a client of each API might make; the id of the webhook delivery they cause."""
    subscribed = client.post("/afosto/mes/webhooks/subscriptions", headers=AFOSTO,
                             json={"events": ["order.created"], "endpoint": f"{receiver}/hooks/orders"})
    subscribed.raise_for_status()
    client.post("/afosto/odr/orders", json={"number": "A-1001"}, headers=AFOSTO).raise_for_status()
    token = client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()["token"]
    casavi = {"token": token}
    client.post("/casavi/tickets", json={"id": "T-1", "title": "Leaking pipe", "propertyId": "P-00001"}, headers=casavi)
    client.get("/casavi/tickets/T-1", headers=casavi)
    client.post("/casavi/import", json={"contacts": [{"id": "C-1", "lastName": "Doe"}]}, headers=casavi)
    client.post("/messages/api/v3/case-messages/create", params={"accessToken": "demo-partner-token"},
                json={"guid": DEMO_CASE, "type": "serviceComment", "content": "Hello"})
    rule = {"api": "relay", "method": "GET", "path": "/orders", "response": {"status": 401}, "times": 1}
    client.post("/__admin/overrides", json=rule).raise_for_status()
    client.get("/relay/orders", headers=RELAY)
    client.get("/relay/orders", headers=RELAY)
    client.post("/afosto/cat/channels", json={"name": "Webshop"}, headers=AFOSTO)
    client.get("/afosto/cat/channels/00000000-0000-0000-0000-000000000000", headers=AFOSTO)
    client.get("/casavi/tickets", params={"status": "OPEN"}, headers=casavi)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        deliveries = client.get("/__admin/webhooks").json()["deliveries"]
        if deliveries and deliveries[0]["status"] == "delivered":
            return deliveries[0]["id"]
        time.sleep(0.1)
    raise SystemExit(f"the webhook was not delivered: {deliveries}")


def take_screenshots(url: str, delivery: str, out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    shots = [
        ("inspector-overview.png", "#overview", "Served APIs"),
        ("inspector-requests.png", "#requests", "Requests, newest first"),
        ("inspector-webhooks.png", f"#webhooks/{delivery}", "2 attempts, oldest first"),
    ]
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        page = browser.new_page(viewport=VIEWPORT, color_scheme="light", reduced_motion="reduce")
        for name, route, shown in shots:
            page.goto(f"{url}/__admin/ui{route}")
            expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)
            expect(page.locator("main")).to_contain_text(shown, timeout=15_000)
            expect(page.locator("main")).not_to_contain_text("Loading", timeout=15_000)
            page.wait_for_timeout(2500)  # rows that came in live lose their highlight
            page.screenshot(path=str(out / name))
            saved.append(out / name)
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images", help="folder for the PNGs (default docs/images)")
    parser.add_argument("--chromium", help="the Chromium binary (default: MOCK_SERVER_CHROMIUM, else chromium on the PATH)")
    arguments = parser.parse_args()
    chromium = find_chromium(arguments.chromium)
    arguments.out.mkdir(parents=True, exist_ok=True)
    with failing_once_receiver() as receiver, sandbox() as url, httpx.Client(base_url=url, timeout=30) as client:
        delivery = make_calls(client, receiver)
        for path in take_screenshots(url, delivery, arguments.out, chromium):
            print(path)


if __name__ == "__main__":
    main()
