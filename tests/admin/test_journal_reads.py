"""Incremental and single reads of the request journal: `?after=&limit=`, `latest`, and
`GET /__admin/requests/<sequence>`."""

from __future__ import annotations

import httpx

from .conftest import AFOSTO, admin_client


async def _calls(client: httpx.AsyncClient, count: int) -> None:
    for index in range(count):
        response = await client.get(f"/afosto/cat/channels?page={index}", headers=AFOSTO)
        assert response.status_code < 500


async def test_after_gives_only_newer_entries_oldest_first(client: httpx.AsyncClient):
    await _calls(client, 5)
    answer = (await client.get("/__admin/requests", params={"after": 2})).json()
    assert [entry["sequence"] for entry in answer["requests"]] == [3, 4, 5]
    assert answer["latest"] == 5 and answer["count"] == 3


async def test_limit_with_after_takes_the_first_newer_and_without_the_newest(client: httpx.AsyncClient):
    await _calls(client, 6)
    first = (await client.get("/__admin/requests", params={"after": 1, "limit": 2})).json()
    assert [entry["sequence"] for entry in first["requests"]] == [2, 3]
    newest = (await client.get("/__admin/requests", params={"limit": 2})).json()
    assert [entry["sequence"] for entry in newest["requests"]] == [5, 6]
    assert newest["latest"] == 6


async def test_after_combines_with_filters(client: httpx.AsyncClient):
    await _calls(client, 2)
    await client.get("/afosto/nothing-here", headers=AFOSTO)
    await _calls(client, 2)
    answer = (await client.get("/__admin/requests", params={"after": 1, "status": 404})).json()
    assert [entry["sequence"] for entry in answer["requests"]] == [3]


async def test_latest_is_zero_for_an_empty_journal_and_after_a_clear(client: httpx.AsyncClient):
    assert (await client.get("/__admin/requests", params={"limit": 1})).json() == {"count": 0, "latest": 0, "requests": []}
    await _calls(client, 2)
    assert (await client.delete("/__admin/requests")).status_code == 204
    assert (await client.get("/__admin/requests")).json()["latest"] == 0


async def test_after_the_latest_gives_nothing(client: httpx.AsyncClient):
    await _calls(client, 3)
    answer = (await client.get("/__admin/requests", params={"after": 3})).json()
    assert answer["requests"] == [] and answer["latest"] == 3
    assert (await client.get("/__admin/requests", params={"after": 99})).json()["requests"] == []


async def test_bad_after_and_limit_are_refused_naming_the_parameter(client: httpx.AsyncClient):
    for params, name in (({"after": "x"}, "after"), ({"after": "-1"}, "after"), ({"limit": "1.5"}, "limit"),
                         ({"limit": "0"}, "limit"), ({"limit": "٣"}, "limit"), ({"status": "abc"}, "status")):
        response = await client.get("/__admin/requests", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"].startswith(name)


async def test_one_entry_by_sequence_with_credentials_masked(client: httpx.AsyncClient):
    await _calls(client, 2)
    response = await client.get("/__admin/requests/2")
    assert response.status_code == 200
    entry = response.json()
    assert entry["sequence"] == 2 and entry["query"] == "page=1"
    assert entry["request_headers"]["authorization"] == "Bearer ***"


async def test_an_entry_not_kept_is_404_and_a_bad_sequence_400(client: httpx.AsyncClient):
    await _calls(client, 1)
    assert (await client.get("/__admin/requests/2")).status_code == 404
    assert "no request 2" in (await client.get("/__admin/requests/2")).json()["error"]
    assert (await client.get("/__admin/requests/abc")).status_code == 400
    assert (await client.get("/__admin/requests/0")).status_code == 404


async def test_entries_pushed_out_of_a_small_journal_are_404():
    async with admin_client(journal_size=3) as client:
        await _calls(client, 5)
        assert (await client.get("/__admin/requests/2")).status_code == 404
        assert (await client.get("/__admin/requests/3")).json()["sequence"] == 3
        answer = (await client.get("/__admin/requests", params={"after": 0})).json()
        assert [entry["sequence"] for entry in answer["requests"]] == [3, 4, 5]


async def test_a_partial_reset_leaves_gaps_that_single_reads_respect(client: httpx.AsyncClient):
    await client.get("/relay/nothing", headers={"Authorization": "Bearer demo-relay-key"})
    await _calls(client, 1)
    await client.post("/__admin/reset", params={"api": "relay"})
    assert (await client.get("/__admin/requests/1")).status_code == 404
    assert (await client.get("/__admin/requests/2")).json()["api"] == "afosto"
