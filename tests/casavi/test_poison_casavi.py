"""casavi, poison then trigger: hostile values in every field the module's code reads (import
records: contacts, properties, units and contracts, responsibilities; documents; hook
URLs; tickets, comments and tasks; consumption resources, meters and measurements), then
the code that reads them driven: the import jobs, the REST hooks to a local receiver, the
app's downloads and archiving, the unit views and every read, and the state export. See
poison.py for what every answer is held to."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from tests.receiver import Receiver
from tests.http_sandbox import casavi_headers, sandbox_client
from tests.poison import HOSTILE, HOSTILE_URLS, Watch

C = "/casavi"
EVENTS = ("contact_created", "contact_updated", "contact_archived", "document_downloaded", "contract_enddate_updated")
KINDS = ("contacts", "properties", "units", "contracts", "responsibilities", "documents")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _sandbox() -> Any:
    return sandbox_client(no_demo_data=True, allow_http_hooks=True, job_delay=0)


async def _subscribe(watch: Watch, headers: dict[str, str], url: str) -> None:
    for event in EVENTS:
        await watch.post(f"{C}/hooks", headers=headers, json={"eventName": event, "hookUrl": url})


async def _job(watch: Watch, headers: dict[str, str], path: str, body: Any) -> None:
    """Queue an import or document job, run it, and hold its report to what it applied:
    completed, every record counted once as created, updated or failed, every failure listed."""
    queued = await watch.post(f"{C}{path}", headers=headers, json=body)
    if queued.status_code != 200:
        return
    await watch.run_jobs("casavi")
    report = (await watch.get(f"{C}/jobs/{queued.json()['jobId']}", headers=headers)).json()
    results = report.get("results") or {}
    sent = _records(path, body)
    counted = {kind: sum((results.get(kind) or {}).values()) for kind in KINDS}
    failed = sum((results.get(kind) or {}).get("failed", 0) for kind in KINDS)
    if not report.get("completed") or any(counted[kind] != sent.get(kind, 0) for kind in KINDS if kind != "contracts") \
            or failed != len(results.get("errors") or []):
        watch.problem(f"job of {path} {str(body)[:160]} reports {results} for records {sent}")


def _records(path: str, body: Any) -> dict[str, int]:
    if path == "/documents":
        return {"documents": 1}
    properties = body.get("properties") or []
    return {
        "contacts": len(body.get("contacts") or []),
        "properties": len(properties),
        "units": sum(len(item.get("units") or []) for item in properties),
        "responsibilities": len(body.get("responsibilities") or []),
    }


def _imports(value: Any) -> list[dict[str, Any]]:
    """One import per poisoned field (a field the contract refuses must not spare the others)."""
    unit = {"id": "U-1", "contracts": [{"id": "K-1", "contactIds": ["C-1"], "startAt": "2020-01-01", "endAt": None}]}
    return [
        {"contacts": [{"id": "C-1", "email": "c1@example.com"}], "properties": [{"id": "P-1", "units": [unit]}]},
        {"contacts": [{"id": "C-2", "archived": value}]},
        {"contacts": [{"id": "C-3", "firstName": value, "customFields": {"n": value}}]},
        {"contacts": [{"id": value}]},
        {"properties": [{"id": "P-2", "responsibilities": value}]},
        {"properties": [{"id": "P-3", "customFields": {"n": value}, "addresses": [value]}]},
        {"properties": [{"id": "P-1", "units": [{**unit, "contracts": [{"id": "K-1", "contactIds": ["C-1"], "endAt": value}]}]}]},
        {"properties": [{"id": "P-1", "units": [{**unit, "contracts": [{"id": value, "contactIds": ["C-1"]}]}]}]},
        {"properties": [{"id": "P-1", "units": [{"id": "U-2", "archived": value, "votingShare": value}]}]},
        {"responsibilities": [{"propertyId": "P-2", "contactId": "C-1", "role": "manager"}]},
        {"responsibilities": [{"propertyId": "P-1", "contactId": "C-1", "role": value}]},
        {"responsibilities": [{"propertyId": "P-1", "contactId": "C-1", "role": "manager"}]},
        {"responsibilities": [{"propertyId": value, "contactId": value}]},
    ]


async def test_import_records_with_any_values_are_applied_or_failed_as_the_job_reports(caplog, receiver):
    async with _sandbox() as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "casavi"):
            headers = await casavi_headers(client)
            await _subscribe(watch, headers, f"{receiver.url}/casavi")
            for body in _imports(value):
                await _job(watch, headers, "/import", body)
            for path in ("/properties", "/properties/P-1", "/properties/P-2", "/properties/P-3", "/properties/P-1/units",
                         "/properties/P-1/units?includeInactiveContracts=true", "/units/U-1", "/units/U-2", "/contacts",
                         "/contacts/C-1", "/contacts/C-2", "/contacts/C-3"):
                await watch.get(f"{C}{path}", headers=headers)
            shown = (await watch.get(f"{C}/properties/P-1", headers=headers)).json()
            if [item.get("contactId") for item in shown.get("responsibilities") or []] != ["C-1"]:
                watch.problem(f"property P-1 shows responsibilities {shown.get('responsibilities')}, imported: one of C-1")
            await watch.post("/__admin/casavi/contacts/C-1/archive")
            await watch.get(f"{C}/units/U-1", headers=headers)
            await watch.run_jobs("casavi")
        watch.assert_clean()


async def test_a_hook_url_is_an_address_the_events_can_go_to(caplog, receiver):
    async with _sandbox() as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE + HOSTILE_URLS, "casavi"):
            headers = await casavi_headers(client)
            created = await watch.post(f"{C}/hooks", headers=headers, json={"eventName": "contact_created", "hookUrl": value})
            await _job(watch, headers, "/import", {"contacts": [{"id": "C-1"}]})
            for delivery in (await watch.get("/__admin/webhooks", params={"api": "casavi"})).json().get("deliveries", []):
                sent_to, named = urlsplit(delivery["target"]), urlsplit(str(value))
                if (sent_to.hostname, sent_to.port) != (named.hostname, named.port):
                    watch.problem(f"hook URL {value!r} got its event at {delivery['target']!r}")
            await watch.get("/__admin/casavi/hooks")
            if created.status_code == 200:
                await watch.delete(f"{C}/hooks/{created.json()['id']}", headers=headers)
        watch.assert_clean()


async def test_a_document_with_any_values_is_downloaded_and_announced(caplog, receiver):
    async with _sandbox() as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "casavi"):
            headers = await casavi_headers(client)
            await _subscribe(watch, headers, f"{receiver.url}/casavi")
            await _job(watch, headers, "/import", {"contacts": [{"id": "C-1"}], "properties": [{"id": "P-1"}]})
            for body in ({"id": "D-1", "title": value}, {"id": "D-2", "type": [value]}, {"id": "D-3", "sharedWith": [{"propertyId": value}]},
                         {"id": "D-4", "sharedWith": [value]}, {"id": value, "title": "x"}, {"id": "D-5", "downloadCount": value}):
                await _job(watch, headers, "/documents", body)
            for document in ("D-1", "D-2", "D-3", "D-4", "D-5"):
                await watch.post(f"/__admin/casavi/documents/{document}/download", json={"contactId": "C-1", "propertyId": "P-1"})
                await watch.post(f"/__admin/casavi/documents/{document}/download", json={"contactId": value, "propertyId": value})
                await watch.get(f"{C}/documents/{document}", headers=headers)
            await _job(watch, headers, "/documents", {"id": "D-1", "delete": True})
            await watch.run_jobs("casavi")
        watch.assert_clean()


async def test_tickets_comments_and_tasks_with_any_values_are_read_back(caplog):
    async with _sandbox() as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "casavi"):
            headers = await casavi_headers(client)
            file_id = (await watch.post(f"{C}/files", headers={**headers, "X-Filename": "a.txt", "content-type": "text/plain"},
                                        content=b"hello")).json()["id"]
            await watch.post(f"{C}/staff", headers=headers, json={"id": "S-1", "firstName": value, "lastName": "L", "role": "MANAGER"})
            ticket = {"id": "T-1", "title": "Leak", "propertyId": "P-1", "attachments": [file_id]}
            await watch.post(f"{C}/tickets", headers=headers, json=ticket)
            for body in ({**ticket, "id": "T-2", "number": value}, {**ticket, "id": "T-3", "status": value},
                         {**ticket, "id": "T-4", "attachments": [value]}, {**ticket, "id": "T-5", "title": value}):
                await watch.post(f"{C}/tickets", headers=headers, json=body)
            await watch.put(f"{C}/tickets/T-1", headers=headers, json={**ticket, "status": value, "attachments": [value]})
            for body in ({"text": value}, {"text": "hi", "authorId": value}, {"text": "hi", "authorEmail": value},
                         {"text": "hi", "authorId": value, "fallbackToAccount": True}, {"text": "hi", "attachments": [file_id, value]}):
                comment = await watch.post(f"{C}/tickets/T-1/comments", headers=headers, json=body)
                if comment.status_code == 200:
                    await watch.put(f"{C}/tickets/T-1/comments/{comment.json()['id']}", headers=headers, json={"text": value})
            for body in ({"id": "K-1", "title": value}, {"id": "K-2", "title": "t", "status": value}, {"id": "K-3", "title": "t", "completed": value}):
                await watch.post(f"{C}/tickets/T-1/tasks", headers=headers, json=body)
            await watch.put(f"{C}/tickets/T-1/tasks/K-1", headers=headers, json={"id": "K-1", "title": "t", "status": value})
            for path in ("/tickets", "/tickets?status=OPEN", "/tickets/T-1", "/tickets/T-1/comments", "/tickets/T-1/activities",
                         "/tickets/T-1/tasks/K-1", "/staff", "/staff/S-1"):
                await watch.get(f"{C}{path}", headers=headers)
        watch.assert_clean()


async def test_meters_and_measurements_name_only_what_exists(caplog):
    async with _sandbox() as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "casavi"):
            headers = await casavi_headers(client)
            await _job(watch, headers, "/import", {"properties": [{"id": "P-1", "units": [{"id": "U-1"}]}]})
            await watch.post(f"{C}/consumptions/resources", headers=headers, json={"id": "R-1", "name": "Water", "unit": "m3"})
            await watch.post(f"{C}/consumptions/resources", headers=headers, json={"id": "R-2", "name": value, "unit": value})
            await watch.post(f"{C}/units/U-1/meters", headers=headers, json={"id": "M-1", "resourceId": "R-1", "number": "1"})
            await watch.post(f"{C}/communities/P-1/meters", headers=headers, json={"id": "M-2", "resourceId": value})
            await watch.put(f"{C}/consumptions/meters/M-1", headers=headers, json={"id": "M-1", "resourceId": value})
            await watch.post(f"{C}/consumptions/measurements", headers=headers, json=[{"value": 1, "date": "2024-01-01", "meterId": "M-1"}])
            for body in ([{"value": value, "date": "2024-01-02", "meterId": "M-1"}], [{"value": 1, "date": "2024-01-02", "meterId": value}],
                         {"value": 2, "date": "2024-01-03", "meterId": "M-1", "notes": value}):
                await watch.post(f"{C}/consumptions/measurements", headers=headers, json=body)
            for path in ("/consumptions/meters", "/consumptions/meters/M-1", "/consumptions/meters/M-1/measurements",
                         "/units/U-1/meters", "/communities/P-1/meters", "/consumptions/measurements", "/consumptions/resources"):
                await watch.get(f"{C}{path}", headers=headers)
            await watch.delete(f"{C}/consumptions/meters/M-1", headers=headers)
            left = (await watch.get(f"{C}/consumptions/measurements", headers=headers)).json()
            rows = left.get("rows", left) if isinstance(left, dict) else left
            orphans = [row for row in rows if isinstance(row, dict) and row.get("meterId") == "M-1"]
            if orphans:
                watch.problem(f"meter M-1 was deleted; {len(orphans)} measurement(s) still name it")
        watch.assert_clean()
