"""casavi over HTTP: tokens, CRUD round trips, nesting, isolation, bad input."""

from __future__ import annotations

from tests.http_sandbox import FROZEN, casavi_headers

TICKET = {"id": "T-100", "title": "Leaking pipe", "propertyId": "P-00001", "status": "OPEN"}


def _error(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"}
    assert body["statusCode"] == status
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


async def test_token_is_needed_and_refresh_ends_the_old_one(client):
    _error(await client.get("/casavi/contacts"), 401, "missing token")
    _error(await client.get("/casavi/contacts", headers={"token": "nope"}), 401, "invalid")
    _error(await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "wrong"}), 401)
    headers = await casavi_headers(client)
    assert (await client.get("/casavi/contacts", headers=headers)).status_code == 200
    refreshed = await client.post("/casavi/authenticate/refresh", json={"apiKey": "demo-key", "token": headers["token"]})
    assert refreshed.status_code == 200
    assert (await client.get("/casavi/contacts", headers=headers)).status_code == 401
    assert (await client.get("/casavi/contacts", headers={"token": refreshed.json()["token"]})).status_code == 200


async def test_deprecated_login_maps_to_key_and_secret(client):
    response = await client.post("/casavi/authenticate", json={"apiKey": "demo-key", "email": "x@y.z", "password": "demo-secret"})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiresAt"}


async def test_tokens_expire(client):
    from tests.http_sandbox import sandbox_client

    async with sandbox_client(token_ttl=0) as short:
        headers = await casavi_headers(short)
        _error(await short.get("/casavi/contacts", headers=headers), 401, "expired")


async def test_ticket_round_trip(client):
    headers = await casavi_headers(client)
    created = await client.post("/casavi/tickets", json=TICKET, headers=headers)
    assert created.status_code == 200, created.text
    ticket = created.json()
    assert ticket["id"] == "T-100" and ticket["title"] == "Leaking pipe"
    assert ticket["createdAt"] == FROZEN and ticket["lastModified"] == FROZEN
    assert ticket["closedAt"] is None
    # Numbers continue the demo tickets' (1 to 3).
    assert isinstance(ticket["internalId"], int) and ticket["number"] == "4"

    assert (await client.get("/casavi/tickets/T-100", headers=headers)).json() == ticket

    closed = {**TICKET, "title": "Pipe fixed", "status": "CLOSED"}
    updated = (await client.put("/casavi/tickets/T-100", json=closed, headers=headers)).json()
    assert updated["title"] == "Pipe fixed" and updated["closedAt"] == FROZEN
    assert updated["internalId"] == ticket["internalId"]

    listed = (await client.get("/casavi/tickets", params={"status": ["CLOSED"]}, headers=headers)).json()
    assert [item["id"] for item in listed] == ["T-100"]
    assert all(item["status"] in ("OPEN", "INPROGRESS") for item in
               (await client.get("/casavi/tickets?status=OPEN&status=INPROGRESS", headers=headers)).json())

    assert (await client.delete("/casavi/tickets/T-100", headers=headers)).status_code == 204
    _error(await client.get("/casavi/tickets/T-100", headers=headers), 404, "T-100")


async def test_lists_page_by_25(client):
    headers = await casavi_headers(client)
    for number in range(30):
        response = await client.post("/casavi/staff", headers=headers, json={
            "id": f"S-{number:03d}", "firstName": "A", "lastName": "B", "role": "EDITOR"})
        assert response.status_code == 200
    first = (await client.get("/casavi/staff", headers=headers)).json()
    second = (await client.get("/casavi/staff?page=2", headers=headers)).json()
    assert len(first) == 25
    assert len(second) == 33 - 25  # three demo staff members come first
    assert {item["id"] for item in first}.isdisjoint(item["id"] for item in second)
    properties = (await client.get("/casavi/properties?page=1", headers=headers)).json()
    assert properties["count"] == 3 and properties["page"] == 1 and properties["pageCount"] == 1
    assert len(properties["rows"]) == 3


