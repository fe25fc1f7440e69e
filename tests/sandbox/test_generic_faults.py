"""Faults a new user found in the generic behaviour, each tried over HTTP."""

from __future__ import annotations

from tests.http_sandbox import AFOSTO, RELAY, casavi_headers, sandbox_client


async def test_a_natural_key_the_client_chooses_is_kept_and_finds_the_object():
    async with sandbox_client(no_demo_data=True) as client:
        created = await client.post("/afosto/cnt/instant/proxies", headers=AFOSTO, json={"key": "probe-key"})
        assert created.status_code == 201 and created.json()["key"] == "probe-key"
        read = await client.get("/afosto/cnt/instant/proxies/probe-key", headers=AFOSTO)
        assert read.status_code == 200 and read.json()["key"] == "probe-key"
        clash = await client.post("/afosto/cnt/instant/proxies", headers=AFOSTO, json={"key": "probe-key"})
        assert clash.status_code in (400, 409) and "exists already" in clash.json()["message"]
        made = (await client.post("/afosto/cnt/instant/proxies", headers=AFOSTO, json={})).json()["key"]
        assert (await client.get(f"/afosto/cnt/instant/proxies/{made}", headers=AFOSTO)).status_code == 200


async def test_error_messages_name_collections_in_the_singular():
    async with sandbox_client(no_demo_data=True) as client:
        missing = await client.get("/afosto/cnt/instant/proxies/nope", headers=AFOSTO)
        assert missing.status_code == 404 and missing.json()["message"] == "proxy 'nope' not found"
        batch = await client.get("/afosto/cnt/batches/nope/errors", headers=AFOSTO)
        assert "batch 'nope' not found" in batch.json()["message"]


async def test_location_names_the_url_that_deletes_the_new_hook():
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        body = {"eventName": "contact_created", "hookUrl": "https://receiver.example.test/hook"}
        first = await client.post("/casavi/hooks", headers=headers, json=body)
        second = await client.post("/casavi/hooks", headers=headers, json=body)
        for answer in (first, second):
            assert answer.headers["location"] == f"http://localhost/casavi/hooks/{answer.json()['id']}"
        assert first.headers["location"] != second.headers["location"]
        assert (await client.delete(first.headers["location"], headers=headers)).status_code == 204
        assert (await client.delete(first.headers["location"], headers=headers)).status_code == 404


async def test_an_x_task_id_names_a_real_task():
    async with sandbox_client(no_demo_data=True, job_delay=5) as client:
        answer = await client.post("/afosto/rel/organisations", headers=AFOSTO, json={"name": "ACME"})
        task_id = answer.headers["x-task-id"]
        queued = (await client.get(f"/afosto/mes/tasks/{task_id}", headers=AFOSTO)).json()
        assert queued["id"] == task_id and queued["progress"] == 0 and "completed_at" not in queued
        await client.post("/__admin/jobs/run")
        done = (await client.get(f"/afosto/mes/tasks/{task_id}", headers=AFOSTO)).json()
        assert done["progress"] == 100 and done["result"] == "succeeded" and done["completed_at"]
        other = await client.post("/afosto/rel/organisations", headers=AFOSTO, json={"name": "Other"})
        assert other.headers["x-task-id"] != task_id
        assert (await client.get("/afosto/mes/tasks/00000000-0000-4000-8000-000000000000", headers=AFOSTO)).status_code == 404


async def test_a_new_relay_address_gets_a_new_number_each_time():
    address = {"streetAddress": "Main street 5", "postalCode": "80331", "locality": "Munich", "country": "DE"}
    async with sandbox_client(no_demo_data=True) as client:
        numbers = [(await client.post("/relay/addresses", headers=RELAY, json=address)).json() for _ in range(3)]
        assert numbers == [1, 2, 3]


async def test_paging_headers_are_the_real_numbers():
    async with sandbox_client(no_demo_data=True) as client:
        for index in range(5):
            await client.post("/afosto/cat/groups", headers=AFOSTO, json={"name": f"Group {index}"})
        # The group list documents `x-count`; the channel list documents `x-page`.
        page = await client.get("/afosto/cat/groups", headers={**AFOSTO, "x-page": "3", "x-page-size": "2"})
        assert page.headers["x-count"] == "5" and len(page.json()) == 1
        channels = await client.get("/afosto/cat/channels", headers={**AFOSTO, "x-page": "2"})
        assert channels.headers["x-page"] == "2"


async def test_an_empty_body_sent_as_json_is_refused():
    async with sandbox_client() as client:
        channel = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()[0]["id"]
        answer = await client.put(
            f"/afosto/cat/channels/{channel}", headers={**AFOSTO, "content-type": "application/json"}, content=b""
        )
        assert answer.status_code == 400 and answer.json()["errors"]["required"] == ["body"]
        assert answer.json()["code"] == 400


