"""Afosto's batch validate / confirm lifecycle and datasets that keep their rows, over HTTP."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import time
import uuid

from tests.http_sandbox import AFOSTO, sandbox_client

MAPPING = [
    {"column": "sku", "type": "integer", "required": True},
    {"column": "name", "required": True},
    {"column": "price", "type": "number"},
    {"column": "active", "type": "boolean"},
]
GOOD_ROWS = [
    {"data": {"sku": 1, "name": "Shirt", "price": 19.95, "active": True}},
    {"data": {"sku": "2", "name": "Cap", "price": "7", "active": "false"}},
]
BAD_ROWS = [
    {"reference": str(uuid.UUID(int=1)), "data": {"sku": "two", "name": "Sock"}},
    {"reference": str(uuid.UUID(int=2)), "data": {"sku": 3, "price": "cheap", "colour": "red"}},
    {"reference": str(uuid.UUID(int=3)), "data": {"sku": 4, "name": "Belt"}},
]


async def _dataset(client, rows=None) -> str:
    created = await client.post("/afosto/cnt/datasets", json={"reference": "products"}, headers=AFOSTO)
    assert created.status_code == 200, created.text
    dataset = created.json()
    assert dataset["line_count"] == 0 and dataset["is_locked"] is False
    if rows is not None:
        uploaded = await client.post(f"/afosto/cnt/datasets/{dataset['id']}/upload", json=rows, headers=AFOSTO)
        assert uploaded.status_code == 204, uploaded.text
    return dataset["id"]


async def _batch(client, dataset_id: str, mapping=MAPPING) -> dict:
    body = {"dataset_id": dataset_id, "reference": "spring import", "import": {"mapping": mapping}}
    created = await client.post("/afosto/cnt/batches", json=body, headers=AFOSTO)
    assert created.status_code == 200, created.text
    return created.json()


async def _read(client, path: str) -> dict:
    response = await client.get(f"/afosto{path}", headers=AFOSTO)
    assert response.status_code == 200, response.text
    body = response.json()
    return body[0] if isinstance(body, list) else body


async def _flags(client, batch_id: str) -> dict:
    batch = await _read(client, f"/cnt/batches/{batch_id}")
    return {name: batch[name] for name in ("is_locked", "is_accepted", "is_confirmed", "is_ready", "is_failing")}


async def _task(client, response) -> dict:
    task_id = response.headers["x-task-id"]
    task = await client.get(f"/afosto/mes/tasks/{task_id}", headers=AFOSTO)
    assert task.status_code == 200, task.text
    assert task.json()["id"] == task_id
    return task.json()


async def _run_jobs(client) -> None:
    assert (await client.post("/__admin/jobs/run")).status_code == 200


async def test_a_new_batch_has_every_flag_false(client):
    dataset_id = await _dataset(client)
    batch = await _batch(client, dataset_id)
    assert {name: batch[name] for name in ("is_import", "is_locked", "is_accepted", "is_confirmed", "is_ready", "is_failing")} == {
        "is_import": True, "is_locked": False, "is_accepted": False, "is_confirmed": False, "is_ready": False, "is_failing": False,
    }
    assert batch["import"]["mapping"]["sku"] == {"type": "integer", "required": True}
    assert batch["import"]["mapping"]["name"] == {"type": "string", "required": True}
    export = await client.post("/afosto/cnt/batches", json={"export": {"view": "products"}, "is_ready": True}, headers=AFOSTO)
    assert export.json()["is_import"] is False and export.json()["is_ready"] is False
    bad = await client.post("/afosto/cnt/batches", json={"import": {"mapping": [{"type": "integer"}]}}, headers=AFOSTO)
    assert bad.status_code == 400 and "import.mapping[0].column" in bad.json()["message"]
    bad_type = await client.post("/afosto/cnt/batches", json={"import": {"mapping": [{"column": "a", "type": "money"}]}}, headers=AFOSTO)
    assert bad_type.status_code == 400 and bad_type.json()["errors"]["invalid value"] == ["import.mapping[0].type"]


async def test_valid_rows_are_accepted_then_confirmed_until_ready(client):
    dataset_id = await _dataset(client, GOOD_ROWS)
    batch = await _batch(client, dataset_id)
    validated = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
    assert validated.status_code == 200 and validated.content == b""
    task = await _task(client, validated)
    assert task["name"] == "batch_validation"
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is True
    await _run_jobs(client)
    assert await _flags(client, batch["id"]) == {
        "is_locked": True, "is_accepted": True, "is_confirmed": False, "is_ready": False, "is_failing": False,
    }
    assert (await _task(client, validated))["result"] == "accepted"
    assert (await _task(client, validated))["progress"] == 100
    assert (await client.get(f"/afosto/cnt/batches/{batch['id']}/errors", headers=AFOSTO)).json() == []

    confirmed = await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)
    assert confirmed.status_code == 200
    assert (await _flags(client, batch["id"]))["is_confirmed"] is True
    processing = await _task(client, confirmed)
    assert processing["name"] == "batch_processing" and processing["id"] != task["id"]
    await _run_jobs(client)
    assert await _flags(client, batch["id"]) == {
        "is_locked": True, "is_accepted": True, "is_confirmed": True, "is_ready": True, "is_failing": False,
    }
    assert (await _task(client, confirmed))["result"] == "ready"
    assert (await _read(client, f"/cnt/batches/{batch['id']}"))["task_id"] == confirmed.headers["x-task-id"]
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is False
    again = await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)
    assert again.status_code == 409


async def test_invalid_rows_fail_with_the_documented_errors_and_the_lock_lifted(client):
    dataset_id = await _dataset(client, BAD_ROWS)
    batch = await _batch(client, dataset_id)
    validated = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
    await _run_jobs(client)
    assert await _flags(client, batch["id"]) == {
        "is_locked": False, "is_accepted": False, "is_confirmed": False, "is_ready": False, "is_failing": True,
    }
    assert (await _task(client, validated))["result"] == "failing"
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is False
    errors = (await client.get(f"/afosto/cnt/batches/{batch['id']}/errors", headers=AFOSTO)).json()
    assert errors == [
        {"reference": BAD_ROWS[0]["reference"], "errors": [
            {"column": "sku", "level": "error", "message": "sku must be an integer, not 'two'"},
        ]},
        {"reference": BAD_ROWS[1]["reference"], "errors": [
            {"column": "name", "level": "error", "message": "name is required"},
            {"column": "price", "level": "error", "message": "price must be a number, not 'cheap'"},
            {"column": "colour", "level": "warning", "message": "colour is not in the import mapping; it is ignored"},
        ]},
    ]
    paged = await client.get(f"/afosto/cnt/batches/{batch['id']}/errors", headers={**AFOSTO, "x-page": "2", "x-page-size": "1"})
    assert paged.headers["x-page"] == "2" and [entry["reference"] for entry in paged.json()] == [BAD_ROWS[1]["reference"]]
    assert (await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)).status_code == 409

    # The lock is lifted: the rows can be corrected and the batch validated again.
    fixed = [{"reference": BAD_ROWS[0]["reference"], "data": {"sku": 2, "name": "Sock"}},
             {"reference": BAD_ROWS[1]["reference"], "data": {"sku": 3, "name": "Hat", "price": 5}}]
    assert (await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=fixed, headers=AFOSTO)).status_code == 204
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["line_count"] == 3
    assert (await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)).status_code == 200
    await _run_jobs(client)
    assert (await _flags(client, batch["id"]))["is_accepted"] is True
    assert (await client.get(f"/afosto/cnt/batches/{batch['id']}/errors", headers=AFOSTO)).json() == []


async def test_confirm_before_acceptance_is_a_conflict(client):
    batch = await _batch(client, await _dataset(client, GOOD_ROWS))
    response = await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)
    assert response.status_code == 409
    assert "not accepted" in response.json()["message"] and response.json()["code"] == 409
    assert (await _flags(client, batch["id"]))["is_confirmed"] is False
    missing = await client.put(f"/afosto/cnt/batches/{uuid.uuid4()}/confirm", headers=AFOSTO)
    assert missing.status_code == 404


async def test_while_locked_the_batch_and_its_dataset_refuse_changes():
    async with sandbox_client(job_delay=60) as client:
        dataset_id = await _dataset(client, GOOD_ROWS)
        batch = await _batch(client, dataset_id)
        csv_file = await _upload_file(client, "more.csv", b"sku,name\n5,Scarf\n", "text/csv")
        assert (await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)).status_code == 200
        await asyncio.sleep(0.05)  # the first step ran; the next waits for the delay
        assert await _flags(client, batch["id"]) == {
            "is_locked": True, "is_accepted": False, "is_confirmed": False, "is_ready": False, "is_failing": False,
        }
        refused = [
            await client.put(f"/afosto/cnt/batches/{batch['id']}", json={"reference": "x"}, headers=AFOSTO),
            await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO),
            await client.delete(f"/afosto/cnt/batches/{batch['id']}", headers=AFOSTO),
            await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=GOOD_ROWS, headers=AFOSTO),
            await client.post(f"/afosto/cnt/datasets/{dataset_id}/attach", json={"file_id": csv_file["id"]}, headers=AFOSTO),
        ]
        assert [response.status_code for response in refused] == [409, 409, 409, 409, 409], [r.text for r in refused]
        assert "locked" in refused[0].json()["message"] and "validated" in refused[2].json()["message"]
        other = await _batch(client, dataset_id)
        assert (await client.put(f"/afosto/cnt/batches/{other['id']}/validate", headers=AFOSTO)).status_code == 409
        await _run_jobs(client)
        assert (await _flags(client, batch["id"]))["is_accepted"] is True
        # Accepted is still locked until it is confirmed or deleted.
        assert (await client.put(f"/afosto/cnt/batches/{batch['id']}", json={"reference": "x"}, headers=AFOSTO)).status_code == 409


async def test_each_state_is_observable_with_a_delay():
    rows = [{"data": {"sku": number, "name": f"item {number}"}} for number in range(60)]  # three steps of rows
    async with sandbox_client(job_delay=0.2) as client:
        batch = await _batch(client, await _dataset(client, rows))
        validated = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
        seen = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            task = await _task(client, validated)
            flags = await _flags(client, batch["id"])
            seen.append((task["progress"], flags["is_locked"], flags["is_accepted"]))
            if flags["is_accepted"]:
                break
            await asyncio.sleep(0.05)
        assert seen[-1] == (100, True, True)
        assert any(0 < progress < 100 and locked and not accepted for progress, locked, accepted in seen), seen
        confirmed = await client.put(f"/afosto/cnt/batches/{batch['id']}/confirm", headers=AFOSTO)
        states = []
        while time.monotonic() < deadline:
            flags = await _flags(client, batch["id"])
            states.append((flags["is_confirmed"], flags["is_ready"]))
            if flags["is_ready"]:
                break
            await asyncio.sleep(0.05)
        assert (True, False) in states and states[-1] == (True, True)
        assert (await _task(client, confirmed))["progress"] == 100


async def test_delete_only_an_unconfirmed_batch(client):
    dataset_id = await _dataset(client, GOOD_ROWS)
    fresh = await _batch(client, dataset_id)
    deleted = await client.delete(f"/afosto/cnt/batches/{fresh['id']}", headers=AFOSTO)
    assert deleted.status_code == 200 and deleted.json()[0]["id"] == fresh["id"]
    assert (await client.get(f"/afosto/cnt/batches/{fresh['id']}", headers=AFOSTO)).status_code == 404

    accepted = await _batch(client, dataset_id)
    await client.put(f"/afosto/cnt/batches/{accepted['id']}/validate", headers=AFOSTO)
    await _run_jobs(client)
    assert (await client.delete(f"/afosto/cnt/batches/{accepted['id']}", headers=AFOSTO)).status_code == 200
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["is_locked"] is False  # freed with it

    confirmed = await _batch(client, dataset_id)
    await client.put(f"/afosto/cnt/batches/{confirmed['id']}/validate", headers=AFOSTO)
    await _run_jobs(client)
    await client.put(f"/afosto/cnt/batches/{confirmed['id']}/confirm", headers=AFOSTO)
    refused = await client.delete(f"/afosto/cnt/batches/{confirmed['id']}", headers=AFOSTO)
    assert refused.status_code == 409 and "confirmed" in refused.json()["message"]
    await _run_jobs(client)
    assert (await client.delete(f"/afosto/cnt/batches/{confirmed['id']}", headers=AFOSTO)).status_code == 409


async def test_validation_needs_a_dataset(client):
    batch = (await client.post("/afosto/cnt/batches", json={"import": {"mapping": MAPPING}}, headers=AFOSTO)).json()
    response = await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
    # A well-formed request the batch's state refuses: a conflict, as the contract documents.
    assert response.status_code == 409 and response.json()["errors"]["required"] == ["dataset_id"]
    unknown = await client.post("/afosto/cnt/batches", json={"dataset_id": str(uuid.uuid4())}, headers=AFOSTO)
    assert unknown.status_code == 404 and unknown.json()["errors"]["invalid value"] == ["dataset_id"]


# --- datasets -------------------------------------------------------------------------------------


async def _upload_file(client, name: str, content: bytes, content_type: str) -> dict:
    signature = await client.post("/afosto/cnt/files/signature", json={"path": "/imports"}, headers=AFOSTO)
    assert signature.status_code == 200 and signature.json()["expires_at"] > "2026-01-02T03:04"
    uploaded = await client.post(
        f"/afosto/cnt/files/upload/{signature.json()['signature']}", files={"file": (name, content, content_type)}, headers=AFOSTO
    )
    assert uploaded.status_code == 200, uploaded.text
    stored = uploaded.json()[0]
    assert stored["filename"] == name and stored["mime"] == content_type and stored["dir"] == "/imports"
    return stored


async def test_datasets_keep_their_rows_and_page_them(client):
    dataset_id = await _dataset(client)
    rows = [{"reference": str(uuid.UUID(int=number + 10)), "data": {"sku": number}} for number in range(5)]
    uploaded = await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=rows, headers=AFOSTO)
    assert uploaded.status_code == 204 and (await _task(client, uploaded))["id"]
    page = await client.get(f"/afosto/cnt/datasets/{dataset_id}/lines", headers={**AFOSTO, "x-page": "2", "x-page-size": "2"})
    assert page.headers["x-page"] == "2" and page.json() == rows[2:4]
    replaced = [{"reference": rows[0]["reference"], "data": {"sku": 99}}]
    await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=replaced, headers=AFOSTO)
    lines = (await client.get(f"/afosto/cnt/datasets/{dataset_id}/lines", headers=AFOSTO)).json()
    assert lines[0] == replaced[0] and len(lines) == 5
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["line_count"] == 5
    not_uuid = await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=[{"reference": "row-1", "data": {}}], headers=AFOSTO)
    assert not_uuid.status_code == 400 and not_uuid.json()["errors"]["invalid value"] == ["[0].reference"]
    no_data = await client.post(f"/afosto/cnt/datasets/{dataset_id}/upload", json=[{"reference": rows[0]["reference"]}], headers=AFOSTO)
    assert no_data.status_code == 400 and "[0].data" in no_data.json()["message"]
    assert (await client.post(f"/afosto/cnt/datasets/{uuid.uuid4()}/upload", json=rows, headers=AFOSTO)).status_code == 404


async def test_attach_reads_an_uploaded_csv_or_json_file(client):
    text = "sku;name;price\n1;Shirt;19.95\n2;Cap;7\n"
    csv_file = await _upload_file(client, "products.csv", text.encode(), "text/csv")
    dataset_id = await _dataset(client)
    attached = await client.post(f"/afosto/cnt/datasets/{dataset_id}/attach", json={"file_id": csv_file["id"]}, headers=AFOSTO)
    assert attached.status_code == 204 and attached.headers["x-task-id"]
    lines = (await client.get(f"/afosto/cnt/datasets/{dataset_id}/lines", headers=AFOSTO)).json()
    assert [line["data"] for line in lines] == [{"sku": "1", "name": "Shirt", "price": "19.95"}, {"sku": "2", "name": "Cap", "price": "7"}]
    assert all(uuid.UUID(line["reference"]) for line in lines)
    dataset = await _read(client, f"/cnt/datasets/{dataset_id}")
    assert dataset["file_id"] == csv_file["id"] and dataset["line_count"] == 2

    json_file = await _upload_file(client, "rows.json", b'[{"sku": 3, "name": "Belt"}]', "application/json")
    await client.post(f"/afosto/cnt/datasets/{dataset_id}/attach", json={"file_id": json_file["id"]}, headers=AFOSTO)
    assert (await _read(client, f"/cnt/datasets/{dataset_id}"))["line_count"] == 3

    picture = await _upload_file(client, "logo.png", b"\x89PNG\r\n", "image/png")
    refused = await client.post(f"/afosto/cnt/datasets/{dataset_id}/attach", json={"file_id": picture["id"]}, headers=AFOSTO)
    assert refused.status_code == 400 and "CSV and JSON" in refused.json()["message"]
    unknown = await client.post(f"/afosto/cnt/datasets/{dataset_id}/attach", json={"file_id": "nope"}, headers=AFOSTO)
    # The action's plain "Not found" is about the dataset its path names, which exists.
    assert unknown.status_code == 400 and unknown.json()["errors"]["invalid value"] == ["file_id"]
    bad_signature = await client.post("/afosto/cnt/files/upload/nope", files={"file": ("a.csv", b"a", "text/csv")}, headers=AFOSTO)
    assert bad_signature.status_code == 404


async def test_export_writes_the_rows_to_a_csv_file_the_dataset_names(client):
    rows = [{"reference": str(uuid.UUID(int=7)), "data": {"sku": 1, "name": "Shirt, blue"}},
            {"reference": str(uuid.UUID(int=8)), "data": {"sku": 2, "active": True}}]
    dataset_id = await _dataset(client, rows)
    exported = await client.post(f"/afosto/cnt/datasets/{dataset_id}/export", headers=AFOSTO)
    assert exported.status_code == 204 and (await _task(client, exported))["id"] == exported.headers["x-task-id"]
    file_id = (await _read(client, f"/cnt/datasets/{dataset_id}"))["file_id"]
    exported_file = await _read(client, f"/cnt/files/{file_id}")
    assert exported_file["mime"] == "text/csv" and exported_file["filename"] == "products.csv"
    state = (await client.get("/__admin/state", params={"api": "afosto"})).json()
    stored = next(item for item in state["afosto"]["data"]["demo"]["/cnt/files"] if item["id"] == file_id)
    table = list(csv.reader(io.StringIO(base64.b64decode(stored["content"]).decode())))
    assert table == [["reference", "sku", "name", "active"], [rows[0]["reference"], "1", "Shirt, blue", ""],
                     [rows[1]["reference"], "2", "", "true"]]
    # The export reads back into another dataset, references and all.
    copy_id = await _dataset(client)
    await client.post(f"/afosto/cnt/datasets/{copy_id}/attach", json={"file_id": file_id}, headers=AFOSTO)
    lines = (await client.get(f"/afosto/cnt/datasets/{copy_id}/lines", headers=AFOSTO)).json()
    assert [line["reference"] for line in lines] == [rows[0]["reference"], rows[1]["reference"]]
    assert lines[0]["data"] == {"sku": "1", "name": "Shirt, blue", "active": ""}


async def test_an_unlocked_batch_changes_the_fields_the_body_names(client):
    dataset_id = await _dataset(client, GOOD_ROWS)
    batch = await _batch(client, dataset_id)
    changed = await client.put(f"/afosto/cnt/batches/{batch['id']}", json={"reference": "autumn import", "is_accepted": True},
                               headers=AFOSTO)
    assert changed.status_code == 200
    after = changed.json()[0]
    assert after["reference"] == "autumn import" and after["dataset_id"] == dataset_id
    assert after["import"] == batch["import"] and after["is_accepted"] is False
    remapped = await client.put(f"/afosto/cnt/batches/{batch['id']}", json={"import": {"mapping": [{"column": "ean"}]}},
                                headers=AFOSTO)
    assert remapped.json()[0]["import"]["mapping"] == {"ean": {"type": "string", "required": False}}
