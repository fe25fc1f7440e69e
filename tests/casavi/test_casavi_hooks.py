"""casavi REST hooks against a real local receiver: events from the changes that cause them,
payloads as documented, Basic auth from the URL, deletion, isolation, retries, slow receivers."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from mock_server.engine.background.outbox import DeliveryPolicy
from tests.receiver import Receiver
from tests.http_sandbox import FROZEN, SECOND_ACCOUNTS, casavi_headers, sandbox_client

EVENTS = ("contact_created", "contact_updated", "contact_archived", "document_downloaded", "contract_enddate_updated")
TENANT = 3215  # the demo account's tenantId (fixtures/accounts.yaml)


@asynccontextmanager
async def hooked(**settings: Any) -> AsyncIterator[Any]:
    """A sandbox that takes http hook URLs, with a second casavi account."""
    async with sandbox_client(allow_http_hooks=True, **settings) as client:
        assert (await client.post("/__admin/fixtures", json={"casavi": SECOND_ACCOUNTS["casavi"]})).status_code == 200
        yield client


async def subscribe(client, headers, event: str, url: str) -> dict[str, Any]:
    response = await client.post("/casavi/hooks", json={"eventName": event, "hookUrl": url}, headers=headers)
    assert response.status_code == 200, response.text
    return {"id": response.json()["id"], "location": response.headers["location"]}


async def imported(client, headers, envelope: dict[str, Any]) -> None:
    """Run an import to its end (deliveries it caused are handed over too)."""
    assert (await client.post("/casavi/import", json=envelope, headers=headers)).status_code == 200
    assert (await client.post("/__admin/jobs/run")).status_code == 200


def unit_with_contract(end: str | None) -> dict[str, Any]:
    contract = {"id": "A-0024", "contactIds": ["C-31076"], "startAt": "2020-09-01", "endAt": end}
    return {"id": "P-00451", "name": "Easy Living", "units": [{"id": "P-00451-0001", "number": "0001", "contracts": [contract]}]}


def bodies(receiver: Receiver) -> list[tuple[str, Any]]:
    return [(request.path.strip("/"), json.loads(request.body)) for request in receiver]


async def test_each_event_arrives_once_with_its_documented_payload():
    with Receiver() as receiver:
        async with hooked() as client:
            headers = await casavi_headers(client)
            for event in EVENTS:
                await subscribe(client, headers, event, f"{receiver.url}/{event}")

            await imported(client, headers, {"contacts": [{"id": "C-31076", "lastName": "Doe"}]})
            ((path, created),) = bodies(receiver)
            assert path == "contact_created"
            assert created == {"id": "C-31076", "internalId": created["internalId"], "isRegistered": False}
            assert isinstance(created["internalId"], int)

            await imported(client, headers, {"contacts": [{"id": "C-31076", "lastName": "Doe"}]})  # nothing changed
            await imported(client, headers, {"contacts": [{"id": "C-31076", "lastName": "Dough", "isRegistered": True}]})
            assert bodies(receiver)[1:] == [("contact_updated", {**created, "isRegistered": True})]

            await imported(client, headers, {"properties": [unit_with_contract("2022-10-01")]})
            assert len(receiver.requests) == 2  # a new contract is no end date change
            await imported(client, headers, {"properties": [unit_with_contract("2023-03-31T00:00:00.000Z")]})
            await imported(client, headers, {"properties": [unit_with_contract("2023-03-31")]})  # the same date
            assert bodies(receiver)[2:] == [(
                "contract_enddate_updated",
                {
                    "contractId": "A-0024", "tenantId": TENANT, "contactId": "C-31076", "propertyId": "P-00451",
                    "unitId": "P-00451-0001", "startAt": "2020-09-01T00:00:00.000Z", "endAt": "2023-03-31T00:00:00.000Z",
                },
            )]

            await imported(client, headers, {"contacts": [{"id": "C-31076", "archived": True}]})
            assert bodies(receiver)[3:] == [("contact_archived", {**created, "isRegistered": True})]

            await client.post("/casavi/documents", json={"id": "D-7", "title": "Statement 2021", "type": ["Statements"]}, headers=headers)
            await client.post("/__admin/jobs/run")
            download = await client.post(
                "/__admin/casavi/documents/D-7/download", json={"contactId": "C-31076", "propertyId": "P-00451"}
            )
            assert download.status_code == 200, download.text
            await client.post("/__admin/jobs/run")
            ((path, downloaded),) = bodies(receiver)[4:]
            assert path == "document_downloaded"
            assert downloaded == {
                "id": "D-7", "internalId": downloaded["internalId"], "title": "Statement 2021", "downloadCount": 1,
                "contactId": "C-31076", "propertyId": "P-00451", "documentType": "Statements",
            }
            document = (await client.get("/casavi/documents/D-7", headers=headers)).json()
            assert document["downloadCount"] == 1 and document["firstDownloadAt"] == FROZEN
            assert "lastDownload" not in document

            listed = (await client.get("/__admin/webhooks", params={"api": "casavi"})).json()["deliveries"]
            assert [delivery["event"] for delivery in listed] == [path for path, _ in bodies(receiver)]
            assert {delivery["status"] for delivery in listed} == {"delivered"}


async def test_archiving_in_the_app_fires_contact_archived_and_hides_the_contacts_contracts():
    with Receiver() as receiver:
        async with hooked() as client:
            headers = await casavi_headers(client)
            await imported(client, headers, {"contacts": [{"id": "C-31076"}], "properties": [unit_with_contract(None)]})
            await subscribe(client, headers, "contact_archived", receiver.url)
            await subscribe(client, headers, "contact_updated", receiver.url)
            archived = await client.post("/__admin/casavi/contacts/C-31076/archive")
            assert archived.status_code == 200 and archived.json()["archived"] is True
            again = await client.post("/__admin/casavi/contacts/C-31076/archive")  # already archived: no event
            assert again.status_code == 200
            await client.post("/__admin/jobs/run")
            assert [json.loads(request.body)["id"] for request in receiver] == ["C-31076"]
            unit = (await client.get("/casavi/units/P-00451-0001", headers=headers)).json()
            assert unit["contracts"] == []
            assert (await client.get("/casavi/contacts/C-31076", headers=headers)).status_code == 200


async def test_admin_calls_name_what_they_cannot_find():
    async with hooked() as client:
        headers = await casavi_headers(client)
        other = await casavi_headers(client, "other-key", "other-secret")
        await imported(client, headers, {"contacts": [{"id": "C-1"}]})
        await imported(client, other, {"contacts": [{"id": "C-1"}]})
        missing = await client.post("/__admin/casavi/contacts/C-404/archive")
        assert missing.status_code == 404 and "C-404" in missing.json()["error"]
        ambiguous = await client.post("/__admin/casavi/contacts/C-1/archive")
        assert ambiguous.status_code == 400 and "?account=" in ambiguous.json()["error"]
        assert (await client.post("/__admin/casavi/contacts/C-1/archive?account=other")).status_code == 200
        assert (await client.post("/__admin/casavi/contacts/C-1/archive?account=ghost")).status_code == 404
        await client.post("/casavi/documents", json={"id": "D-1", "title": "x"}, headers=headers)
        await client.post("/__admin/jobs/run")
        no_contact = await client.post("/__admin/casavi/documents/D-1/download", json={})
        assert no_contact.status_code == 400 and "contactId" in no_contact.json()["error"]
        unknown = await client.post("/__admin/casavi/documents/D-1/download", json={"contactId": "C-9"})
        assert unknown.status_code == 400 and "C-9" in unknown.json()["error"]
        bad = await client.post("/__admin/casavi/documents/D-1/download", content=b"[1]", headers={"content-type": "application/json"})
        assert bad.status_code == 400
        assert (await client.post("/__admin/casavi/documents/D-404/download", json={"contactId": "C-1"})).status_code == 404
        assert (await client.post("/__admin/casavi/nothing")).status_code == 404


async def test_credentials_in_the_hook_url_arrive_as_basic_auth_and_stay_out_of_the_url():
    with Receiver() as receiver:
        async with hooked() as client:
            headers = await casavi_headers(client)
            url = receiver.url.replace("http://", "http://hook-user:s%3Acret@") + "/in"
            await subscribe(client, headers, "contact_created", url)
            await imported(client, headers, {"contacts": [{"id": "C-1"}]})
            (received,) = await receiver.arrived(1)
            assert received.path == "/in"
            assert received.headers["authorization"] == "Basic " + base64.b64encode(b"hook-user:s:cret").decode()
            (delivery,) = (await client.get("/__admin/webhooks")).json()["deliveries"]
            assert delivery["target"] == f"{receiver.url}/in" and "cret" not in json.dumps(delivery)
            hooks = (await client.get("/__admin/casavi/hooks")).json()["hooks"]
            assert [hook["hookUrl"] for hook in hooks] == [f"{receiver.url}/in"]


async def test_location_deletes_the_hook_and_a_deleted_hook_delivers_no_more():
    with Receiver() as receiver:
        async with hooked() as client:
            headers = await casavi_headers(client)
            hook = await subscribe(client, headers, "contact_created", receiver.url)
            assert hook["location"] == f"http://localhost/casavi/hooks/{hook['id']}"
            await imported(client, headers, {"contacts": [{"id": "C-1"}]})
            await receiver.arrived(1)
            other = await casavi_headers(client, "other-key", "other-secret")
            assert (await client.delete(hook["location"], headers=other)).status_code == 404
            assert (await client.delete(hook["location"], headers=headers)).status_code == 204
            assert (await client.delete(hook["location"], headers=headers)).status_code == 404
            await imported(client, headers, {"contacts": [{"id": "C-2"}]})
            assert len(receiver.requests) == 1
            assert (await client.get("/__admin/casavi/hooks")).json()["count"] == 0


async def test_one_accounts_events_never_reach_another_accounts_hooks():
    with Receiver() as mine, Receiver() as theirs:
        async with hooked() as client:
            headers = await casavi_headers(client)
            other = await casavi_headers(client, "other-key", "other-secret")
            await subscribe(client, headers, "contact_created", mine.url)
            await subscribe(client, other, "contact_created", theirs.url)
            await imported(client, headers, {"contacts": [{"id": "C-1"}]})
            await imported(client, other, {"contacts": [{"id": "C-9"}]})
            assert [json.loads(request.body)["id"] for request in mine] == ["C-1"]
            assert [json.loads(request.body)["id"] for request in theirs] == ["C-9"]


async def test_the_envelope_wraps_the_payload_when_asked_for():
    with Receiver() as receiver:
        async with hooked(webhook_envelope=True) as client:
            headers = await casavi_headers(client)
            await subscribe(client, headers, "contact_created", receiver.url)
            await subscribe(client, headers, "contact_created", receiver.url + "/second")
            await imported(client, headers, {"contacts": [{"id": "C-1"}]})
            first, second = (json.loads(request.body) for request in await receiver.arrived(2))
            assert set(first) == {"eventId", "eventName", "eventTimestamp", "tenantId", "payload"}
            assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", first["eventId"])
            assert first["eventName"] == "contact_created" and first["eventTimestamp"] == FROZEN
            assert first["tenantId"] == TENANT
            assert first["payload"] == {"id": "C-1", "internalId": first["payload"]["internalId"], "isRegistered": False}
            assert second == first  # one event, one id, whatever the number of hooks


async def test_hook_urls_must_be_https_unless_http_is_allowed():
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        refused = await client.post("/casavi/hooks", json={"eventName": "contact_created", "hookUrl": "http://127.0.0.1:9/x"}, headers=headers)
        assert refused.status_code == 400
        assert "https" in refused.json()["message"] and "--allow-http-hooks" in refused.json()["message"]
        assert 'body field "hookUrl"' in refused.json()["message"]
        for url in ("ftp://example.test/x", "https://", "not a url", "https://example.test:port/x"):
            answer = await client.post("/casavi/hooks", json={"eventName": "contact_created", "hookUrl": url}, headers=headers)
            assert answer.status_code == 400, url
        accepted = await client.post("/casavi/hooks", json={"eventName": "contact_created", "hookUrl": "https://u:p@example.test/h"}, headers=headers)
        assert accepted.status_code == 200
        unknown = await client.post("/casavi/hooks", json={"eventName": "contact_deleted", "hookUrl": "https://example.test/h"}, headers=headers)
        assert unknown.status_code == 400
        assert all(event in unknown.json()["message"] for event in EVENTS)
        served = (await client.get("/__admin/contracts/casavi")).json()
        assert _hook_url(served)["pattern"].startswith("^https://")
    async with hooked() as client:
        headers = await casavi_headers(client)
        allowed = await client.post("/casavi/hooks", json={"eventName": "contact_created", "hookUrl": "http://127.0.0.1:9/x"}, headers=headers)
        assert allowed.status_code == 200
        # The contract this server serves says what it accepts.
        served = (await client.get("/__admin/contracts/casavi")).json()
        assert _hook_url(served)["pattern"].startswith("^https?://")


def _hook_url(contract: dict) -> dict:
    return contract["paths"]["/hooks"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["hookUrl"]


async def test_a_failing_receiver_gets_three_attempts_for_one_delivery():
    with Receiver(statuses=[500, 500, 200]) as receiver:
        async with hooked() as client:
            client.app.sandbox.apis["casavi"].runtime.outbox.policy = DeliveryPolicy(backoff=(0.05, 0.1), attempts=4)
            headers = await casavi_headers(client)
            await subscribe(client, headers, "contact_created", receiver.url)
            await imported(client, headers, {"contacts": [{"id": "C-1"}]})
            await receiver.arrived(3)
            (delivery,) = (await client.get("/__admin/webhooks")).json()["deliveries"]
            assert delivery["status"] == "delivered" and delivery["event"] == "contact_created"
            assert [attempt["statusCode"] for attempt in delivery["attempts"]] == [500, 500, 200]
            assert {request.body.decode() for request in receiver} == {delivery["body"]}  # the same body each time


async def test_a_receiver_that_sleeps_slows_neither_imports_nor_reads():
    with Receiver(delay=5) as receiver:
        async with hooked(webhook_timeout=30, job_delay=0) as client:
            headers = await casavi_headers(client)
            await subscribe(client, headers, "contact_created", receiver.url)
            job = (await client.post("/casavi/import", json={"contacts": [{"id": f"C-{n}"} for n in range(3)]}, headers=headers)).json()
            await receiver.arrived(3)  # three deliveries now hang in the receiver
            started = time.monotonic()
            for number in range(10):
                answer = await client.post("/casavi/import", json={"contacts": [{"id": f"D-{number}"}]}, headers=headers)
                assert answer.status_code == 200
                assert (await client.get("/casavi/contacts/C-0", headers=headers)).status_code == 200
            while not (await client.get(f"/casavi/jobs/{answer.json()['jobId']}", headers=headers)).json()["completed"]:
                await asyncio.sleep(0.01)
            assert time.monotonic() - started < 3.0  # 30 answers and 10 imports while deliveries hang for 5 s
            assert (await client.get(f"/casavi/jobs/{job['jobId']}", headers=headers)).json()["completed"] is True
            pending = (await client.get("/__admin/webhooks")).json()["deliveries"]
            assert len(pending) == 13 and {delivery["status"] for delivery in pending} == {"pending"}


def test_the_hook_settings_have_flags_and_environment_variables():
    from mock_server.cli import build_parser
    from mock_server.config import ServerConfig, settings_from_args

    config = ServerConfig.from_env({"MOCK_SERVER_ALLOW_HTTP_HOOKS": "true", "MOCK_SERVER_WEBHOOK_ENVELOPE": "1"})
    assert config.allow_http_hooks is True and config.webhook_envelope is True
    assert ServerConfig.from_env({}).allow_http_hooks is False
    args = build_parser().parse_args(["serve", "--allow-http-hooks", "--webhook-envelope"])
    assert settings_from_args(args)["allow_http_hooks"] is True and settings_from_args(args)["webhook_envelope"] is True
