"""Request verification: journal filters by operation and body, `mock-server verify`."""

from __future__ import annotations

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.engine.tools.journal import NO_PREDICATE
from mock_server.verification import CallCount, CallPattern, path_matches, verify_calls
from tests.live import live_server
from tests.receiver import refused_port
from tests.http_sandbox import AFOSTO, FROZEN, casavi_headers, sandbox_client

HOOK = {"eventName": "contact_created", "hookUrl": "https://receiver.example.test/hook"}


async def test_the_journal_filters_by_operation_and_body():
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        await client.post("/casavi/hooks", headers=headers, json=HOOK)
        await client.post("/casavi/hooks", headers=headers, json={**HOOK, "eventName": "contact_updated"})
        await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Shop", "tags": ["a", "b"]})

        async def count(**params) -> int:
            answer = await client.get("/__admin/requests", params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()["count"]

        assert await count(operation="createANewWebhookSubscription") == 2
        assert await count(operation="createANewWebhookSubscription", body='{"eventName": "contact_created"}') == 1
        assert await count(body='{"eventName": "contact_archived"}') == 0
        assert await count(body='{"tags": ["b"]}') == 1
        assert await count(body='{"name": "Shop", "tags": ["c"]}') == 0
        bad = await client.get("/__admin/requests", params={"body": "{eventName"})
        assert bad.status_code == 400 and "body must be JSON" in bad.json()["error"]


async def test_a_body_too_long_for_the_journal_matches_no_predicate():
    async with sandbox_client(no_demo_data=True) as client:
        await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x" * 5000})
        answer = await client.get("/__admin/requests", params={"body": '{"name": "' + "x" * 5000 + '"}'})
        assert answer.json()["count"] == 0


def test_patterns_match_whole_paths_templates_query_and_body():
    entry = {
        "api": "casavi", "method": "POST", "path": "/hooks/12", "operation": "x", "status": 200,
        "query": "a=1&a=2", "request_body": '{"eventName": "contact_created", "n": 1}',
    }
    assert CallPattern(path="/hooks/{id}").matches(entry)
    assert not CallPattern(path="/hooks").matches(entry)
    assert CallPattern(method="post", api="casavi", status=200, query={"a": ["2", "1"]}).matches(entry)
    assert not CallPattern(query={"a": "3"}).matches(entry)
    assert CallPattern(body={"n": 1.0}).matches(entry) and not CallPattern(body={"n": True}).matches(entry)
    assert not path_matches("/hooks/{id}", "/hooks/") and path_matches("/a/b", "/a/b/")
    assert CallCount.of().describe() == "at least 1 call" and CallCount.of(exactly=2).holds(2)
    assert not CallCount.of(at_most=1).holds(2)
    with pytest.raises(ValueError):
        CallCount.of(exactly=1, at_least=1)
    result = verify_calls([entry, {**entry, "path": "/other"}], CallPattern(path="/hooks/{id}"), CallCount.of(exactly=1))
    assert result.holds and len(result.matched) == 1 and result.message.endswith("as expected")
    assert CallPattern().body is NO_PREDICATE


def test_verify_asserts_a_call_count_against_a_running_sandbox(capsys):
    app = create_app(no_demo_data=True, frozen_time=FROZEN)
    with live_server(app) as url, httpx.Client(base_url=url) as client:
        token = client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()["token"]
        client.post("/casavi/hooks", headers={"token": token}, json=HOOK)
        client.post("/casavi/hooks", headers={"token": token}, json={**HOOK, "eventName": "contact_updated"})
        hook = ["verify", "--url", url, "--api", "casavi", "--method", "POST", "--path", "/hooks"]
        created = [*hook, "--body", '{"eventName": "contact_created"}']

        assert main([*created, "--count", "1"]) == 0
        out = capsys.readouterr().out
        assert 'casavi: POST /hooks with body containing {"eventName":"contact_created"}: as expected' in out

        assert main([*hook, "--count", "1"]) == 1
        err = capsys.readouterr().err
        assert "2 call(s) to casavi: POST /hooks: expected exactly 1 call" in err and "/hooks" in err

        assert main([*hook, "--at-least", "2"]) == 0
        assert main([*hook, "--at-most", "1"]) == 1
        assert main(["verify", "--url", url, "--method", "DELETE", "--path", "/hooks/{hookId}", "--count", "0"]) == 0
        assert main(["verify", "--url", url, "--operation", "getAccessToken"]) == 0
        assert main(["verify", "--url", url, "--operation", "getAccessToken", "--status", "401"]) == 1
        capsys.readouterr()

        assert main([*hook, "--body", "{not json"]) == 2
        assert "--body is not JSON" in capsys.readouterr().err
        assert main([*hook, "--query", "novalue"]) == 2
    assert main(["verify", "--url", f"http://127.0.0.1:{refused_port()}", "--count", "1"]) == 2
    assert "cannot reach" in capsys.readouterr().err
