"""Fixture objects carry the fields the server manages, stamped as if they had been made
through the API, unless the fixture gives them: its own values win, and numbers it gives
move their sequence on so the next object made through the API does not reuse one."""

from __future__ import annotations

from tests.http_sandbox import AFOSTO, FROZEN, casavi_headers

CREATED_THEN = "2024-05-06T07:08:09.000Z"
CHANGED_THEN = "2024-06-07T08:09:10.000Z"


async def _load(client, document) -> None:
    answer = await client.post("/__admin/fixtures", json=document)
    assert answer.status_code == 200, answer.text


async def _casavi_tickets(client, headers) -> dict[str, dict]:
    answer = await client.get("/casavi/tickets", headers=headers)
    assert answer.status_code == 200, answer.text
    return {ticket["id"]: ticket for ticket in answer.json()}


async def test_casavi_fixture_tickets_are_stamped_like_created_ones(client):
    headers = await casavi_headers(client)
    demo_count = len(await _casavi_tickets(client, headers))
    await _load(client, {"casavi": {"data": {"demo": {"/tickets": [
        {"id": "T-OPEN", "title": "Dripping tap", "status": "OPEN"},
        {"id": "T-CLOSED", "title": "Broken door", "status": "CLOSED"},
        {"id": "T-PLAIN", "title": "No status given"},
    ]}}}})
    tickets = await _casavi_tickets(client, headers)
    opened, closed, plain = tickets["T-OPEN"], tickets["T-CLOSED"], tickets["T-PLAIN"]
    for ticket in (opened, closed, plain):
        assert ticket["createdAt"] == ticket["lastModified"] == ticket["reportedAt"] == FROZEN, ticket
        assert isinstance(ticket["internalId"], int), ticket
        assert ticket["appLink"].endswith(f"/tickets/{ticket['id']}")
    assert [opened["number"], closed["number"], plain["number"]] == [str(demo_count + n) for n in (1, 2, 3)]
    assert len({ticket["internalId"] for ticket in tickets.values()}) == len(tickets)
    assert closed["closedAt"] == closed["lastModified"]
    assert opened["closedAt"] is None and plain["closedAt"] is None
    assert plain["status"] == "OPEN"
    read = await client.get("/casavi/tickets/T-CLOSED", headers=headers)
    assert read.json()["closedAt"] == FROZEN and read.json()["number"] == closed["number"]


async def test_casavi_fixture_values_win_and_numbering_continues_after_them(client):
    headers = await casavi_headers(client)
    await _load(client, {"casavi": {"data": {"demo": {"/tickets": [
        {
            "id": "T-GIVEN", "title": "All given", "status": "CLOSED", "number": "40", "internalId": 70,
            "createdAt": CREATED_THEN, "lastModified": CHANGED_THEN, "reportedAt": "2024-05-01T00:00:00.000Z",
            "closedAt": "2024-06-01T00:00:00.000Z", "appLink": "https://example.test/t/1",
        },
        {"id": "T-CREATED", "title": "Only created", "createdAt": CREATED_THEN},
        {"id": "T-CHANGED", "title": "Only changed", "lastModified": CHANGED_THEN},
    ]}}}})
    tickets = await _casavi_tickets(client, headers)
    given = tickets["T-GIVEN"]
    assert (given["number"], given["internalId"], given["createdAt"], given["lastModified"]) == ("40", 70, CREATED_THEN, CHANGED_THEN)
    assert (given["reportedAt"], given["closedAt"], given["appLink"]) == (
        "2024-05-01T00:00:00.000Z", "2024-06-01T00:00:00.000Z", "https://example.test/t/1"
    )
    # A time given alone dates the object: its other time is the same, never "now" out of order.
    assert tickets["T-CREATED"]["lastModified"] == tickets["T-CREATED"]["reportedAt"] == CREATED_THEN
    assert tickets["T-CHANGED"]["createdAt"] == CHANGED_THEN
    # The objects after the given ones in the same fixture already follow them.
    assert [(tickets[key]["number"], tickets[key]["internalId"]) for key in ("T-CREATED", "T-CHANGED")] == [("41", 71), ("42", 72)]
    created = await client.post("/casavi/tickets", json={"id": "T-NEXT", "title": "Next", "propertyId": "P-00001"}, headers=headers)
    assert created.status_code == 200, created.text
    assert (created.json()["number"], created.json()["internalId"]) == ("43", 73)


