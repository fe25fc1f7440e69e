"""The admin API: reset, state, fixtures, journal, coverage, protection."""

from __future__ import annotations

import json
import uuid

from tests.http_sandbox import AFOSTO, casavi_headers, sandbox_client


async def test_reset_returns_to_the_start_up_state(client):
    created = (await client.post("/afosto/cat/channels", json={"name": "Temporary"}, headers=AFOSTO)).json()
    assert (await client.post("/__admin/reset", params={"api": "afosto"})).json() == {"reset": ["afosto"]}
    assert (await client.get(f"/afosto/cat/channels/{created['id']}", headers=AFOSTO)).status_code == 404
    assert len((await client.get("/afosto/cat/channels", headers=AFOSTO)).json()) == 3
    # The account added by a later fixture is gone; the start-up accounts remain.
    assert (await client.get("/afosto/cat/channels", headers={"Authorization": "Bearer other-afosto-token"})).status_code == 401
    assert (await client.post("/__admin/reset", params={"api": "nope"})).status_code == 404


async def test_state_export_reset_import_is_lossless(client):
    headers = await casavi_headers(client)
    await client.post("/casavi/tickets", headers=headers, json={"id": "T-9", "title": "x", "propertyId": "P-00001"})
    await client.post("/casavi/tickets/T-9/tasks", headers=headers, json={"id": "K-9", "title": "y"})
    demo = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
    await client.delete(f"/afosto/cat/channels/{demo[0]['id']}", headers=AFOSTO)
    await client.post("/messages/api/v3/case-messages/create", params={"accessToken": "demo-partner-token"},
                      json={"guid": "1e0abcb7-b94c-4072-a9c0-37072a1ef015", "type": "reminder"})
    exported = (await client.get("/__admin/state")).json()
    assert exported["casavi"]["data"]["demo"]["/tickets/T-9/tasks"][0]["id"] == "K-9"
    await client.post("/__admin/reset")
    assert (await client.put("/__admin/state", json=exported)).status_code == 200
    assert (await client.get("/__admin/state")).json() == exported
    headers = await casavi_headers(client)
    assert (await client.get("/casavi/tickets/T-9/tasks/K-9", headers=headers)).status_code == 200
    assert len((await client.get("/afosto/cat/channels", headers=AFOSTO)).json()) == 2


