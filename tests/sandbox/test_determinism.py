"""Same seed, same requests: byte-identical answers."""

from __future__ import annotations

import json

from tests.http_sandbox import AFOSTO, RELAY, sandbox_client

SCRIPT = [
    ("GET", "/afosto/cat/channels", AFOSTO, None),
    ("POST", "/afosto/cat/channels", AFOSTO, {"name": "Webshop"}),
    ("GET", "/afosto/iam/customer", AFOSTO, None),
    ("POST", "/afosto/odr/projection", AFOSTO, {}),
    ("GET", "/relay/orders", RELAY, None),
    ("POST", "/relay/addresses", RELAY, {"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "DE"}),
    ("POST", "/casavi/authenticate", {}, {"key": "demo-key", "secret": "demo-secret"}),
    ("GET", "/messages/api/v3/case-messages?accessToken=demo-partner-token&guid=1e0abcb7-b94c-4072-a9c0-37072a1ef015", {}, None),
    ("POST", "/afosto/cat/channels", AFOSTO, {"name": 5}),
]


async def _play(seed: int) -> list[bytes]:
    answers = []
    async with sandbox_client(seed=seed) as client:
        for method, path, headers, body in SCRIPT:
            response = await client.request(method, path, headers=headers, content=json.dumps(body) if body is not None else None)
            answers.append(response.content)
    return answers


async def test_same_seed_same_bytes():
    assert await _play(7) == await _play(7)


async def test_another_seed_other_demo_data():
    first, second = await _play(7), await _play(8)
    assert first[0] != second[0]


async def test_stored_objects_read_the_same_every_time():
    async with sandbox_client() as client:
        listed = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
        path = f"/afosto/cat/channels/{listed[0]['id']}"
        reads = {(await client.get(path, headers=AFOSTO)).content for _ in range(3)}
        assert len(reads) == 1
        singleton = {(await client.get("/afosto/iam/customer", headers=AFOSTO)).content for _ in range(3)}
        assert len(singleton) == 1


PROCESS_SCRIPT = """
import asyncio, hashlib, json, sys
import httpx
from mock_server.app import create_app
from mock_server.config import ServerConfig

async def main():
    app = create_app(ServerConfig(seed=7, frozen_time="2026-01-02T03:04:05.678Z"))
    digest = hashlib.sha256()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        for method, path, headers, body in json.loads(sys.argv[1]):
            response = await client.request(method, path, headers=headers, content=json.dumps(body) if body is not None else None)
            digest.update(response.content)
        digest.update((await client.get("/__admin/state")).content)
    print(digest.hexdigest())

asyncio.run(main())
"""


def test_separate_processes_agree_byte_for_byte():
    import os
    import subprocess
    import sys

    outputs = {
        subprocess.run(
            [sys.executable, "-c", PROCESS_SCRIPT, json.dumps(SCRIPT)],
            env={**os.environ, "PYTHONHASHSEED": hash_seed}, capture_output=True, text=True, check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1
