"""The casavi document's own samples as test data: every sample documented as input is
imported and read back, and each hook event arrives as the document's sample shows it.

The samples are read from the vendor document with the contract generator's reader, so
these tests follow the document (they skip where it is not present).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mock_server.contracts.casavi import OPERATIONS
from mock_server.contracts.redoc import (
    RedocOperation,
    collect_json_text,
    locate_operations,
    parse_bulleted_json,
    parse_operation,
)
from tests.receiver import Receiver
from tests.http_sandbox import casavi_headers, sandbox_client

# An account whose tenant id is the one the samples show.
SAMPLE_ACCOUNT = {"casavi": {"accounts": [{"name": "sample", "key": "sample-key", "secret": "sample-secret", "tenantId": 1}]}}
SERVER_MANAGED = {"internalId", "appLink"}


class Samples:
    """The document's samples by operation title and by model heading."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        titles = [row.split("|")[0] for row in OPERATIONS.strip().splitlines()]
        starts = locate_operations(self.lines, titles)
        end = next(index for index, line in enumerate(self.lines) if line.strip() == "Changelog")
        self.operations: dict[str, RedocOperation] = {
            title: parse_operation(title, self.lines, start, stop)
            for title, start, stop in zip(titles, starts, [*starts[1:], end])
        }

    def request(self, title: str) -> Any:
        return copy.deepcopy(self.operations[title].request_samples[0].value)

    def response(self, title: str) -> Any:
        return copy.deepcopy(self.operations[title].response_samples[0].value)

    def model(self, heading: str) -> Any:
        """The sample printed under a model's own heading."""
        start = next(index for index, line in enumerate(self.lines) if line.strip() == heading)
        first = next(index for index in range(start + 1, len(self.lines)) if self.lines[index].startswith(("{", "[")))
        text, _ = collect_json_text(self.lines, first, len(self.lines))
        return parse_bulleted_json(text)


@pytest.fixture(scope="module")
def samples(documents: dict[str, str]) -> Samples:
    return Samples(documents["casavi"])


