"""Browsing stored state: accounts and collections with counts, one collection's objects
paged, one object, credentials masked unless revealed, percent-decoded segments."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from mock_server.admin.state_browser import masked

from .conftest import AFOSTO, admin_client

FIXTURE = {
    "casavi": {
        "data": {
            "demo": {
                "/tickets": [{"id": "T/1", "title": "Leak"}, {"id": "T-2", "title": "Door"}],
                "/tickets/T%2F1/comments": [{"id": "K-1", "text": "on it"}],
            }
        }
    },
    "afosto": {
        "data": {
            "demo": {
                "/cat/channels": [
                    {"id": f"ch-{n}", "name": f"Channel {n}", "clientSecret": "s3cret", "url": "https://u:pw@hooks.test/x"}
                    for n in range(7)
                ]
            }
        }
    },
}


@pytest.fixture
async def client():
    async with admin_client(no_demo_data=True) as client:
        yield client


async def _loaded(client: httpx.AsyncClient) -> None:
    response = await client.post("/__admin/fixtures", json=FIXTURE)
    assert response.status_code == 200, response.text


async def test_an_api_lists_its_accounts_and_collections_with_counts(client: httpx.AsyncClient):
    await _loaded(client)
    answer = (await client.get("/__admin/state/afosto")).json()
    assert answer["api"] == "afosto"
    demo = next(account for account in answer["accounts"] if account["name"] == "demo")
    assert {"template": "/cat/channels", "path": "/cat/channels", "count": 7} in demo["collections"]


async def test_collections_below_an_object_are_listed_by_their_concrete_path(client: httpx.AsyncClient):
    await client.post("/__admin/fixtures", json={"casavi": {"data": {"demo": {"/tickets": [{"id": "T-9", "title": "x"}], "/tickets/T-9/comments": [{"id": "K-1"}]}}}})
    demo = next(a for a in (await client.get("/__admin/state/casavi")).json()["accounts"] if a["name"] == "demo")
    found = [c for c in demo["collections"] if c["template"].endswith("/comments")]
    assert found and found[0]["path"] == "/tickets/T-9/comments" and found[0]["count"] == 1
    page = (await client.get("/__admin/state/casavi/demo/tickets/T-9/comments")).json()
    assert page["collection"] == "/tickets/T-9/comments" and page["objects"][0]["key"] == "K-1"


async def test_objects_come_paged(client: httpx.AsyncClient):
    await _loaded(client)
    page = (await client.get("/__admin/state/afosto/demo/cat/channels", params={"offset": 2, "limit": 3})).json()
    assert page["count"] == 7 and page["offset"] == 2 and page["limit"] == 3
    assert [entry["key"] for entry in page["objects"]] == ["ch-2", "ch-3", "ch-4"]
    assert page["objects"][0]["object"]["name"] == "Channel 2"
    first = (await client.get("/__admin/state/afosto/demo/cat/channels")).json()
    assert first["offset"] == 0 and first["limit"] == 50 and len(first["objects"]) == 7
    beyond = (await client.get("/__admin/state/afosto/demo/cat/channels", params={"offset": 99})).json()
    assert beyond["objects"] == [] and beyond["count"] == 7


async def test_credentials_are_masked_unless_revealed(client: httpx.AsyncClient):
    await _loaded(client)
    shown = (await client.get("/__admin/state/afosto/demo/cat/channels", params={"key": "ch-0"})).json()
    assert shown["object"]["clientSecret"] == "***"
    assert shown["object"]["url"] == "https://u:***@hooks.test/x"
    assert "s3cret" not in (await client.get("/__admin/state/afosto/demo/cat/channels")).text
    revealed = (await client.get("/__admin/state/afosto/demo/cat/channels", params={"key": "ch-0", "reveal": 1})).json()
    assert revealed["object"]["clientSecret"] == "s3cret" and revealed["object"]["url"] == "https://u:pw@hooks.test/x"


async def test_one_object_and_a_gone_one(client: httpx.AsyncClient):
    await _loaded(client)
    one = (await client.get("/__admin/state/afosto/demo/cat/channels", params={"key": "ch-3"})).json()
    assert one == {"api": "afosto", "account": "demo", "collection": "/cat/channels", "key": "ch-3", "object": one["object"]}
    assert one["object"]["id"] == "ch-3"
    channel = (await client.post("/afosto/cat/channels", json={"name": "Gone soon"}, headers=AFOSTO)).json()
    assert (await client.delete(f"/afosto/cat/channels/{channel['id']}", headers=AFOSTO)).status_code < 300
    gone = await client.get("/__admin/state/afosto/demo/cat/channels", params={"key": channel["id"]})
    assert gone.status_code == 404 and channel["id"] in gone.json()["error"]


async def test_segments_are_percent_decoded_one_by_one(client: httpx.AsyncClient):
    await _loaded(client)
    tickets = (await client.get("/__admin/state/casavi/demo/tickets", params={"key": "T/1"})).json()
    assert tickets["object"]["title"] == "Leak"
    demo = (await client.get("/__admin/state/casavi")).json()["accounts"][0]
    (listed,) = [c for c in demo["collections"] if c["template"].endswith("/comments")]
    assert listed["path"] == "/tickets/T%2F1/comments"  # a fixture's path names its parent literally
    encoded = "/".join(quote(segment, safe="") for segment in listed["path"].split("/"))
    comments = await client.get(f"/__admin/state/casavi/demo{encoded}")
    assert comments.status_code == 200, comments.text
    assert comments.json()["collection"] == listed["path"] and comments.json()["count"] == 1
    assert (await client.get("/__admin/state/casavi/demo/tickets/T/1/comments")).status_code == 404
    assert (await client.get("/__admin/state/casavi/d%65mo/tickets")).json()["account"] == "demo"


async def test_unknown_names_are_404_and_bad_parameters_400(client: httpx.AsyncClient):
    await _loaded(client)
    for path in ("/__admin/state/nope", "/__admin/state/afosto/nobody/cat/channels", "/__admin/state/afosto/demo/no/such",
                 "/__admin/state/afosto/demo"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "error" in response.json()
    for params, name in (({"offset": "-1"}, "offset"), ({"limit": "x"}, "limit"), ({"limit": "0"}, "limit"), ({"reveal": "yes please"}, "reveal")):
        response = await client.get("/__admin/state/afosto/demo/cat/channels", params=params)
        assert response.status_code == 400 and response.json()["error"].startswith(name), params


async def test_browsing_makes_no_demo_data_and_changes_nothing(client: httpx.AsyncClient):
    before = (await client.get("/__admin/state")).json()
    await client.get("/__admin/state/relay")
    await client.get("/__admin/state/relay/demo/orders")
    assert (await client.get("/__admin/state")).json() == before
    assert (await client.post("/__admin/state/relay")).status_code == 405


async def test_the_guard_applies_to_state_browsing():
    async with admin_client(admin_token="tkn") as client:
        assert (await client.get("/__admin/state/afosto")).status_code == 401
        allowed = await client.get("/__admin/state/afosto", headers={"Authorization": "Bearer tkn"})
        assert allowed.status_code == 200


def test_masking_covers_nested_values_and_leaves_others():
    record = {"a": {"accessToken": "x", "list": [{"password": "p"}, {"key": "k"}]}, "token": None, "n": 1,
              "callback": "http://user@host.test/", "mail": "someone@example.test"}
    shown = masked(record, frozenset({"n"}))
    assert shown["a"]["accessToken"] == "***" and shown["a"]["list"] == [{"password": "***"}, {"key": "k"}]
    assert shown["token"] is None and shown["n"] == "***"
    assert shown["callback"] == "http://user@host.test/" and shown["mail"] == "someone@example.test"
    assert record["a"]["accessToken"] == "x"
