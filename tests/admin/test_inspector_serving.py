"""`/__admin/ui`: the inspector's page and files from package data, with their headers;
only files inside its folder; no token needed for them, the host check kept."""

from __future__ import annotations

from importlib.resources import files

import httpx
import pytest

from mock_server.admin.ui import CONTENT_SECURITY_POLICY

from .conftest import admin_client

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
FOLDER = files("mock_server.admin").joinpath("inspector")


def _has_page_headers(response: httpx.Response) -> bool:
    return all(response.headers.get(name) == value for name, value in HEADERS.items())


def test_the_policy_is_the_strict_one():
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/__admin/ui", "/__admin/ui/", "/__admin/ui/index.html"])
async def test_the_page_is_served_with_its_headers(client: httpx.AsyncClient, path: str):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert _has_page_headers(response)
    assert response.content == FOLDER.joinpath("index.html").read_bytes()
    assert b"/__admin/ui/app.js" in response.content


async def test_every_file_of_the_folder_is_served_with_its_type(client: httpx.AsyncClient):
    names = [entry.name for entry in FOLDER.iterdir() if entry.is_file()]
    names += [f"panels/{entry.name}" for entry in FOLDER.joinpath("panels").iterdir()]
    assert "app.js" in names and "inspector.css" in names and "panels/requests.js" in names
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8"}
    for name in names:
        response = await client.get(f"/__admin/ui/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == types[name[name.rfind("."):]]
        assert _has_page_headers(response), name
        assert response.content == FOLDER.joinpath(*name.split("/")).read_bytes()


@pytest.mark.parametrize("path", [
    "/__admin/ui/nothing.js", "/__admin/ui/../routes.py", "/__admin/ui/%2e%2e/routes.py", "/__admin/ui/..%2Froutes.py",
    "/__admin/ui/panels/../../errors.py", "/__admin/ui/panels", "/__admin/ui/panels/", "/__admin/ui/.hidden.js",
    "/__admin/ui/..%5c..%5cguard.py", "/__admin/ui/%00.js", "/__admin/ui/index.html.py", "/__admin/ui/app.js/x",
    "/__admin/ui//etc/passwd", "/__admin/ui/C:%5cwin.js",
])
async def test_nothing_outside_the_folder_nor_of_other_kinds_is_served(client: httpx.AsyncClient, path: str):
    response = await client.get(path)
    assert response.status_code == 404, (path, response.text[:200])
    assert response.headers["content-type"] == "application/json"


async def test_the_page_needs_no_token_but_its_data_does():
    async with admin_client(admin_token="tkn") as client:
        assert (await client.get("/__admin/ui")).status_code == 200
        assert (await client.get("/__admin/ui/api.js")).status_code == 200
        assert (await client.get("/__admin/requests")).status_code == 401
        assert (await client.get("/__admin/events")).status_code == 401


async def test_the_host_check_applies_to_the_page_with_or_without_a_token():
    for settings in ({}, {"admin_token": "tkn"}):
        async with admin_client(**settings) as client:
            refused = await client.get("/__admin/ui", headers={"Host": "attacker.example"})
            assert refused.status_code == 403 and "attacker.example" in refused.json()["error"]
            assert (await client.get("/__admin/ui", headers={"Host": "localhost:8080"})).status_code == 200


async def test_no_write_reaches_the_page(client: httpx.AsyncClient):
    assert (await client.post("/__admin/ui", json={})).status_code == 405
    assert (await client.delete("/__admin/ui/app.js")).status_code == 405


async def test_the_page_is_not_journalled(client: httpx.AsyncClient):
    await client.get("/__admin/ui")
    await client.get("/__admin/ui/app.js")
    assert (await client.get("/__admin/requests")).json()["latest"] == 0
