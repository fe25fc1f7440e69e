"""Override rules and injected faults, over HTTP: scripted answers for the first N calls,
delays, dropped and cut connections, 429/503, contract checks, reset, the journal."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.live import live_server
from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client

CHANNELS = {"api": "afosto", "method": "POST", "path": "/cat/channels"}


async def add(client: httpx.AsyncClient, rule: dict) -> dict:
    answer = await client.post("/__admin/overrides", json=rule)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_first_n_matches_get_the_scripted_status_then_the_stateful_answer():
    async with sandbox_client(no_demo_data=True) as client:
        rule = await add(client, {**CHANNELS, "times": 2, "response": {"status": 503}})
        assert rule["remaining"] == 2 and rule["fired"] == 0
        first = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"})
        second = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"})
        for answer in (first, second):
            assert answer.status_code == 503
            body = answer.json()
            assert body["code"] == 503 and body["message"] == "Service Unavailable"
            assert set(body) == {"code", "message", "reference", "errors"}
        third = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"})
        assert third.status_code == 200 and third.json()["name"] == "Webshop"
        listed = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
        assert [channel["name"] for channel in listed] == ["Webshop"]  # the 503s created nothing
        rules = (await client.get("/__admin/overrides")).json()["overrides"]
        assert rules[0]["fired"] == 2 and rules[0]["remaining"] == 0


async def test_a_scripted_body_and_headers_are_answered_as_given():
    async with sandbox_client(no_demo_data=True) as client:
        created = (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Real"})).json()
        scripted = {"id": created["id"], "name": "Scripted", "type": "web"}
        await add(client, {
            "api": "afosto", "operation": "viewChannel", "times": 1,
            "response": {"status": 200, "headers": {"x-page": "9"}, "body": scripted},
        })
        answer = await client.get(f"/afosto/cat/channels/{created['id']}", headers=AFOSTO)
        assert answer.status_code == 200 and answer.json() == scripted and answer.headers["x-page"] == "9"
        again = await client.get(f"/afosto/cat/channels/{created['id']}", headers=AFOSTO)
        assert again.json()["name"] == "Real"


async def test_an_error_status_takes_the_message_given_in_the_apis_error_shape():
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        await add(client, {"api": "casavi", "method": "GET", "path": "/contacts", "response": {"status": 400, "message": "page is out of range"}})
        answer = await client.get("/casavi/contacts", headers=headers)
        assert answer.status_code == 400
        assert answer.json() == {"statusCode": 400, "error": "Bad Request", "message": "page is out of range"}


async def test_a_delay_holds_the_answer_back_and_then_answers_as_usual():
    async with sandbox_client() as client:
        await add(client, {"api": "afosto", "method": "GET", "path": "/cat/channels", "times": 1, "delay_ms": 300})
        started = time.perf_counter()
        answer = await client.get("/afosto/cat/channels", headers=AFOSTO)
        waited = time.perf_counter() - started
        assert answer.status_code == 200 and len(answer.json()) == 3
        assert 0.3 <= waited < 5
        started = time.perf_counter()
        await client.get("/afosto/cat/channels", headers=AFOSTO)
        assert time.perf_counter() - started < 0.3
        entry = (await client.get("/__admin/requests", params={"note": "override"})).json()["requests"][0]
        assert entry["override"] == {"rule": "1", "delay_ms": 300.0} and entry["duration_ms"] >= 300


async def test_a_random_delay_stays_within_its_range_and_repeats_under_the_seed():
    async def delays(seed: int) -> list[float]:
        async with sandbox_client(seed=seed) as client:
            await add(client, {"api": "afosto", "method": "GET", "path": "/cat/channels", "delay_ms": [10, 60]})
            for _ in range(4):
                await client.get("/afosto/cat/channels", headers=AFOSTO)
            entries = (await client.get("/__admin/requests", params={"note": "override"})).json()["requests"]
            return [entry["override"]["delay_ms"] for entry in entries]

    first = await delays(7)
    assert len(first) == 4 and all(10 <= delay <= 60 for delay in first) and len(set(first)) > 1
    assert await delays(7) == first
    assert await delays(8) != first


async def test_a_429_fault_carries_retry_after_and_503_is_available_too():
    async with sandbox_client() as client:
        await add(client, {**CHANNELS, "times": 1, "fault": "rate_limit", "retry_after": 7})
        await add(client, {**CHANNELS, "times": 1, "fault": "unavailable"})
        limited = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})
        assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
        assert limited.json()["code"] == 429 and limited.json()["message"] == "Too Many Requests"
        unavailable = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})
        assert unavailable.status_code == 503 and "retry-after" not in unavailable.headers
        assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})).status_code == 200


def test_a_dropped_connection_is_a_transport_error_and_nothing_is_created():
    app_settings = {"no_demo_data": True, "frozen_time": "2026-01-02T03:04:05.678Z"}
    from mock_server.app import create_app

    with live_server(create_app(**app_settings)) as url, httpx.Client(base_url=url) as client:
        assert client.post("/__admin/overrides", json={**CHANNELS, "times": 1, "fault": "drop"}).status_code == 201
        with pytest.raises(httpx.TransportError) as dropped:
            client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "lost"})
        assert isinstance(dropped.value, httpx.RemoteProtocolError)
        assert client.get("/afosto/cat/channels", headers=AFOSTO).json() == []
        assert client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "kept"}).status_code == 200
        entry = client.get("/__admin/requests", params={"note": "override"}).json()["requests"][0]
        assert entry["status"] == 0 and entry["override"] == {"rule": "1", "fault": "drop"}


def test_a_truncated_answer_breaks_off_and_a_malformed_one_is_not_json():
    from mock_server.app import create_app

    with live_server(create_app()) as url, httpx.Client(base_url=url) as client:
        whole = client.get("/afosto/cat/channels", headers=AFOSTO)
        rule = {"api": "afosto", "method": "GET", "path": "/cat/channels", "times": 1}
        client.post("/__admin/overrides", json={**rule, "fault": "truncate"})
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message body"):
            client.get("/afosto/cat/channels", headers=AFOSTO)
        client.post("/__admin/overrides", json={**rule, "fault": "malformed"})
        malformed = client.get("/afosto/cat/channels", headers=AFOSTO)
        assert malformed.status_code == 200 and malformed.content == whole.content[: len(whole.content) // 2]
        with pytest.raises(json.JSONDecodeError):
            malformed.json()
        assert client.get("/afosto/cat/channels", headers=AFOSTO).content == whole.content


async def test_in_process_clients_see_the_same_transport_errors():
    async with sandbox_client() as client:
        await add(client, {"api": "afosto", "method": "GET", "path": "/cat/channels", "times": 1, "fault": "drop"})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/afosto/cat/channels", headers=AFOSTO)
        await add(client, {"api": "afosto", "method": "GET", "path": "/cat/channels", "times": 1, "fault": "truncate"})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/afosto/cat/channels", headers=AFOSTO)
        assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200


async def test_an_answer_the_contract_does_not_document_is_refused_unless_unchecked():
    async with sandbox_client() as client:
        refused = [
            ({**CHANNELS, "response": {"status": 429}}, "response.status: createChannel (POST /cat/channels) does not document 429"),
            ({**CHANNELS, "response": {"status": 200, "body": {"id": 5}}}, 'body field "id" must be a string'),
            ({**CHANNELS, "response": {"status": 200}}, "has a body; give one"),
            ({"api": "afosto", "method": "DELETE", "path": "/cat/channels/{id}", "response": {"status": 204, "body": {}}}, "has no body"),
            ({"api": "casavi", "response": {"status": 404}}, "does not document 404"),
        ]
        for rule, message in refused:
            answer = await client.post("/__admin/overrides", json=rule)
            assert answer.status_code == 400 and message in answer.json()["error"], (rule, answer.text)
        assert (await client.get("/__admin/overrides")).json()["count"] == 0
        await add(client, {**CHANNELS, "times": 1, "unchecked": True, "response": {"status": 429, "body": {"oops": True}}})
        answer = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})
        assert answer.status_code == 429 and answer.json() == {"oops": True}


async def test_bad_rules_are_refused_with_the_field_named():
    async with sandbox_client() as client:
        cases = [
            ({**CHANNELS}, 'rule: a rule needs "response", "fault" or "delay_ms"'),
            ({**CHANNELS, "times": 0, "fault": "drop"}, "times: Input should be greater than or equal to 1"),
            ({**CHANNELS, "fault": "explode"}, "fault: Input should be"),
            ({**CHANNELS, "delay_ms": [50, 10]}, "delay_ms: must be a number or [min, max]"),
            ({**CHANNELS, "path": "/cat/nothing", "fault": "drop"}, "path: no operation of afosto has the path /cat/nothing"),
            ({**CHANNELS, "method": "PATCH", "fault": "drop"}, "method: no PATCH operation at /cat/channels (there: GET, POST)"),
            ({"api": "afosto", "operation": "nope", "fault": "drop"}, "operation: afosto has no operation 'nope'"),
            ({"path": "/cat/channels", "fault": "drop"}, "api: name the API the rule is for"),
            ({"api": "shop", "fault": "drop"}, "api: 'shop' is not served here"),
            ({**CHANNELS, "account": "ghost", "fault": "drop"}, "account: afosto has no account 'ghost'"),
            ({**CHANNELS, "fault": "drop", "colour": "red"}, "colour: Extra inputs are not permitted"),
            ({**CHANNELS, "response": {"status": 503, "headers": {"X-A": "one\r\ntwo"}}}, "response.headers: the value of X-A must be one line"),
            ({**CHANNELS, "response": {"status": 503, "headers": {"Content-Length": "3"}}}, "Content-Length is set by the server"),
            ({**CHANNELS, "response": {"status": 503, "headers": {"bad name": "x"}}}, "'bad name' is not a header name"),
            ({**CHANNELS, "response": {"status": 101}}, "response.status: Input should be greater than or equal to 200"),
        ]
        for rule, message in cases:
            answer = await client.post("/__admin/overrides", json=rule)
            assert answer.status_code == 400 and message in answer.json()["error"], (rule, answer.text)
        assert (await client.post("/__admin/overrides", content=b"{nope", headers={"content-type": "application/json"})).status_code == 400
        assert (await client.post("/__admin/overrides", json=[1])).status_code == 400


async def test_rules_are_listed_read_deleted_and_cleared():
    async with sandbox_client() as client:
        first = await add(client, {**CHANNELS, "fault": "drop"})
        named = await add(client, {"id": "slow-lists", "api": "casavi", "method": "GET", "path": "/contacts", "delay_ms": 5})
        assert (first["id"], named["id"]) == ("1", "slow-lists")
        taken = await client.post("/__admin/overrides", json={"id": "slow-lists", **CHANNELS, "fault": "drop"})
        assert taken.status_code == 409
        assert [rule["id"] for rule in (await client.get("/__admin/overrides")).json()["overrides"]] == ["1", "slow-lists"]
        assert (await client.get("/__admin/overrides", params={"api": "casavi"})).json()["count"] == 1
        assert (await client.get("/__admin/overrides/slow-lists")).json()["delay_ms"] == 5
        assert (await client.delete("/__admin/overrides/1")).status_code == 204
        assert (await client.delete("/__admin/overrides/1")).status_code == 404
        assert (await client.get("/__admin/overrides/1")).status_code == 404
        assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})).status_code == 200
        await add(client, {**CHANNELS, "fault": "drop"})
        assert (await client.delete("/__admin/overrides", params={"api": "casavi"})).status_code == 204
        assert [rule["api"] for rule in (await client.get("/__admin/overrides")).json()["overrides"]] == ["afosto"]
        assert (await client.delete("/__admin/overrides")).status_code == 204
        assert (await client.get("/__admin/overrides")).json() == {"count": 0, "overrides": []}


async def test_reset_clears_rules_and_without_rules_the_pipeline_has_no_interceptor():
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["afosto"]
        assert pipeline.interceptors == []
        await add(client, {**CHANNELS, "response": {"status": 503}})
        assert len(pipeline.interceptors) == 1
        assert (await client.post("/__admin/reset", params={"api": "casavi"})).status_code == 200
        assert (await client.get("/__admin/overrides")).json()["count"] == 1  # only casavi was reset
        assert (await client.post("/__admin/reset")).status_code == 200
        assert (await client.get("/__admin/overrides")).json()["count"] == 0
        assert pipeline.interceptors == []
        assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})).status_code == 200


async def test_the_journal_marks_overridden_answers():
    async with sandbox_client() as client:
        await add(client, {**CHANNELS, "times": 1, "response": {"status": 503}})
        await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})
        await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "y"})
        entries = (await client.get("/__admin/requests", params={"operation": "createChannel"})).json()["requests"]
        assert [entry["status"] for entry in entries] == [503, 200]
        assert entries[0]["override"] == {"rule": "1", "status": 503}
        assert "override" not in entries[1]
        marked = (await client.get("/__admin/requests", params={"note": "override"})).json()
        assert marked["count"] == 1 and marked["requests"][0]["sequence"] == entries[0]["sequence"]


async def test_rules_match_on_account_query_body_and_one_object():
    async with sandbox_client(no_demo_data=True) as client:
        await client.post("/__admin/fixtures", json={"afosto": {"accounts": [{"name": "other", "token": "other-token"}]}})
        other = {"Authorization": "Bearer other-token"}
        await add(client, {**CHANNELS, "account": "other", "response": {"status": 503}})
        assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "a"})).status_code == 200
        assert (await client.post("/afosto/cat/channels", headers=other, json={"name": "a"})).status_code == 503
        await client.delete("/__admin/overrides")

        await add(client, {**CHANNELS, "body": {"name": "Broken"}, "response": {"status": 400, "message": "name is taken"}})
        assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Fine"})).status_code == 200
        refused = await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Broken", "type": "web"})
        assert refused.status_code == 400 and refused.json()["message"] == "name is taken"
        await client.delete("/__admin/overrides")

        headers = await casavi_headers(client)
        await add(client, {"api": "casavi", "method": "GET", "path": "/tickets", "query": {"status": "OPEN"}, "response": {"status": 400}})
        assert (await client.get("/casavi/tickets", headers=headers, params={"status": "CLOSED"})).status_code == 200
        assert (await client.get("/casavi/tickets", headers=headers, params=[("status", "CLOSED"), ("status", "OPEN")])).status_code == 400

        channels = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
        target, bystander = channels[0]["id"], channels[1]["id"]
        await add(client, {"api": "afosto", "path": f"/cat/channels/{target}", "method": "GET", "response": {"status": 404}})
        assert (await client.get(f"/afosto/cat/channels/{target}", headers=AFOSTO)).status_code == 404
        assert (await client.get(f"/afosto/cat/channels/{bystander}", headers=AFOSTO)).status_code == 200


async def test_a_probability_picks_the_same_calls_for_the_same_seed():
    async def statuses(seed: int) -> list[int]:
        async with sandbox_client(seed=seed) as client:
            await add(client, {"api": "afosto", "method": "GET", "path": "/cat/channels", "probability": 0.5, "response": {"status": 503}})
            return [(await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code for _ in range(16)]

    first = await statuses(3)
    assert set(first) == {200, 503}
    assert await statuses(3) == first


async def test_rules_load_from_a_fixture_document_checked_before_anything_loads(tmp_path):
    document = {
        "afosto": {"accounts": [{"name": "shop", "token": "shop-token"}]},
        "overrides": [
            {"api": "afosto", "account": "shop", "method": "POST", "path": "/cat/channels", "response": {"status": 503}},
            {"id": "slow", "api": "casavi", "method": "GET", "path": "/contacts", "delay_ms": 1},
        ],
    }
    async with sandbox_client() as client:
        bad = {**document, "overrides": [*document["overrides"], {"api": "afosto", "method": "POST", "path": "/cat/channels", "response": {"status": 418}}]}
        answer = await client.post("/__admin/fixtures", json=bad)
        assert answer.status_code == 400 and "overrides[2].response.status" in answer.json()["error"]
        assert (await client.post("/afosto/cat/channels", headers={"Authorization": "Bearer shop-token"}, json={})).status_code == 401
        assert (await client.get("/__admin/overrides")).json()["count"] == 0
        shape = await client.post("/__admin/fixtures", json={"overrides": [{"api": "afosto", "times": "x"}]})
        assert shape.status_code == 400 and "overrides[0].times" in shape.json()["error"]

        assert (await client.post("/__admin/fixtures", json=document)).status_code == 200
        shop = {"Authorization": "Bearer shop-token"}
        assert (await client.post("/afosto/cat/channels", headers=shop, json={"name": "x"})).status_code == 503
        assert [rule["id"] for rule in (await client.get("/__admin/overrides")).json()["overrides"]] == ["1", "slow"]
        await client.post("/__admin/reset")
        assert (await client.get("/__admin/overrides")).json()["count"] == 0

    path = tmp_path / "rules.yaml"
    path.write_text(json.dumps(document))
    async with sandbox_client(fixtures=[path]) as client:
        shop = {"Authorization": "Bearer shop-token"}
        assert (await client.post("/afosto/cat/channels", headers=shop, json={"name": "x"})).status_code == 503
        await client.delete("/__admin/overrides")
        assert (await client.post("/afosto/cat/channels", headers=shop, json={"name": "x"})).status_code == 200
        await client.post("/__admin/reset")  # start-up fixtures, and their rules, come back
        assert [rule["id"] for rule in (await client.get("/__admin/overrides")).json()["overrides"]] == ["1", "slow"]
        assert (await client.post("/afosto/cat/channels", headers=shop, json={"name": "x"})).status_code == 503


async def test_a_single_api_server_takes_rules_without_api():
    async with sandbox_client(api="afosto") as client:
        rule = await add(client, {"method": "POST", "path": "/cat/channels", "times": 1, "response": {"status": 503}})
        assert rule["api"] == "afosto"
        assert (await client.post("/cat/channels", headers=AFOSTO, json={"name": "x"})).status_code == 503