async def test_casavi_fixture_replacing_an_object_keeps_its_managed_fields(client):
    headers = await casavi_headers(client)
    await _load(client, {"casavi": {"data": {"demo": {"/tickets": [{"id": "T-R", "title": "First", "status": "CLOSED"}]}}}})
    first = (await _casavi_tickets(client, headers))["T-R"]
    await _load(client, {"casavi": {"data": {"demo": {"/tickets": [{"id": "T-R", "title": "Again", "status": "OPEN"}]}}}})
    again = (await _casavi_tickets(client, headers))["T-R"]
    assert (again["internalId"], again["number"], again["createdAt"]) == (first["internalId"], first["number"], first["createdAt"])
    assert again["closedAt"] is None and again["title"] == "Again"


async def test_casavi_fixture_contacts_and_properties_get_internal_ids_after_given_ones(client):
    headers = await casavi_headers(client)
    await _load(client, {"casavi": {"data": {"demo": {
        "/contacts": [{"id": "C-GIVEN", "firstName": "Ada", "internalId": 500}, {"id": "C-NEW", "firstName": "Bo"}],
        "/properties": [{"id": "P-NEW", "name": "Elm Street 1"}],
    }}}})
    contacts = {c["id"]: c for c in (await client.get("/casavi/contacts", headers=headers)).json()}
    assert contacts["C-GIVEN"]["internalId"] == 500
    assert contacts["C-NEW"]["internalId"] == 501
    assert contacts["C-NEW"]["appLink"].endswith("/contacts/C-NEW")
    read = (await client.get("/casavi/properties/P-NEW", headers=headers)).json()
    assert isinstance(read["internalId"], int) and read["appLink"].endswith("/properties/P-NEW")


async def test_casavi_fixture_tasks_have_state_stamps_that_agree(client):
    headers = await casavi_headers(client)
    await _load(client, {"casavi": {"data": {"demo": {
        "/tickets": [{"id": "T-TASKS", "title": "With tasks"}],
        "/tickets/T-TASKS/tasks": [
            {"id": "TK-1", "title": "Declined", "status": "DECLINED"},
            {"id": "TK-2", "title": "Done the old way", "completed": True},
            {"id": "TK-3", "title": "Accepted then", "status": "ACCEPTED", "acceptedAt": CREATED_THEN},
        ],
    }}}})
    tasks = {}
    for key in ("TK-1", "TK-2", "TK-3"):
        answer = await client.get(f"/casavi/tickets/T-TASKS/tasks/{key}", headers=headers)
        assert answer.status_code == 200, answer.text
        tasks[key] = answer.json()
    assert (tasks["TK-1"]["completed"], tasks["TK-1"]["declinedAt"], tasks["TK-1"]["completedAt"]) == (False, FROZEN, None)
    assert (tasks["TK-2"]["status"], tasks["TK-2"]["completedAt"]) == ("COMPLETED", FROZEN)
    assert (tasks["TK-3"]["acceptedAt"], tasks["TK-3"]["completed"]) == (CREATED_THEN, False)
    assert all(task["createdAt"] == FROZEN for task in (tasks["TK-1"], tasks["TK-2"]))


async def test_afosto_fixture_objects_get_created_and_updated_times(client):
    await _load(client, {"afosto": {"data": {"demo": {"/cat/groups": [
        {"id": "g-plain", "name": "Plain"},
        {"id": "g-created", "name": "Dated", "created_at": CREATED_THEN},
        {"id": "g-both", "name": "Both", "created_at": CREATED_THEN, "updated_at": CHANGED_THEN},
    ]}}}})
    groups = {}
    for key in ("g-plain", "g-created", "g-both"):
        answer = await client.get(f"/afosto/cat/groups/{key}", headers=AFOSTO)
        assert answer.status_code == 200, answer.text
        groups[key] = answer.json()
    assert groups["g-plain"]["created_at"] == groups["g-plain"]["updated_at"] == FROZEN
    assert groups["g-created"]["created_at"] == groups["g-created"]["updated_at"] == CREATED_THEN
    assert (groups["g-both"]["created_at"], groups["g-both"]["updated_at"]) == (CREATED_THEN, CHANGED_THEN)


async def test_a_state_import_restores_objects_exactly_as_exported(client):
    headers = await casavi_headers(client)
    await _load(client, {"casavi": {"data": {"demo": {"/tickets": [{"id": "T-S", "title": "Kept"}]}}}})
    exported = (await client.get("/__admin/state")).json()
    exported["casavi"]["data"]["demo"]["/tickets"] = [
        {key: value for key, value in ticket.items() if key not in ("createdAt", "internalId")}
        for ticket in exported["casavi"]["data"]["demo"]["/tickets"]
    ]
    answer = await client.put("/__admin/state", json=exported)
    assert answer.status_code == 200, answer.text
    ticket = (await client.get("/casavi/tickets/T-S", headers=headers)).json()
    assert "internalId" not in ticket or ticket["internalId"] is None
