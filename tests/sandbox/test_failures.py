"""A write either happens and answers as documented, or does not happen: a listener that
raises after the commit changes nothing the client sees and is listed at
`/__admin/errors` (with the change, and noted on the request's journal entry); a
preparer that refuses stores nothing; a 500 names its failure by a reference unique to it."""

from __future__ import annotations

import logging

from mock_server.engine.errors import ApiError, Problem
from mock_server.engine.state.changes import Change
from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client

CHANNELS = "/cat/channels"


class BrokenListener:
    """Raises on every change it is told of."""

    def __call__(self, change: Change) -> None:
        raise RuntimeError(f"broken on {change.kind}")


def _runtime(client, api: str = "afosto"):
    return client.app.sandbox.apis[api].runtime


async def _errors(client, **params) -> list[dict]:
    answer = await client.get("/__admin/errors", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["count"] == len(body["errors"])
    return body["errors"]


async def test_a_listener_that_raises_leaves_the_write_stored_once_answered_and_listed(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        _runtime(client).feed.subscribe(BrokenListener(), collections=CHANNELS)
        with caplog.at_level(logging.ERROR, logger="mock_server"):
            created = await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "Webshop"})
        assert created.status_code == 200, created.text
        key = created.json()["id"]
        read = await client.get(f"/afosto{CHANNELS}/{key}", headers=AFOSTO)
        assert read.status_code == 200 and read.json()["name"] == "Webshop"
        listed = (await client.get(f"/afosto{CHANNELS}", headers=AFOSTO)).json()
        assert [channel["id"] for channel in listed] == [key]  # stored once
        assert "RuntimeError: broken on created" in caplog.text and "BrokenListener failed on afosto created" in caplog.text

        (failure,) = await _errors(client)
        assert failure["api"] == "afosto" and failure["source"] == "listener"
        assert failure["listener"] == "tests.sandbox.test_failures.BrokenListener"
        assert failure["error"] == {"type": "RuntimeError", "message": "broken on created"}
        assert "Traceback" in failure["traceback"] and "raise RuntimeError" in failure["traceback"]
        assert failure["change"] == {
            "api": "afosto", "account": "demo", "collection": CHANNELS, "path": CHANNELS, "key": key,
            "kind": "created", "origin": "api",
        }
        assert "Webshop" not in str(failure)  # identifiers only, never the object's values
        request = failure["request"]
        assert request["method"] == "POST" and request["path"] == CHANNELS and request["operation"]

        (entry,) = (await client.get("/__admin/requests", params={"note": "errors"})).json()["requests"]
        assert entry["sequence"] == request["journal"] and entry["errors"] == [failure["sequence"]]
        assert entry["status"] == 200 and entry["method"] == "POST"

        # Changing and deleting answer as documented too; each failure is listed, newest last.
        assert (await client.put(f"/afosto{CHANNELS}/{key}", headers=AFOSTO, json={"name": "Shop"})).status_code == 200
        assert (await client.delete(f"/afosto{CHANNELS}/{key}", headers=AFOSTO)).status_code in (200, 204)
        assert (await client.get(f"/afosto{CHANNELS}/{key}", headers=AFOSTO)).status_code == 404
        errors = await _errors(client)
        assert [(e["sequence"], e["change"]["kind"]) for e in errors] == [
            (failure["sequence"], "created"), (failure["sequence"] + 1, "updated"), (failure["sequence"] + 2, "deleted"),
        ]
        assert len((await client.get("/__admin/requests", params={"note": "errors"})).json()["requests"]) == 3
        # A request during which nothing failed carries no note.
        assert "errors" not in (await client.get("/__admin/requests", params={"method": "GET"})).json()["requests"][0]


async def test_a_listener_that_raises_during_a_background_task_leaves_the_record_applied():
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        _runtime(client, "casavi").feed.subscribe(BrokenListener(), collections="/contacts")
        job = (await client.post("/casavi/import", headers=headers, json={"contacts": [{"id": "C-1"}]})).json()["jobId"]
        await client.post("/__admin/jobs/run")
        report = (await client.get(f"/casavi/jobs/{job}", headers=headers)).json()
        assert report["completed"] and report["results"]["contacts"] == {"created": 1, "updated": 0, "failed": 0}
        assert (await client.get("/casavi/contacts/C-1", headers=headers)).status_code == 200
        (failure,) = await _errors(client, api="casavi")
        assert failure["change"]["origin"] == "task" and failure["change"]["key"] == "C-1" and "request" not in failure


