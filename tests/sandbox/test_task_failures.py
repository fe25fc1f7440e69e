"""A background step that raises fails its job or task the way the vendor reports a
failure, never "completed, 0 failed": casavi counts the record as failed and lists it in
`errors`; an Afosto task ends with `result` `failed`. Each failure is listed at
`/__admin/errors`.

Inputs are checked before a job is queued (a property whose `responsibilities` is not a
list is a 400) and the importer reads stored data of any shape, so no input makes a step
raise: the step is made to raise."""

from __future__ import annotations

import pytest

from mock_server.apis.afosto import batches
from mock_server.apis.afosto.instant_search import index_updates as instant_search
from mock_server.apis.afosto.tasks import OperationTask
from mock_server.apis.casavi.importer import Importer
from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client
from tests.afosto.test_afosto_batches import GOOD_ROWS, _batch, _dataset, _flags, _read, _task


def _poisoned(*args, **kwargs):
    raise RuntimeError("a poisoned step")


async def _run_jobs(client) -> None:
    assert (await client.post("/__admin/jobs/run")).status_code == 200


async def _task_failures(client, api: str) -> list[dict]:
    errors = (await client.get("/__admin/errors", params={"api": api})).json()["errors"]
    assert all(error["source"] == "task" for error in errors)
    return errors


async def _admin_task(client, api: str, task_id: str) -> dict:
    (task,) = [task for task in (await client.get("/__admin/tasks", params={"api": api})).json()["tasks"] if task["id"] == task_id]
    return task


# --- casavi -----------------------------------------------------------------------------------------


async def _job(client, headers, path: str, body: dict) -> dict:
    answer = await client.post(f"/casavi{path}", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    job_id = answer.json()["jobId"]
    await _run_jobs(client)
    report = await client.get(f"/casavi/jobs/{job_id}", headers=headers)
    assert report.status_code == 200, report.text
    return report.json()


async def test_a_responsibility_whose_step_raises_fails_alone_and_is_listed(monkeypatch: pytest.MonkeyPatch):
    applied = Importer.responsibility

    def poisoned_for_p1(importer: Importer, record: dict) -> tuple:
        if record["propertyId"] == "P-1":
            raise AttributeError("a poisoned step")
        return applied(importer, record)

    monkeypatch.setattr(Importer, "responsibility", poisoned_for_p1)
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        properties = {"contacts": [{"id": "C-1"}], "properties": [{"id": "P-1", "name": "Odd"}, {"id": "P-2", "name": "Fine"}]}
        assert (await _job(client, headers, "/import", properties))["results"]["errors"] == []
        report = await _job(client, headers, "/import", {"responsibilities": [
            {"propertyId": "P-1", "contactId": "C-1"},
            {"propertyId": "P-2", "contactId": "C-1", "role": "caretaker"},
        ]})
        results = report["results"]
        assert report["completed"] is True and report["progress"] == 1 and report["completedAt"]
        assert results["responsibilities"] == {"created": 1, "updated": 0, "failed": 1}  # the other record went on
        (error,) = results["errors"]
        (failure,) = await _task_failures(client, "casavi")
        assert error["kind"] == "responsibilities" and error["id"] == "P-1"
        assert "AttributeError" in error["message"] and f"failure {failure['sequence']}" in error["message"]
        assert failure["task"]["id"] == report["id"] and failure["task"]["type"] == "casavi.import"
        assert failure["error"]["type"] == "AttributeError" and "poisoned_for_p1" in failure["traceback"]
        assert (await _admin_task(client, "casavi", report["id"]))["status"] == "failed"
        fine = (await client.get("/casavi/properties/P-2", headers=headers)).json()
        assert [item["contactId"] for item in fine["responsibilities"]] == ["C-1"]


async def test_a_document_job_whose_step_raises_counts_the_document_as_failed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(Importer, "document", _poisoned)
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        report = await _job(client, headers, "/documents", {"id": "D-1", "title": "Statement"})
        assert report["completed"] is True
        assert report["results"]["documents"] == {"created": 0, "updated": 0, "failed": 1}
        (error,) = report["results"]["errors"]
        assert error["kind"] == "documents" and error["id"] == "D-1" and "RuntimeError" in error["message"]
        (failure,) = await _task_failures(client, "casavi")
        assert failure["task"]["type"] == "casavi.document" and failure["error"]["message"] == "a poisoned step"


# --- Afosto -----------------------------------------------------------------------------------------


async def _failed_task(client, task: dict) -> None:
    assert task["result"] == "failed" and task["completed_at"] and task["started_at"]
    (failure,) = [failure for failure in await _task_failures(client, "afosto") if failure["task"]["id"] == task["id"]]
    assert failure["error"] == {"type": "RuntimeError", "message": "a poisoned step"}
    assert (await _admin_task(client, "afosto", task["id"]))["status"] == "failed"


async def test_an_operation_task_whose_step_raises_ends_failed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(OperationTask, "apply", _poisoned)
    async with sandbox_client(no_demo_data=True) as client:
        dataset_id = await _dataset(client)
        uploaded = await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=GOOD_ROWS, headers=AFOSTO)
        assert uploaded.status_code == 204, uploaded.text
        await _run_jobs(client)
        await _failed_task(client, await _task(client, uploaded))


