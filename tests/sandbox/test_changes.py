"""Every source of change goes through the store's one write path and announces itself:
HTTP calls, import jobs, fixture loads and state imports; store, indexes and cached
answers agree afterwards."""

from __future__ import annotations

import asyncio

from mock_server.engine.state.changes import Change
from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client


def _record(client, api: str, **filters) -> list[Change]:
    changes: list[Change] = []
    client.app.sandbox.apis[api].runtime.feed.subscribe(changes.append, **filters)
    return changes


def _summary(changes: list[Change]) -> list[tuple]:
    return [(c.origin, c.kind, c.collection, c.key) for c in changes]


async def test_http_create_update_delete_announce_their_changes_in_order():
    async with sandbox_client(no_demo_data=True) as client:
        changes = _record(client, "afosto", collections="/cat/channels")
        created = (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"})).json()
        key = created["id"]
        await client.put(f"/afosto/cat/channels/{key}", headers=AFOSTO, json={"name": "Shop"})
        await client.delete(f"/afosto/cat/channels/{key}", headers=AFOSTO)
        await client.post("/afosto/cat/channels", headers=AFOSTO, json=[])  # nothing changes: no event
        assert _summary(changes) == [
            ("api", "created", "/cat/channels", key),
            ("api", "updated", "/cat/channels", key),
            ("api", "deleted", "/cat/channels", key),
        ]
        created_event, updated, deleted = changes
        assert created_event.before is None and created_event.after["name"] == "Webshop"
        assert updated.before["name"] == "Webshop" and updated.after["name"] == "Shop"
        assert deleted.before["name"] == "Shop" and deleted.after is None
        assert created_event.api == "afosto" and created_event.account == "demo"


async def test_an_import_job_announces_each_record_as_the_task_applies_it():
    async with sandbox_client(job_delay=5, no_demo_data=True) as client:
        headers = await casavi_headers(client)
        changes = _record(client, "casavi")
        envelope = {
            "contacts": [{"id": "C-1", "email": "joe@example.test"}],
            "properties": [{"id": "P-1", "units": [{"id": "P-1-1"}]}],
        }
        await client.post("/casavi/import", headers=headers, json=envelope)
        assert changes == []  # queued, nothing applied yet
        await client.post("/__admin/jobs/run")
        assert _summary(changes) == [
            ("task", "created", "/contacts", "C-1"),
            ("task", "created", "/properties", "P-1"),
            ("task", "created", "/properties/{propertyId}/units", "P-1-1"),
            ("view", "created", "/units", "P-1-1"),
        ]
        runtime = client.app.sandbox.apis["casavi"].runtime
        ((_, contact),) = runtime.store.find("demo", "/contacts", "email", "JOE@example.test")
        assert contact["id"] == "C-1" and isinstance(contact["internalId"], int)


async def test_fixture_loads_and_state_imports_announce_their_origin():
    async with sandbox_client(no_demo_data=True) as client:
        changes = _record(client, "afosto", collections="/cat/channels")
        fixture = {"afosto": {"data": {"demo": {"/cat/channels": [{"id": "c1", "name": "One"}]}}}}
        assert (await client.post("/__admin/fixtures", json=fixture)).status_code == 200
        state = (await client.get("/__admin/state", params={"api": "afosto"})).json()
        assert (await client.put("/__admin/state", json=state)).status_code == 200
        assert _summary(changes) == [
            ("fixture", "created", "/cat/channels", "c1"),
            ("state", "created", "/cat/channels", "c1"),
        ]


async def test_store_index_and_cached_answers_agree_after_every_kind_of_change():
    async with sandbox_client(job_delay=0, no_demo_data=True) as client:
        headers = await casavi_headers(client)
        runtime = client.app.sandbox.apis["casavi"].runtime

        async def read_contacts() -> list[dict]:
            return (await client.get("/casavi/contacts", headers=headers)).json()

        assert await read_contacts() == []  # cached now
        await client.post("/casavi/import", headers=headers, json={"contacts": [{"id": "C-1", "email": "a@x.test"}]})
        for _ in range(100):
            if runtime.store.collection("demo", "/contacts").get("C-1"):
                break
            await asyncio.sleep(0.01)
        assert [contact["email"] for contact in await read_contacts()] == ["a@x.test"]  # not the cached empty list
        await client.post("/casavi/import", headers=headers, json={"contacts": [{"id": "C-1", "email": "b@x.test"}]})
        await client.post("/__admin/jobs/run")
        assert [contact["email"] for contact in await read_contacts()] == ["b@x.test"]
        assert runtime.store.find("demo", "/contacts", "email", "a@x.test") == []
        assert [record["id"] for _, record in runtime.store.find("demo", "/contacts", "email", "b@x.test")] == ["C-1"]
        fixture = {"casavi": {"data": {"demo": {"/contacts": [{"id": "C-2", "email": "c@x.test"}]}}}}
        await client.post("/__admin/fixtures", json=fixture)
        assert [contact["id"] for contact in await read_contacts()] == ["C-1", "C-2"]
        assert [record["id"] for _, record in runtime.store.find("demo", "/contacts", "email", "c@x.test")] == ["C-2"]


async def test_a_reset_during_a_running_import_leaves_a_consistent_state():
    async with sandbox_client(job_delay=0.02, no_demo_data=True) as client:
        headers = await casavi_headers(client)
        contacts = [{"id": f"C-{n}"} for n in range(200)]
        job = (await client.post("/casavi/import", headers=headers, json={"contacts": contacts})).json()["jobId"]
        await asyncio.sleep(0.1)
        assert 0 < (await client.get(f"/casavi/jobs/{job}", headers=headers)).json()["progress"] < 1
        assert (await client.post("/__admin/reset", params={"api": "casavi"})).status_code == 200
        await asyncio.sleep(0.1)
        state = (await client.get("/__admin/state", params={"api": "casavi"})).json()["casavi"]
        assert state["tasks"] == [] and state["data"].get("demo", {}).get("/contacts", []) == []
        headers = await casavi_headers(client)
        assert (await client.get(f"/casavi/jobs/{job}", headers=headers)).status_code == 404
        assert (await client.get("/casavi/contacts", headers=headers)).json() == []
