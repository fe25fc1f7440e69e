"""casavi's import job queue: asynchronous, ordered, failing record by record."""

from __future__ import annotations

import asyncio
import re

from tests.server.conftest import FROZEN, casavi_headers, sandbox_client

ENVELOPE = {
    "contacts": [{"id": "C-1", "firstName": "Joe", "lastName": "Smith"}, {"id": "C-2", "lastName": "Doe"}],
    "properties": [
        {
            "id": "P-1",
            "name": "Easy Living",
            "units": [
                {"id": "P-1-0001", "number": "0001", "contracts": [
                    {"id": "A-1", "type": "owner", "contactIds": ["C-1"]},
                    {"id": "A-2", "type": "renter", "contactIds": ["C-404"]},
                ]},
            ],
        }
    ],
    "responsibilities": [
        {"propertyId": "P-1", "contactId": "C-2", "role": "caretaker"},
        {"propertyId": "P-404", "contactId": "C-2"},
    ],
}


async def _job(client, headers, job_id):
    response = await client.get(f"/casavi/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_import_answers_before_applying_and_reports_per_kind():
    async with sandbox_client(job_delay=0.05) as client:
        headers = await casavi_headers(client)
        answer = await client.post("/casavi/import", json=ENVELOPE, headers=headers)
        assert answer.status_code == 200
        job_id = answer.json()["jobId"]
        assert re.fullmatch(r"[0-9a-f]{24}", job_id)
        first = await _job(client, headers, job_id)
        assert first["completed"] is False and first["completedAt"] is None and first["progress"] < 1
        assert (await client.get("/casavi/contacts/C-1", headers=headers)).status_code == 404
        for _ in range(100):
            report = await _job(client, headers, job_id)
            if report["completed"]:
                break
            await asyncio.sleep(0.05)
        assert report["progress"] == 1 and report["completedAt"] == FROZEN
        results = report["results"]
        assert results["contacts"] == {"created": 2, "updated": 0, "failed": 0}
        assert results["properties"]["created"] == 1 and results["units"]["created"] == 1
        assert results["contracts"] == {"created": 1, "updated": 0, "failed": 1}
        assert results["responsibilities"] == {"created": 1, "updated": 0, "failed": 1}
        assert {(error["kind"], error["id"]) for error in results["errors"]} == {("contracts", "A-2"), ("responsibilities", "P-404")}


async def test_imported_data_reads_back_in_the_documented_models():
    async with sandbox_client(job_delay=1) as client:
        headers = await casavi_headers(client)
        job_id = (await client.post("/casavi/import", json=ENVELOPE, headers=headers)).json()["jobId"]
        assert (await client.post("/__admin/jobs/run")).json() == {"finished": {"casavi": 1, "afosto": 0, "relay": 0, "messages": 0}}
        assert (await _job(client, headers, job_id))["completed"] is True
        contact = (await client.get("/casavi/contacts/C-1", headers=headers)).json()
        assert contact["firstName"] == "Joe" and isinstance(contact["internalId"], int) and "appLink" in contact
        units = (await client.get("/casavi/properties/P-1/units", headers=headers)).json()
        assert [unit["id"] for unit in units["rows"]] == ["P-1-0001"] and units["page"] == 0
        assert [contract["id"] for contract in units["rows"][0]["contracts"]] == ["A-1"]
        unit = (await client.get("/casavi/units/P-1-0001", headers=headers)).json()
        assert unit["number"] == "0001"
        prop = (await client.get("/casavi/properties/P-1", headers=headers)).json()
        assert prop["responsibilities"] == [{"propertyId": "P-1", "contactId": "C-2", "role": "caretaker"}]
        # A second import of the same reference ids updates them.
        again = (await client.post("/casavi/import", json={"contacts": [{"id": "C-1", "firstName": "Jo"}]}, headers=headers)).json()
        await client.post("/__admin/jobs/run")
        assert (await _job(client, headers, again["jobId"]))["results"]["contacts"]["updated"] == 1
        assert (await client.get("/casavi/contacts/C-1", headers=headers)).json()["firstName"] == "Jo"


async def test_jobs_of_other_accounts_are_not_found(client):
    headers = await casavi_headers(client)
    other = await casavi_headers(client, "other-key", "other-secret")
    job_id = (await client.post("/casavi/import", json={"contacts": []}, headers=headers)).json()["jobId"]
    assert (await client.get(f"/casavi/jobs/{job_id}", headers=other)).status_code == 404
    assert (await client.get("/casavi/jobs/000000000000000000000000", headers=headers)).status_code == 404


async def test_documents_are_queued_and_deleted():
    async with sandbox_client(job_delay=1) as client:
        headers = await casavi_headers(client)
        await client.post("/casavi/documents", json={"id": "D-1", "title": "Statement"}, headers=headers)
        await client.post("/__admin/jobs/run")
        document = (await client.get("/casavi/documents/D-1", headers=headers)).json()
        assert document["title"] == "Statement" and document["downloadCount"] == 0
        await client.post("/casavi/documents", json={"id": "D-1", "delete": True}, headers=headers)
        await client.post("/__admin/jobs/run")
        assert (await client.get("/casavi/documents/D-1", headers=headers)).status_code == 404


async def test_import_envelope_is_validated_at_once(client):
    headers = await casavi_headers(client)
    response = await client.post("/casavi/import", json={"contacts": [{"firstName": "no id"}]}, headers=headers)
    assert response.status_code == 400
    assert 'body field "contacts[0].id" is required' in response.json()["message"]
