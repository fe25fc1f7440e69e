"""How long one large request holds up the others: the longest event-loop stall while it is answered.

A ticker on the sandbox's event loop wakes every millisecond and records the longest gap
between two wake-ups while one large JSON body (many small objects, or one long string)
is posted to Afosto. Each size is measured with the body read in steps (as served: other
requests are answered between the steps) and read in one call (the threshold raised out
of reach), so the table shows what reading in steps saves and what the rest of the
request (validation, storing, the answer) still costs.

    python benchmarks/large_body_benchmark.py [--sizes 1 4 9]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.engine import pipeline
from mock_server.serving.collector import settle_for_serving

AUTH = {"Authorization": "Bearer demo-afosto-token", "content-type": "application/json"}


def _objects_body(megabytes: float) -> bytes:
    item = {"name": "Product name", "sku": "SKU-123456", "price": 1234, "tags": ["a", "b"], "on": True}
    count = int(megabytes * 1024 * 1024 / len(json.dumps(item)))
    return json.dumps({"name": "bulk", "items": [dict(item, n=n) for n in range(count)]}).encode()


def _string_body(megabytes: float) -> bytes:
    return json.dumps({"name": "bulk", "description": "x" * int(megabytes * 1024 * 1024)}).encode()


async def _longest_stall(body: bytes, threshold: int) -> tuple[float, float]:
    """(longest gap between ticks in ms, time to answer the request in ms)."""
    pipeline.PARSE_IN_STEPS_BYTES = threshold
    app = create_app(ServerConfig(max_store_mb=4096, max_account_store_mb=4096))
    settle_for_serving()  # as `mock-server serve` does once it has started
    longest = 0.0
    running = True

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        await client.post("/afosto/cat/channels", json={"name": "warm-up"}, headers=AUTH)  # first-use costs aside
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.05)
        longest = 0.0
        started = time.perf_counter()
        response = await client.post("/afosto/cat/channels", content=body, headers=AUTH)
        answered = time.perf_counter() - started
        running = False
        await tick
        assert response.status_code == 200, response.text[:200]
    await app.sandbox.close()
    return longest * 1000, answered * 1000


async def main(sizes: list[float]) -> None:
    default = pipeline.PARSE_IN_STEPS_BYTES
    print(f"{'body':<28} {'read in steps':>34} {'read in one call':>34}")
    for size in sizes:
        for kind, make in (("objects", _objects_body), ("one string", _string_body)):
            body = make(size)
            off = await _longest_stall(body, default)
            on = await _longest_stall(body, 1 << 62)
            label = f"{len(body) / 1024 / 1024:.1f} MiB, {kind}"
            print(f"{label:<28} {f'stall {off[0]:6.1f} ms, answer {off[1]:6.0f} ms':>34} {f'stall {on[0]:6.1f} ms, answer {on[1]:6.0f} ms':>34}")
    pipeline.PARSE_IN_STEPS_BYTES = default


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.5, 4, 8], help="body sizes in MiB")
    asyncio.run(main(parser.parse_args().sizes))