async def test_a_batch_validation_whose_step_raises_ends_failed_with_the_batch_failing(monkeypatch: pytest.MonkeyPatch):
    async with sandbox_client(no_demo_data=True) as client:
        dataset_id = await _dataset(client, GOOD_ROWS)
        batch = await _batch(client, dataset_id)
        with monkeypatch.context() as patched:
            patched.setattr(batches, "row_errors", _poisoned)
            validated = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
            assert validated.status_code == 200, validated.text
            await _run_jobs(client)
        await _failed_task(client, await _task(client, validated))
        assert await _flags(client, batch["id"]) == {
            "is_locked": False, "is_accepted": False, "is_confirmed": False, "is_ready": False, "is_failing": True,
        }
        assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is False
        # Nothing is stuck: validated again, the batch is accepted.
        again = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
        await _run_jobs(client)
        assert (await _task(client, again))["result"] == "accepted"


async def test_a_batch_processing_whose_step_raises_ends_failed_and_the_batch_is_not_ready(monkeypatch: pytest.MonkeyPatch):
    async with sandbox_client(no_demo_data=True) as client:
        dataset_id = await _dataset(client, GOOD_ROWS)
        batch = await _batch(client, dataset_id)
        await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
        await _run_jobs(client)
        monkeypatch.setattr(batches.BatchProcessing, "apply", _poisoned)
        confirmed = await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)
        assert confirmed.status_code == 200, confirmed.text
        await _run_jobs(client)
        await _failed_task(client, await _task(client, confirmed))
        flags = await _flags(client, batch["id"])
        assert flags["is_ready"] is False and flags["is_failing"] is True and flags["is_confirmed"] is True
        assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is False


async def test_an_index_update_whose_step_raises_ends_failed_and_the_update_says_so(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(instant_search, "apply_update", _poisoned)
    async with sandbox_client(no_demo_data=True) as client:
        created = await client.post("/afosto/cnt/instant/indexes", json={"name": "products"}, headers=AFOSTO)
        index_id = created.json()["id"]
        put = await client.put(f"/afosto/cnt/instant/indexes/{index_id}/documents", json=[{"reference": "p1"}], headers=AFOSTO)
        assert put.status_code == 204, put.text
        await _run_jobs(client)
        (update,) = (await client.get(f"/afosto/cnt/instant/indexes/{index_id}/updates", headers=AFOSTO)).json()
        assert update["status"] == "failed"
        (listed,) = [t for t in (await client.get("/__admin/tasks", params={"api": "afosto"})).json()["tasks"]
                     if t["type"] == instant_search.INDEX_UPDATE]
        task = await client.get(f"/afosto/mes/tasks/{listed['id']}", headers=AFOSTO)
        await _failed_task(client, task.json())
