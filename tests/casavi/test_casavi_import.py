"""casavi's import job queue: asynchronous, ordered, failing record by record."""

from __future__ import annotations

import asyncio
import re

from tests.http_sandbox import FROZEN, casavi_headers, sandbox_client

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


async def test_import_records_take_the_shape_the_importer_reads(client):
    headers = await casavi_headers(client)
    refused = {
        "properties[0].responsibilities": {"properties": [{"id": "P-1", "responsibilities": "abc"}]},
        "properties[0].responsibilities[0]": {"properties": [{"id": "P-1", "responsibilities": ["C-1"]}]},
        "properties[0].responsibilities[0].contactId": {"properties": [{"id": "P-1", "responsibilities": [{"propertyId": "P-1"}]}]},
        "contacts[0].id": {"contacts": [{"id": ""}]},
        "properties[0].units[0].id": {"properties": [{"id": "P-1", "units": [{"id": ""}]}]},
    }
    for field, envelope in refused.items():
        response = await client.post("/casavi/import", json=envelope, headers=headers)
        assert response.status_code == 400, (field, response.text)
        assert f'body field "{field}"' in response.json()["message"], response.text
    assert (await client.get("/casavi/properties/P-1", headers=headers)).status_code == 404


async def test_responsibilities_given_with_a_property_are_kept():
    async with sandbox_client(job_delay=1) as client:
        headers = await casavi_headers(client)
        given = [{"propertyId": "P-1", "contactId": "C-1", "role": "caretaker"}]
        body = {"contacts": [{"id": "C-1"}], "properties": [{"id": "P-1", "name": "House", "responsibilities": given}]}
        job_id = (await client.post("/casavi/import", json=body, headers=headers)).json()["jobId"]
        await client.post("/__admin/jobs/run")
        assert (await _job(client, headers, job_id))["results"]["properties"]["created"] == 1
        assert (await client.get("/casavi/properties/P-1", headers=headers)).json()["responsibilities"] == given
        # A property import without responsibilities leaves the ones it has.
        await client.post("/casavi/import", json={"properties": [{"id": "P-1", "name": "Villa"}]}, headers=headers)
        await client.post("/__admin/jobs/run")
        read = (await client.get("/casavi/properties/P-1", headers=headers)).json()
        assert read["name"] == "Villa" and read["responsibilities"] == given


async def test_a_responsibility_import_applies_whatever_the_property_held_before():
    """A property loaded as given (a fixture) with responsibilities of another shape."""
    async with sandbox_client(job_delay=1) as client:
        loaded = await client.post("/__admin/fixtures", json={"casavi": {"data": {"demo": {
            "/properties": [{"id": "P-1", "name": "House", "responsibilities": "abc"},
                            {"id": "P-2", "name": "Other", "responsibilities": ["x", {"propertyId": "P-2", "contactId": "C-9"}]}],
            "/contacts": [{"id": "C-1"}],
        }}}})
        assert loaded.status_code == 200, loaded.text
        headers = await casavi_headers(client)
        body = {"responsibilities": [{"propertyId": "P-1", "contactId": "C-1", "role": "caretaker"},
                                     {"propertyId": "P-2", "contactId": "C-1"}]}
        job_id = (await client.post("/casavi/import", json=body, headers=headers)).json()["jobId"]
        await client.post("/__admin/jobs/run")
        report = await _job(client, headers, job_id)
        assert report["results"]["responsibilities"] == {"created": 2, "updated": 0, "failed": 0}, report
        first = (await client.get("/casavi/properties/P-1", headers=headers)).json()
        assert first["responsibilities"] == [{"propertyId": "P-1", "contactId": "C-1", "role": "caretaker"}]
        second = (await client.get("/casavi/properties/P-2", headers=headers)).json()
        assert second["responsibilities"] == [{"propertyId": "P-2", "contactId": "C-9"}, {"propertyId": "P-2", "contactId": "C-1"}]