async def test_nested_objects_need_their_parent(client):
    headers = await casavi_headers(client)
    _error(await client.post("/casavi/tickets/NOPE/tasks", headers=headers, json={"id": "K-1", "title": "Fix"}), 404, "NOPE")
    _error(await client.get("/casavi/tickets/NOPE/comments", headers=headers), 404)
    await client.post("/casavi/tickets", json=TICKET, headers=headers)
    task = await client.post("/casavi/tickets/T-100/tasks", headers=headers, json={"id": "K-1", "title": "Fix"})
    assert task.status_code == 200 and task.json()["status"] == "OPEN"
    accepted = await client.put("/casavi/tickets/T-100/tasks/K-1", headers=headers,
                                json={"id": "K-1", "title": "Fix", "status": "ACCEPTED"})
    assert accepted.json()["acceptedAt"] == FROZEN and accepted.json()["completedAt"] is None
    done = await client.put("/casavi/tickets/T-100/tasks/K-1", headers=headers,
                            json={"id": "K-1", "title": "Fix", "completed": True})
    assert done.json()["status"] == "COMPLETED" and done.json()["completedAt"] == FROZEN
    comment = await client.post("/casavi/tickets/T-100/comments", headers=headers, json={"text": "On it"})
    assert comment.status_code == 200
    comments = (await client.get("/casavi/tickets/T-100/comments", headers=headers)).json()
    assert [row["text"] for row in comments["rows"]] == ["On it"]


async def test_second_account_sees_nothing_of_the_first(client):
    first = await casavi_headers(client)
    second = await casavi_headers(client, "other-key", "other-secret")
    await client.post("/casavi/tickets", json=TICKET, headers=first)
    assert (await client.get("/casavi/tickets/T-100", headers=second)).status_code == 404
    assert "T-100" not in [item["id"] for item in (await client.get("/casavi/tickets", headers=second)).json()]
    assert (await client.put("/casavi/tickets/T-100", json=TICKET, headers=second)).status_code == 404
    assert (await client.delete("/casavi/tickets/T-100", headers=second)).status_code == 404
    assert (await client.get("/casavi/tickets/T-100", headers=first)).status_code == 200


async def test_bad_input_is_named(client):
    headers = await casavi_headers(client)
    json_headers = {**headers, "content-type": "application/json"}
    _error(await client.post("/casavi/tickets", content=b'{"id": ', headers=json_headers), 400, "not valid JSON")
    _error(await client.post("/casavi/tickets", content=b"id=1", headers={**headers, "content-type": "text/plain"}),
           400, "must be sent as application/json")
    _error(await client.post("/casavi/tickets", json={"id": "T-1", "title": "x"}, headers=headers),
           400, 'body field "propertyId" is required')
    _error(await client.post("/casavi/tickets", json={**TICKET, "title": 5}, headers=headers),
           400, 'body field "title" must be a string')
    _error(await client.post("/casavi/tickets", json={**TICKET, "status": "DONE"}, headers=headers),
           400, 'body field "status" must be one of PENDING, OPEN')
    _error(await client.get("/casavi/tickets?page=two", headers=headers), 400, 'query parameter "page" must be an integer')
    _error(await client.get("/casavi/tickets?status=DONE", headers=headers), 400, '"status[0]" must be one of')
    _error(await client.get("/casavi/nothing", headers=headers), 404, "no route")
    response = await client.patch("/casavi/tickets", headers=headers)
    _error(response, 405, "PATCH is not allowed")
    assert response.headers["allow"] == "GET, POST"


async def test_file_upload_limit(client):
    headers = await casavi_headers(client)
    uploaded = await client.post("/casavi/files", content=b"hello", headers={**headers, "X-Filename": "a.txt", "content-type": "text/plain"})
    assert uploaded.status_code == 200 and isinstance(uploaded.json()["id"], int)
    _error(await client.post("/casavi/files", content=b"hello", headers={**headers, "content-type": "text/plain"}),
           400, 'header "x-filename" is required')
    big = b"x" * (10 * 1024 * 1024 + 1)
    _error(await client.post("/casavi/files", content=big, headers={**headers, "X-Filename": "a", "content-type": "text/plain"}),
           413, "10 MB")


async def test_documented_defaults_apply(client):
    headers = await casavi_headers(client)
    post = await client.post("/casavi/posts", headers=headers, json={"title": "Lift", "text": "Repair", "authorId": "M-1", "propertyId": "P-00001"})
    assert post.status_code == 200
    body = post.json()
    assert body["allowComments"] is True and body["isImportant"] is False and body["showOnInfoboard"] is False
    assert (await client.get(f"/casavi/posts/{body['id']}", headers=headers)).json()["allowComments"] is True