async def test_casavi_contracts_without_type_and_dates_with_times_import_and_read_back():
    unit = {"id": "P-1-0001", "contracts": [
        {"id": "A-1", "contactIds": ["C-1"], "startAt": "2020-09-01T00:00:00.000Z", "endAt": "2099-10-01T00:00:00.000Z"},
    ]}
    envelope = {"contacts": [{"id": "C-1", "lastName": "Smith"}], "properties": [{"id": "P-1", "units": [unit]}]}
    async with sandbox_client(no_demo_data=True) as client:
        headers = await casavi_headers(client)
        job = await client.post("/casavi/import", headers=headers, json=envelope)
        assert job.status_code == 200, job.text
        await client.post("/__admin/jobs/run")
        report = (await client.get(f"/casavi/jobs/{job.json()['jobId']}", headers=headers)).json()
        assert report["results"]["contracts"] == {"created": 1, "updated": 0, "failed": 0}
        (contract,) = (await client.get("/casavi/units/P-1-0001", headers=headers)).json()["contracts"]
        assert contract["startAt"] == "2020-09-01" and contract["endAt"] == "2099-10-01"
        fixture = {"casavi": {"data": {"demo": {"/properties/P-1/units": [
            {"id": "P-1-0002", "contracts": [{"id": "A-2", "endAt": "2030-01-31T00:00:00.000Z"}]},
        ]}}}}
        assert (await client.post("/__admin/fixtures", json=fixture)).status_code == 200
        (contract,) = (await client.get("/casavi/units/P-1-0002", headers=headers)).json()["contracts"]
        assert contract["endAt"] == "2030-01-31"
        bad = await client.post("/casavi/import", headers=headers, json={"properties": [{"id": "P-2", "units": [
            {"id": "U", "contracts": [{"id": "A-3", "endAt": "31.01.2030"}]}]}]})
        assert bad.status_code == 400 and "endAt" in bad.json()["message"]


# --- what a generic write stores can be answered as written ------------------------------------


async def _invalid_field(response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert f'body field \\"{field}\\" must be' in response.text, response.text


async def test_a_model_field_the_request_does_not_describe_is_stored_only_with_the_models_type(monkeypatch):
    """The generic action stores every body field of the object's model; one its request
    model does not describe (a printer's `name` on `PUT .../inbox`) is checked against the
    object's model, by a validator compiled once."""
    async with sandbox_client(no_demo_data=True) as client:
        hub = (await client.post("/afosto/spl/hubs", json={"name": "Hub"}, headers=AFOSTO)).json()["id"]
        printer = (await client.post("/afosto/spl/printers", json={"name": "Front", "hub_id": hub}, headers=AFOSTO)).json()["id"]
        schemas = client.app.sandbox.apis["afosto"].runtime.contract.schemas
        compiled = []
        original = schemas.validator
        monkeypatch.setattr(schemas, "validator", lambda schema: compiled.append(schema) or original(schema))
        for value in (5, ["Front"], {"a": 1}, True):
            await _invalid_field(await client.put(f"/afosto/spl/printers/{printer}/inbox", json={"name": value}, headers=AFOSTO), "name")
        # Four refused requests, each validator compiled once at most (the request body's may
        # have been compiled by an earlier test that sent this operation a body).
        assert compiled and len(compiled) == len({repr(schema) for schema in compiled}) <= 2
        read = await client.get(f"/afosto/spl/printers/{printer}", headers=AFOSTO)
        assert read.json()["name"] == "Front"
        renamed = await client.put(f"/afosto/spl/printers/{printer}/inbox", json={"name": "Back"}, headers=AFOSTO)
        assert renamed.status_code == 200 and renamed.json()["name"] == "Back"
        assert (await client.get(f"/afosto/spl/printers/{printer}", headers=AFOSTO)).json()["name"] == "Back"


async def test_every_generic_write_checks_the_model_fields_its_request_leaves_open():
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        # create
        await _invalid_field(await client.post("/afosto/cat/groups", json={"name": "G", "deleted_at": 5}, headers=AFOSTO), "deleted_at")
        post = {"id": "PO-1", "title": "Hello", "text": "Body", "propertyId": "P-00001", "authorId": "S-1"}
        await _invalid_field(await client.post("/casavi/posts", json={**post, "internalId": "abc"}, headers=headers), "internalId")
        # upsert of a list, by the body's identifier, and at a path the client names
        collection = (await client.get("/afosto/cat/maps/collections", headers=AFOSTO)).json()[0]["id"]
        keys = f"/afosto/cat/maps/collections/{collection}/keys"
        await _invalid_field(await client.put(keys, json=[{"key": "k", "value": "v"}, {"key": "l", "upserted_at": 5}], headers=AFOSTO), "[1].upserted_at")
        route = (await client.post("/afosto/wms/routes", json={"name": "Dock"}, headers=AFOSTO)).json()["id"]
        await _invalid_field(await client.put("/afosto/wms/routes", json={"id": route, "from": 5}, headers=AFOSTO), "from")
        assert (await client.get(f"/afosto/wms/routes/{route}", headers=AFOSTO)).json().get("from") != 5
        # What conforms is stored and answered as written.
        assert (await client.put("/afosto/wms/routes", json={"id": route, "from": "Gate 1"}, headers=AFOSTO)).status_code == 200
        assert (await client.get(f"/afosto/wms/routes/{route}", headers=AFOSTO)).json()["from"] == "Gate 1"
        assert (await client.post("/casavi/posts", json=post, headers=headers)).status_code == 200
        assert "G" not in [group.get("name") for group in (await client.get("/afosto/cat/groups", headers=AFOSTO)).json()]
        assert [item["key"] for item in (await client.get(keys, headers=AFOSTO)).json()] == []