async def test_a_preparer_that_refuses_stores_nothing_and_answers_in_the_api_shape():
    async with sandbox_client(no_demo_data=True) as client:
        runtime = _runtime(client)
        told: list[Change] = []
        runtime.feed.subscribe(told.append, collections=CHANNELS)

        def refuse(change: Change) -> None:
            raise ApiError(400, 'body field "name" is refused', [Problem("body", ("name",), "invalid")])

        runtime.feed.prepare(refuse, collections=CHANNELS)
        answer = await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "Webshop"})
        assert answer.status_code == 400
        body = answer.json()
        assert body["code"] == 400 and body["message"] == 'body field "name" is refused'
        assert body["errors"] == {"invalid value": ["name"], "required": []} and body["reference"]
        assert (await client.get(f"/afosto{CHANNELS}", headers=AFOSTO)).json() == []
        assert runtime.store.count("demo", CHANNELS) == 0 and told == []
        assert await _errors(client) == []  # a refusal is an answer, not a failure


async def _failing_create(seed: int) -> tuple[dict, dict, list[dict]]:
    """On a fresh server: a create whose preparer raises unexpectedly (a 500), then a 404."""
    async with sandbox_client(no_demo_data=True, seed=seed) as client:
        def crash(change: Change) -> None:
            raise ZeroDivisionError("a bug")

        _runtime(client).feed.prepare(crash, collections=CHANNELS)
        failed = await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "Webshop"})
        assert failed.status_code == 500
        assert (await client.get(f"/afosto{CHANNELS}", headers=AFOSTO)).json() == []  # nothing stored
        missing = await client.get(f"/afosto{CHANNELS}/nope", headers=AFOSTO)
        assert missing.status_code == 404
        return failed.json(), missing.json(), await _errors(client)


async def test_a_500_reference_names_one_failure_while_4xx_references_follow_the_seed():
    first, first_missing, (first_failure,) = await _failing_create(seed=7)
    second, second_missing, (second_failure,) = await _failing_create(seed=7)
    assert first["reference"] != second["reference"]
    assert first_failure["reference"] == first["reference"] and second_failure["reference"] == second["reference"]
    assert first["reference"] in first["message"] and "/__admin/errors" in first["message"]
    assert first_missing == second_missing  # a refusal is byte-identical for the same seed and requests
    assert first_failure["source"] == "request" and first_failure["error"]["type"] == "ZeroDivisionError"
    assert first_failure["request"]["method"] == "POST" and first_failure["request"]["path"] == CHANNELS


async def test_reset_and_delete_clear_the_failures_of_the_apis_they_name():
    async with sandbox_client(no_demo_data=True) as client:
        _runtime(client).feed.subscribe(BrokenListener(), collections=CHANNELS)
        _runtime(client, "relay").feed.subscribe(BrokenListener(), collections="/addresses")
        relay = {"Authorization": "Bearer demo-relay-key"}
        assert (await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "A"})).status_code == 200
        address = await client.post("/relay/addresses", headers=relay, json={"streetAddress": "Main 1", "postalCode": "1000", "locality": "X", "country": "NL"})
        assert address.status_code < 300, address.text
        assert [e["api"] for e in await _errors(client)] == ["afosto", "relay"]
        assert [e["api"] for e in await _errors(client, api="relay")] == ["relay"]
        assert (await client.get("/__admin/errors", params={"api": "nope"})).status_code == 404

        assert (await client.post("/__admin/reset", params={"api": "afosto"})).status_code == 200
        assert [e["api"] for e in await _errors(client)] == ["relay"]
        assert (await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "B"})).status_code == 200
        assert (await client.delete("/__admin/errors", params={"api": "relay"})).status_code == 204
        assert [e["api"] for e in await _errors(client)] == ["afosto"]
        assert (await client.post("/__admin/reset")).status_code == 200
        assert await _errors(client) == []
        await client.post(f"/afosto{CHANNELS}", headers=AFOSTO, json={"name": "C"})
        assert (await client.delete("/__admin/errors")).status_code == 204
        assert await _errors(client) == []
