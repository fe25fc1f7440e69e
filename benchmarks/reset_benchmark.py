"""What a reset costs: in process (`Sandbox.reset`) and over HTTP (`POST /__admin/reset`).

    python benchmarks/reset_benchmark.py [--rounds 300] [--fixtures PATH ...]

Every round first uses all four APIs with their demo data (logs in to casavi, lists and
creates objects, so each API has demo objects, new objects, counters and journal entries
to drop), then times one reset of all APIs. In process the reset is timed alone; over
HTTP it is the whole round trip of `POST /__admin/reset` to a `mock-server serve` on
loopback, on a kept-alive connection. Also shown: the first read of a collection after a
reset, which makes its demo objects again. Over HTTP the round trips are sent by the
standard library's client, next to `GET /__admin/health` (what HTTP alone costs), and by
httpx as `sandbox_server.reset()` sends them (httpx adds its own time to each request).
Prints median and p95 of each, in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_server.app import create_app  # noqa: E402
from mock_server.config import ServerConfig  # noqa: E402

AFOSTO = {"Authorization": "Bearer demo-afosto-token"}
RELAY = {"Authorization": "Bearer demo-relay-key"}
GUID = "1e0abcb7-b94c-4072-a9c0-37072a1ef015"


def use_every_api(client: Any) -> Any:
    """Calls (made with ``client``, sync or async) that fill every API with demo and new data."""
    login = yield client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
    casavi = {"token": login.json()["token"]}
    yield client.get("/casavi/contacts", headers=casavi)
    yield client.get("/casavi/properties", headers=casavi)
    yield client.post("/casavi/tickets", headers=casavi, json={"id": "T-1", "title": "Leak", "propertyId": "P-00001"})
    yield client.get("/afosto/cat/channels", headers=AFOSTO)
    yield client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"})
    yield client.get("/afosto/odr/orders", headers=AFOSTO)
    yield client.get("/relay/orders", headers=RELAY)
    yield client.get("/relay/customers", headers=RELAY)
    yield client.post("/messages/api/v3/case-messages/create", params={"accessToken": "demo-partner-token"},
                      json={"guid": GUID, "type": "reminder"})
    yield client.get("/messages/api/v3/case-messages", params={"accessToken": "demo-partner-token", "guid": GUID})


async def use_in_process(client: httpx.AsyncClient) -> None:
    calls = use_every_api(client)
    response = None
    while True:
        try:
            call = calls.send(response)
        except StopIteration:
            return
        response = await call
        response.raise_for_status()


def use_over_http(client: httpx.Client) -> None:
    calls = use_every_api(client)
    response = None
    while True:
        try:
            response = calls.send(response)
        except StopIteration:
            return
        response.raise_for_status()


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.3f} ms   p95 {p95 * 1000:7.3f} ms   ({len(ordered)} rounds)"


async def in_process(config: ServerConfig, rounds: int) -> tuple[list[float], list[float]]:
    app = create_app(config)
    sandbox = app.sandbox
    resets, first_reads = [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        await use_in_process(client)  # the first demo data pays for loading Faker
        sandbox.reset(list(sandbox.apis))
        for _ in range(rounds):
            await use_in_process(client)
            started = time.perf_counter()
            sandbox.reset(list(sandbox.apis))
            resets.append(time.perf_counter() - started)
            started = time.perf_counter()
            (await client.get("/afosto/cat/channels", headers=AFOSTO)).raise_for_status()
            first_reads.append(time.perf_counter() - started)
        await sandbox.close()
    return resets, first_reads


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def over_http(fixtures: list[Path], rounds: int) -> dict[str, list[float]]:
    """Round trips to a `mock-server serve` on loopback: the reset and, for comparison, the
    health check, each sent by the standard library's client (what the server costs) and
    by httpx (what `sandbox_server.reset()` sends)."""
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--log-level", "warning"]
    for path in fixtures:
        command += ["--fixtures", str(path)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    timings: dict[str, list[float]] = {"reset": [], "health": [], "reset (httpx)": []}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/__admin/health").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            plain = http.client.HTTPConnection("127.0.0.1", port)
            use_over_http(client)
            client.post("/__admin/reset").raise_for_status()
            for _ in range(rounds):
                use_over_http(client)
                timings["reset"].append(round_trip(plain, "POST", "/__admin/reset"))
                timings["health"].append(round_trip(plain, "GET", "/__admin/health"))
                use_over_http(client)
                started = time.perf_counter()
                client.post("/__admin/reset").raise_for_status()
                timings["reset (httpx)"].append(time.perf_counter() - started)
            plain.close()
    finally:
        server.terminate()
        server.wait(10)
    return timings


def round_trip(connection: http.client.HTTPConnection, method: str, path: str) -> float:
    started = time.perf_counter()
    connection.request(method, path, body=b"" if method == "POST" else None)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path} answered {response.status}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300, help="resets timed per figure (default 300)")
    parser.add_argument("--fixtures", type=Path, action="append", default=[], help="start-up fixture file (repeatable)")
    args = parser.parse_args()
    resets, first_reads = asyncio.run(in_process(ServerConfig(fixtures=args.fixtures), args.rounds))
    print("all four APIs, demo data used before each reset")
    print(f"  reset in process (Sandbox.reset)                  {summary(resets)}")
    print(f"  first read after it (demo channels made again)    {summary(first_reads)}")
    timings = over_http(args.fixtures, args.rounds)
    print(f"  POST /__admin/reset over HTTP (round trip)        {summary(timings['reset'])}")
    print(f"  GET /__admin/health over HTTP, for comparison     {summary(timings['health'])}")
    print(f"  POST /__admin/reset sent by httpx                 {summary(timings['reset (httpx)'])}")


if __name__ == "__main__":
    main()
