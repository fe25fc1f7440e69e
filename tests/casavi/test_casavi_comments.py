"""casavi ticket comments (who wrote them) and attachments (files uploaded by the same account)."""

from __future__ import annotations

import re

from tests.http_sandbox import casavi_headers

TICKET = {"id": "T-1", "title": "Leaking pipe", "propertyId": "P-00001"}
STAFF = {"id": "M-7", "firstName": "Miriam", "lastName": "Manager", "email": "miriam@example.test", "role": "MANAGER"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def _ticket_with_people(client) -> dict[str, str]:
    headers = await casavi_headers(client)
    assert (await client.post("/casavi/tickets", json=TICKET, headers=headers)).status_code == 200
    assert (await client.post("/casavi/staff", json=STAFF, headers=headers)).status_code == 200
    await client.post("/casavi/import", headers=headers, json={
        "contacts": [{"id": "C-5", "firstName": "Joe", "lastName": "Smith", "email": "Joe.Smith@example.test"}]})
    await client.post("/__admin/jobs/run")
    return headers


async def _comment(client, headers, body, ticket: str = "T-1"):
    return await client.post(f"/casavi/tickets/{ticket}/comments", json=body, headers=headers)


async def _upload(client, headers, name: str = "flat.jpg", content_type: str = "image/jpeg") -> int:
    answer = await client.post("/casavi/files", content=b"\xff\xd8 image", headers={**headers, "X-Filename": name, "content-type": content_type})
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


async def test_the_author_resolves_from_staff_contact_or_account(client):
    headers = await _ticket_with_people(client)
    by_staff = (await _comment(client, headers, {"text": "On it", "authorId": "M-7"})).json()
    assert by_staff["author"] == {"type": "staff", "id": "M-7", "name": "Miriam Manager", "email": "miriam@example.test"}
    assert UUID.match(by_staff["id"])
    by_contact = (await _comment(client, headers, {"id": "K-2", "text": "Thanks", "authorEmail": "joe.smith@EXAMPLE.test"})).json()
    assert by_contact["id"] == "K-2"
    assert by_contact["author"] == {"type": "contact", "id": "C-5", "name": "Joe Smith", "email": "Joe.Smith@example.test"}
    anonymous = (await _comment(client, headers, {"text": "Closed"})).json()
    assert anonymous["author"] == {"type": "account", "id": None, "name": "demo", "email": None}
    listed = (await client.get("/casavi/tickets/T-1/comments", headers=headers)).json()["rows"]
    assert [row["author"]["type"] for row in listed] == ["staff", "contact", "account"]


async def test_an_author_given_but_not_found_is_refused_unless_falling_back(client):
    headers = await _ticket_with_people(client)
    unknown_id = await _comment(client, headers, {"text": "x", "authorId": "E-404"})
    assert unknown_id.status_code == 400
    assert 'body field "authorId"' in unknown_id.json()["message"] and "E-404" in unknown_id.json()["message"]
    assert "fallbackToAccount" in unknown_id.json()["message"]
    unknown_email = await _comment(client, headers, {"text": "x", "authorEmail": "nobody@example.test"})
    assert unknown_email.status_code == 400 and "nobody@example.test" in unknown_email.json()["message"]
    staff_email = await _comment(client, headers, {"text": "x", "authorEmail": "miriam@example.test"})
    assert staff_email.status_code == 400  # an email names a contact, not a staff member
    fallback = await _comment(client, headers, {"text": "x", "authorId": "E-404", "fallbackToAccount": True})
    assert fallback.status_code == 200 and fallback.json()["author"]["name"] == "demo"
    assert "fallbackToAccount" not in fallback.json()
    either = await _comment(client, headers, {"text": "x", "authorId": "E-404", "authorEmail": "joe.smith@example.test"})
    assert either.json()["author"]["id"] == "C-5"
    assert len((await client.get("/casavi/tickets/T-1/comments", headers=headers)).json()["rows"]) == 2


async def test_another_accounts_staff_is_no_author(client):
    await _ticket_with_people(client)  # M-7 is a staff member of the demo account
    other = await casavi_headers(client, "other-key", "other-secret")
    await client.post("/casavi/tickets", json=TICKET, headers=other)
    assert (await _comment(client, other, {"text": "x", "authorId": "M-7"})).status_code == 400


async def test_updating_a_comment_keeps_its_author_and_attachments(client):
    headers = await _ticket_with_people(client)
    file_id = await _upload(client, headers)
    await _comment(client, headers, {"id": "K-1", "text": "On it", "authorId": "M-7", "attachments": [file_id]})
    changed = await client.put("/casavi/tickets/T-1/comments/K-1", json={"id": "K-1", "text": "Done", "isInternal": True}, headers=headers)
    assert changed.status_code == 200
    body = changed.json()
    assert body["text"] == "Done" and body["isInternal"] is True
    assert body["author"]["id"] == "M-7" and body["attachments"] == [file_id]
    missing = await client.put("/casavi/tickets/T-1/comments/K-404", json={"text": "x"}, headers=headers)
    assert missing.status_code == 404


async def test_comments_need_their_ticket(client):
    headers = await casavi_headers(client)
    answer = await _comment(client, headers, {"text": "x", "authorId": "E-404"}, ticket="T-404")
    assert answer.status_code == 404 and "T-404" in answer.json()["message"]


async def test_attachments_must_name_files_the_account_uploaded(client):
    headers = await _ticket_with_people(client)
    other = await casavi_headers(client, "other-key", "other-secret")
    await _upload(client, headers, "first.jpg", "image/jpeg")  # file ids count per account: mine is 2, theirs 1
    mine = await _upload(client, headers, "flat.jpg", "image/jpeg")
    theirs = await _upload(client, other, "theirs.pdf", "application/pdf")
    assert mine != theirs

    unknown = await client.post("/casavi/tickets", json={**TICKET, "id": "T-2", "attachments": [mine, 999]}, headers=headers)
    assert unknown.status_code == 400
    assert 'body field "attachments[1]"' in unknown.json()["message"] and "999" in unknown.json()["message"]
    assert (await client.get("/casavi/tickets/T-2", headers=headers)).status_code == 404

    await client.post("/casavi/tickets", json=TICKET, headers=other)
    foreign = await _comment(client, other, {"text": "x", "attachments": [mine]})
    assert foreign.status_code == 400 and str(mine) in foreign.json()["message"]
    assert (await _comment(client, other, {"text": "x", "attachments": [theirs]})).status_code == 200
    refused = await client.post("/casavi/tickets/T-1/tasks", json={"id": "K-1", "title": "Fix", "attachments": [mine + 50]}, headers=headers)
    assert refused.status_code == 400

    ticket = await client.post("/casavi/tickets", json={**TICKET, "id": "T-3", "attachments": [mine]}, headers=headers)
    assert ticket.status_code == 200
    details = ticket.json()["attachmentDetails"]
    assert details == [{"id": mine, "name": "flat.jpg", "contentType": "image/jpeg", "size": 8}]
    task = await client.post("/casavi/tickets/T-1/tasks", json={"id": "K-1", "title": "Fix", "attachments": [mine]}, headers=headers)
    assert task.status_code == 200 and task.json()["attachmentDetails"][0]["name"] == "flat.jpg"
    read = (await client.get("/casavi/tickets/T-1/tasks/K-1", headers=headers)).json()
    assert read["attachmentDetails"][0]["contentType"] == "image/jpeg"


async def test_a_files_id_of_another_account_is_refused(client):
    headers = await _ticket_with_people(client)
    other = await casavi_headers(client, "other-key", "other-secret")
    for _ in range(3):
        theirs = await _upload(client, other, "theirs.pdf", "application/pdf")
    refused = await _comment(client, headers, {"text": "x", "attachments": [theirs]})
    assert refused.status_code == 400 and str(theirs) in refused.json()["message"]


async def test_a_comments_attachments_join_its_ticket_and_a_ticket_update_keeps_them(client):
    headers = await _ticket_with_people(client)
    first, second = await _upload(client, headers, "a.pdf", "application/pdf"), await _upload(client, headers, "b.png", "image/png")
    assert (await _comment(client, headers, {"text": "Photos", "attachments": [first, second]})).status_code == 200
    ticket = (await client.get("/casavi/tickets/T-1", headers=headers)).json()
    assert ticket["attachments"] == [first, second]
    assert [detail["name"] for detail in ticket["attachmentDetails"]] == ["a.pdf", "b.png"]
    updated = await client.put("/casavi/tickets/T-1", json={**TICKET, "title": "Pipe fixed", "attachments": []}, headers=headers)
    assert updated.status_code == 200
    assert updated.json()["attachments"] == [first, second] and updated.json()["title"] == "Pipe fixed"


async def test_uploads_are_kept_without_their_bytes_so_the_state_exports(client):
    headers = await casavi_headers(client)
    file_id = await _upload(client, headers, "plan.pdf", "application/pdf")
    exported = (await client.get("/__admin/state", params={"api": "casavi"})).json()
    assert exported["casavi"]["data"]["demo"]["/files"] == [
        {"name": "plan.pdf", "contentType": "application/pdf", "size": 8, "id": file_id}
    ]
