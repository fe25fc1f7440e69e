"""The vendor's own JavaScript client (`@afosto/instant-search-client`, npm) searches the
sandbox: installed with npm into a temporary folder, run with node against a real server
on a free loopback port. Skipped, saying why, where node or npm is missing or the
package cannot be downloaded."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

PACKAGE = "@afosto/instant-search-client@1.0.8"
NODE = shutil.which("node")
NPM = shutil.which("npm")
TOKEN = {"Authorization": "Bearer demo-afosto-token"}
NETWORK_TROUBLE = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|proxy", re.IGNORECASE)

pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None,
    reason="the instant-search client check needs node (18 or newer) and npm on the PATH",
)

PROBE = """
const { afostoInstantSearch } = require('@afosto/instant-search-client');

(async () => {
  const client = afostoInstantSearch(process.argv[3], { baseUrl: process.argv[2] });
  const settings = await client.getSettings();
  const first = await client.search([{ indexName: 'products', params: { query: 'SHIRT', hitsPerPage: 2, page: 0 } }]);
  const both = await client.search([
    { indexName: 'products', params: { query: 'shirt', hitsPerPage: 2, page: 1 } },
    { indexName: 'pages', params: { query: 'shirt' } },
  ]);
  const refined = await client.search([{ indexName: 'products', params: {
    query: 'shirt', facets: ['brand', 'price'], facetFilters: [['brand:Acme']], numericFilters: ['price>=10'],
  } }]);
  console.log(JSON.stringify({ settings, first, both, refined }));
})().catch((error) => { console.error(error); process.exit(1); });
"""
PRODUCTS = [
    {"reference": "p1", "title": "Blue shirt", "filters": {"brand": "Acme", "price": 19}},
    {"reference": "p2", "title": "Red shirt", "filters": {"brand": "Globex", "price": 25}},
    {"reference": "p3", "title": "Shirt dress", "filters": {"brand": "Acme", "price": 45}},
    {"reference": "p4", "title": "Wool socks", "filters": {"brand": "Acme", "price": 9}},
]
PAGES = [{"reference": "pg1", "title": "Shirt care"}, {"reference": "pg2", "title": "Returns"}]


def _node_major() -> int:
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout  # type: ignore[list-item]
    match = re.match(r"v(\d+)", version.strip())
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def client_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the client installed from the npm registry."""
    if _node_major() < 18:
        pytest.skip("the instant-search client needs node 18 or newer (it uses the global fetch)")
    folder = tmp_path_factory.mktemp("instant-search-client")
    (folder / "package.json").write_text('{"private": true}', encoding="utf-8")
    try:
        installed = subprocess.run(
            [NPM, "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],  # type: ignore[list-item]
            cwd=folder, capture_output=True, text=True, timeout=240,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm could not install {PACKAGE} within 4 minutes (no network?)")
    if installed.returncode != 0:
        output = installed.stderr + installed.stdout
        if NETWORK_TROUBLE.search(output):
            pytest.skip(f"npm could not download {PACKAGE} (no network?): {output.strip()[-300:]}")
        pytest.fail(f"npm install {PACKAGE} failed:\n{output}")
    (folder / "probe.cjs").write_text(PROBE, encoding="utf-8")
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real sandbox on a free loopback port; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "MOCK_SERVER_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(port), "--job-delay", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/__admin/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the sandbox did not start:\n{process.stdout.read() if process.stdout else ''}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _storefront(url: str) -> None:
    """Two indexes with documents and a proxy `storefront` publishing them, through the API."""
    with httpx.Client(base_url=f"{url}/afosto", headers=TOKEN, timeout=10) as api:
        entries = []
        for name, documents in (("products", PRODUCTS), ("pages", PAGES)):
            index = api.post("/cnt/instant/indexes", json={"name": name}).json()
            assert api.put(f"/cnt/instant/indexes/{index['id']}/documents", json=documents).status_code == 204
            entries.append({"index_id": index["id"], "alias": name})
        assert api.post("/cnt/instant/proxies", json={"key": "storefront", "indexes": entries}).status_code == 201
    assert httpx.post(f"{url}/__admin/jobs/run", timeout=10).status_code == 200


def test_the_vendors_client_finds_hits_counts_and_facets(client_folder: Path, server: str):
    _storefront(server)
    base_url = f"{server}/afosto/cnt/instant/search/{{key}}"
    probe = subprocess.run(
        [NODE, "probe.cjs", base_url, "storefront"],  # type: ignore[list-item]
        cwd=client_folder, capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)

    assert [index["alias"] for index in seen["settings"]["indexes"]] == ["products", "pages"]

    (first,) = seen["first"]["results"]
    assert (first["index"], first["nbHits"], first["nbPages"]) == ("products", 3, 2)
    assert [hit["reference"] for hit in first["hits"]] == ["p1", "p2"]

    products, pages = seen["both"]["results"]
    assert (products["index"], products["nbHits"], [hit["reference"] for hit in products["hits"]]) == ("products", 3, ["p3"])
    assert (pages["index"], pages["nbHits"], [hit["reference"] for hit in pages["hits"]]) == ("pages", 1, ["pg1"])

    (refined,) = seen["refined"]["results"]
    assert refined["nbHits"] == 2 and [hit["reference"] for hit in refined["hits"]] == ["p1", "p3"]
    assert refined["facets"] == {"brand": {"Acme": 2}, "price": {"19": 1, "45": 1}}
    assert refined["facets_stats"]["price"] == {"min": 19, "max": 45, "avg": 32, "sum": 64}