async def test_fixtures_add_accounts_and_objects(client):
    fixture = """
casavi:
  accounts: [{name: acme, key: acme-key, secret: acme-secret, tenantId: 77}]
  data:
    acme:
      /contacts: [{id: C-0000312, firstName: Joe, lastName: Smith}]
      /tickets/T-1/comments: [{id: c1, text: hello}]
"""
    response = await client.post("/__admin/fixtures", content=fixture.encode(), headers={"content-type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.json() == {"loaded": {"casavi": 2}}
    headers = await casavi_headers(client, "acme-key", "acme-secret")
    contacts = (await client.get("/casavi/contacts", headers=headers)).json()
    assert any(contact["id"] == "C-0000312" and contact["firstName"] == "Joe" for contact in contacts)


async def test_bad_fixtures_are_refused_with_the_reason(client):
    cases = [
        (b"casavi: [1, 2]", "expected a mapping"),
        (b"nope: {}", "not served here: nope"),
        (b"casavi: {data: {ghost: {/contacts: []}}}", "unknown account 'ghost'"),
        (b"casavi: {data: {demo: {/unknown: [{}]}}}", "no collection of this API has that path"),
        (b"casavi: {accounts: [{key: x}]}", "casavi.accounts[0].name: Field required"),
        (b"{not yaml: [", "not valid YAML or JSON"),
    ]
    for body, reason in cases:
        response = await client.post("/__admin/fixtures", content=body, headers={"content-type": "application/yaml"})
        assert response.status_code == 400, body
        assert reason in response.json()["error"], response.json()


async def test_journal_records_and_filters(client):
    await client.delete("/__admin/requests")
    await client.get("/afosto/cat/channels", headers=AFOSTO)
    await client.post("/afosto/cat/channels", json={"name": 1}, headers=AFOSTO)
    await client.get("/relay/customers")
    everything = (await client.get("/__admin/requests")).json()
    assert everything["count"] == 3
    failed = (await client.get("/__admin/requests", params={"status": 400})).json()["requests"]
    assert len(failed) == 1
    entry = failed[0]
    assert entry["api"] == "afosto" and entry["method"] == "POST" and entry["path"] == "/cat/channels"
    assert entry["operation"] == "createChannel" and entry["request_body"] == '{"name":1}'
    assert '"code":400' in entry["response_body"] and entry["duration_ms"] >= 0
    assert (await client.get("/__admin/requests", params={"api": "relay"})).json()["count"] == 1
    assert (await client.get("/__admin/requests", params={"method": "get", "path": "/cat"})).json()["count"] == 1
    assert (await client.get("/__admin/requests", params={"status": "x"})).status_code == 400
    assert (await client.delete("/__admin/requests")).status_code == 204
    assert (await client.get("/__admin/requests")).json()["count"] == 0


async def test_coverage_counts_calls_by_status(client):
    await client.get("/afosto/cat/channels", headers=AFOSTO)
    await client.get("/afosto/cat/channels", headers={})
    report = (await client.get("/__admin/coverage")).json()
    channels = report["afosto"]["byOperation"]["listChannels"]
    assert channels == {
        "method": "GET", "path": "/cat/channels", "calls": 2, "statuses": {"200": 1, "401": 1},
        "documentedStatuses": [200, 400, 401, 403, 404, 500, 503], "statusesNotSeen": [400, 403, 404, 500, 503],
    }
    assert report["afosto"]["operations"] == 545  # 544 documented, plus the proxy search settings the client calls
    assert report["afosto"]["called"] == 1 and report["afosto"]["operationCoverage"] == round(100 / 545, 2)
    assert report["afosto"]["exercisedStatuses"] == 2
    assert "listChannels" not in report["afosto"]["neverCalled"]
    assert "viewChannel" in report["afosto"]["neverCalled"]


async def test_admin_token_protects_everything_but_health():
    async with sandbox_client(admin_token="s3cret") as client:
        assert (await client.get("/__admin/health")).status_code == 200
        assert (await client.get("/__admin/state")).status_code == 401
        assert (await client.get("/__admin/state", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await client.get("/__admin/state", headers={"Authorization": "Bearer s3cret"})).status_code == 200


async def test_unknown_mount_names_the_mounts(client):
    response = await client.get("/shopify/products")
    assert response.status_code == 404
    assert "/casavi, /afosto, /relay, /messages" in response.json()["error"]


BAD_DOCUMENTS = [
    ({"messages": {"cases": [{"guid": "1e0abcb7-b94c-4072-a9c0-37072a1ef016", "caseId": 1, "provider": "provider"}]}},
     "messages.cases[0].partner: Field required"),
    ({"messages": {"cases": [{"guid": "1e0abcb7-b94c-4072-a9c0-37072a1ef016", "caseId": 1, "partner": "ghost",
                              "provider": "provider"}]}},
     "cases[0].partner: unknown account 'ghost'"),
    ({"afosto": {"accounts": [{"name": "shop"}]}}, "afosto.accounts[0].token: Field required"),
    ({"afosto": {"accounts": [{"name": "shop", "token": ""}]}}, "afosto.accounts[0].token"),
    ({"afosto": {"data": {"demo": {"/cat/channels": {"name": "not a list"}}}}}, "a collection holds a list of objects"),
    ({"casavi": {"accounts": "everyone"}}, "casavi.accounts: Input should be a valid list"),
    ({"casavi": {"unknown": 1}}, "casavi.unknown: Extra inputs are not permitted"),
    # A good section next to a bad one: nothing of either is loaded.
    ({"afosto": {"accounts": [{"name": "new", "token": "new-token"}]}, "relay": {"accounts": [{"name": "x"}]}},
     "relay.accounts[0].apiKey: Field required"),
]


async def test_bad_fixture_documents_change_nothing_and_name_the_field(client):
    before = (await client.get("/__admin/state")).json()
    for document, reason in BAD_DOCUMENTS:
        response = await client.post("/__admin/fixtures", json=document)
        assert response.status_code == 400, document
        assert reason in response.json()["error"], response.json()
    assert (await client.get("/__admin/state")).json() == before


async def test_a_bad_state_import_changes_nothing(client):
    before = (await client.get("/__admin/state")).json()
    health = (await client.get("/__admin/health")).json()["apis"]
    for document, reason in [*BAD_DOCUMENTS, ({"casavi": [1]}, "expected a mapping")]:
        response = await client.put("/__admin/state", json=document)
        assert response.status_code == 400, document
        assert response.json()["error"].startswith("state: "), response.json()
    response = await client.put("/__admin/state", content=b"[1, 2]", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "mapping of API names" in response.json()["error"]
    assert (await client.get("/__admin/state")).json() == before
    assert (await client.get("/__admin/health")).json()["apis"] == health
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200


async def test_unknown_admin_paths_answer_json_404(client):
    response = await client.get("/__admin/nothing-here")
    assert response.status_code == 404 and "no admin call" in response.json()["error"]


async def test_objects_keyed_by_another_field_come_back_from_a_state_import_as_they_were(client):
    """Instant-search documents and dataset lines are keyed by their `reference`: an import
    keeps them under it and adds no identifier (which would move the id counter too)."""
    line = str(uuid.uuid4())
    index = (await client.post("/afosto/cnt/instant/indexes", json={"name": "p"}, headers=AFOSTO)).json()["id"]
    put = await client.put(f"/afosto/cnt/instant/indexes/{index}/documents", json=[{"reference": "r1", "title": "x"}], headers=AFOSTO)
    assert put.status_code == 204
    dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()["id"]
    rows = await client.post(f"/afosto/cnt/datasets/{dataset}/upload", json=[{"reference": line, "data": {"a": "1"}}], headers=AFOSTO)
    assert rows.status_code in (200, 204), rows.text
    await client.post("/__admin/jobs/run")
    exported = (await client.get("/__admin/state")).content
    data = json.loads(exported)["afosto"]["data"]["demo"]
    assert data[f"/cnt/instant/indexes/{index}/documents"] == [{"reference": "r1", "title": "x"}]
    assert data[f"/cnt/datasets/{dataset}/lines"] == [{"reference": line, "data": {"a": "1"}}]
    await client.post("/__admin/reset")
    assert (await client.put("/__admin/state", content=exported, headers={"content-type": "application/json"})).status_code == 200
    assert (await client.get("/__admin/state")).content == exported
    found = await client.post(f"/afosto/cnt/instant/indexes/{index}/search", json={"q": "x"}, headers=AFOSTO)
    assert [hit["reference"] for hit in found.json()["results"][0]["hits"]] == ["r1"]


async def test_an_action_naming_a_collections_parameters_otherwise_changes_the_listed_object(client):
    """`PUT /wms/transfers/{transfer_id}/transports/{id}/state` acts on the transports
    `GET /wms/transfers/{id}/transports` lists, kept in one collection of the state."""
    transfer = (await client.get("/afosto/wms/transfers", headers=AFOSTO)).json()[0]["id"]
    listed = (await client.get(f"/afosto/wms/transfers/{transfer}/transports", headers=AFOSTO)).json()
    transport = listed[0]
    changed = await client.put(f"/afosto/wms/transfers/{transfer}/transports/{transport['id']}/state", json={"state": "x"}, headers=AFOSTO)
    assert changed.status_code == 200, changed.text
    assert changed.json()["id"] == transport["id"] and changed.json()["reference"] == transport["reference"]
    unknown = await client.put(f"/afosto/wms/transfers/{transfer}/transports/{uuid.uuid4()}/state", json={"state": "x"}, headers=AFOSTO)
    assert unknown.status_code == 404
    exported = (await client.get("/__admin/state")).json()["afosto"]["data"]["demo"][f"/wms/transfers/{transfer}/transports"]
    assert [item["id"] for item in exported] == [item["id"] for item in listed]