async def _run_job(client, headers, path: str, body: Any) -> dict[str, Any]:
    answer = await client.post(f"/casavi{path}", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    await client.post("/__admin/jobs/run")
    report = (await client.get(f"/casavi/jobs/{answer.json()['jobId']}", headers=headers)).json()
    assert report["completed"] is True
    return report["results"]


def _without(record: dict[str, Any], names: set[str]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in names}


def _contract_from(payload: dict[str, Any]) -> dict[str, Any]:
    """The contract the `contract_enddate_updated` sample describes: no `type`, dates with a time."""
    return {"id": payload["contractId"], "contactIds": [payload["contactId"]], "startAt": payload["startAt"], "endAt": payload["endAt"]}


async def test_the_import_envelope_samples_are_accepted(samples):
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        for envelope in (samples.request("Import"), samples.model("The import model")):
            assert set(envelope) == {"contacts", "properties", "responsibilities"}
            results = await _run_job(client, headers, "/import", envelope)
            assert all(results[kind] == {"created": 0, "updated": 0, "failed": 0} for kind in ("contacts", "properties", "units"))


async def test_master_data_samples_import_and_read_back(samples):
    contact = samples.response("Get contact by Id")
    hooked_contact = samples.model("Payload of contact_created")
    prop = samples.response("Get property by Id")
    unit = samples.response("Get unit by id")
    contract = _contract_from(samples.model("Payload of contract_enddate_updated"))
    assert "type" not in contract and contract["startAt"].endswith("T00:00:00.000Z")
    responsibility = {"propertyId": prop["id"], "contactId": contact["id"], "role": "caretaker"}
    envelope = {
        "contacts": [contact, hooked_contact],
        "properties": [{**prop, "units": [{**unit, "contracts": [contract]}]}],
        "responsibilities": [responsibility],
    }
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        results = await _run_job(client, headers, "/import", envelope)
        assert results["errors"] == []
        assert results["contacts"]["created"] == 2 and results["contracts"]["created"] == 1

        read = (await client.get(f"/casavi/contacts/{contact['id']}", headers=headers)).json()
        assert _without(read, SERVER_MANAGED) == _without(contact, SERVER_MANAGED)
        read = (await client.get(f"/casavi/contacts/{hooked_contact['id']}", headers=headers)).json()
        assert read["isRegistered"] is hooked_contact["isRegistered"]

        read = (await client.get(f"/casavi/properties/{prop['id']}", headers=headers)).json()
        assert _without(read, SERVER_MANAGED) == _without({**prop, "responsibilities": [responsibility]}, SERVER_MANAGED)

        read = (await client.get(f"/casavi/units/{unit['id']}", headers=headers)).json()
        assert _without(read, SERVER_MANAGED | {"contracts"}) == _without(unit, SERVER_MANAGED | {"contracts"})
        (stored,) = read["contracts"]
        assert stored == {**contract, "startAt": contract["startAt"][:10], "endAt": contract["endAt"][:10]}
        rows = (await client.get(f"/casavi/properties/{prop['id']}/units?includeInactiveContracts=true", headers=headers)).json()["rows"]
        assert [row["id"] for row in rows] == [unit["id"]] and rows[0]["contracts"] == [stored]


async def test_the_document_sample_uploads_and_deletes(samples):
    document = samples.request("Upload a new document or change an existing one")
    assert document["delete"] is True  # the sample shows every field, the removal flag included
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        upload = {key: value for key, value in document.items() if key != "delete"}
        assert (await _run_job(client, headers, "/documents", upload))["documents"]["created"] == 1
        read = (await client.get(f"/casavi/documents/{document['id']}", headers=headers)).json()
        for name in ("id", "title", "publishedAt", "resource", "sharedWith"):
            assert read[name] == document[name], name
        assert read["downloadCount"] == 0 and read["firstDownloadAt"] is None
        assert (await _run_job(client, headers, "/documents", document))["documents"]["updated"] == 1
        assert (await client.get(f"/casavi/documents/{document['id']}", headers=headers)).status_code == 404


async def test_hook_events_arrive_as_the_samples_show_them(samples):
    contact = samples.model("Payload of contact_created")
    changed_contract = samples.model("Payload of contract_enddate_updated")
    downloaded = samples.model("Payload of document_downloaded")
    prop, unit = samples.response("Get property by Id"), samples.response("Get unit by id")
    first_contract = {**_contract_from(changed_contract), "endAt": None}
    with Receiver() as receiver:
        async with sandbox_client(allow_http_hooks=True) as client:
            await client.post("/__admin/fixtures", json=SAMPLE_ACCOUNT)
            headers = await casavi_headers(client, "sample-key", "sample-secret")
            for event in ("contact_created", "contact_updated", "contact_archived", "contract_enddate_updated", "document_downloaded"):
                hook = await client.post("/casavi/hooks", json={"eventName": event, "hookUrl": f"{receiver.url}/{event}"}, headers=headers)
                assert hook.status_code == 200

            await _run_job(client, headers, "/import", {
                "contacts": [contact],
                "properties": [{**prop, "units": [{**unit, "contracts": [first_contract]}]}],
            })
            await _run_job(client, headers, "/import", {"contacts": [{**contact, "lastName": "Doe"}]})
            await _run_job(client, headers, "/import", {
                "properties": [{"id": prop["id"], "units": [{"id": unit["id"], "contracts": [_contract_from(changed_contract)]}]}],
            })
            await _run_job(client, headers, "/import", {"contacts": [{"id": contact["id"], "archived": True}]})
            await _run_job(client, headers, "/documents", {
                "id": downloaded["id"], "title": downloaded["title"], "type": [downloaded["documentType"]],
            })
            for _ in range(downloaded["downloadCount"]):
                answer = await client.post(
                    f"/__admin/casavi/documents/{downloaded['id']}/download",
                    json={"contactId": downloaded["contactId"], "propertyId": downloaded["propertyId"]},
                )
                assert answer.status_code == 200, answer.text
            await client.post("/__admin/jobs/run")

            # One event each, the downloads one per download (the sample shows the second).
            paths = [request.path.strip("/") for request in receiver]
            assert sorted(paths) == sorted([
                "contact_created", "contact_updated", "contact_archived", "contract_enddate_updated",
                *["document_downloaded"] * downloaded["downloadCount"],
            ])
            received = {request.path.strip("/"): json.loads(request.body) for request in receiver}
            for event in ("contact_created", "contact_updated", "contact_archived"):
                assert _without(received[event], {"internalId"}) == _without(contact, {"internalId"}), event
                assert isinstance(received[event]["internalId"], int)
            assert received["contract_enddate_updated"] == changed_contract
            # Deliveries travel concurrently: the downloads may arrive in either order.
            downloads = sorted(
                (json.loads(request.body) for request in receiver if request.path == "/document_downloaded"),
                key=lambda payload: payload["downloadCount"],
            )
            assert [payload["downloadCount"] for payload in downloads] == list(range(1, downloaded["downloadCount"] + 1))
            assert _without(downloads[-1], {"internalId"}) == _without(downloaded, {"internalId"})
            assert isinstance(downloads[-1]["internalId"], int)
