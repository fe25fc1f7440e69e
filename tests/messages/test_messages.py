"""Case messages over HTTP: case rules, confirmation, Joi-style errors."""

from __future__ import annotations

from tests.http_sandbox import FROZEN, GUID

PARTNER = {"accessToken": "demo-partner-token"}
PROVIDER = {"accessToken": "demo-provider-token"}
OUTSIDER = {"accessToken": "outsider-token"}
BASE = "/messages/api/v3/case-messages"


def _error(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": {"message": message}}


async def test_messages_of_a_case_are_shared_by_partner_and_provider(client):
    created = await client.post(f"{BASE}/create", params=PARTNER, json={
        "guid": GUID, "content": "Test message", "type": "serviceComment", "externalId": "test-42"})
    assert created.status_code == 200, created.text
    message = created.json()
    assert message["caseId"] == 7748 and message["senderType"] == "partner" and message["senderAccountId"] == 1009
    assert message["confirmedAt"] is None and message["declaredAt"] == FROZEN == message["createdAt"]
    reply = await client.post(f"{BASE}/create", params=PROVIDER, json={
        "guid": GUID, "type": "statusRequest", "parentMessageId": message["id"], "declaredAt": "2017-07-25T10:12:54.003Z"})
    assert reply.json()["senderType"] == "provider" and reply.json()["declaredAt"] == "2017-07-25T10:12:54.003Z"
    listed = (await client.get(BASE, params={**PROVIDER, "guid": GUID})).json()
    assert [item["id"] for item in listed] == [message["id"], reply.json()["id"]]


async def test_confirmation_reports_what_it_could_not_do(client):
    first = (await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "reminder"})).json()
    confirmed = await client.post(f"{BASE}/confirm", params=PROVIDER, json=[first["id"], 999])
    assert confirmed.json() == {"success": True, "errors": [{"id": 999, "message": "Not found"}], "data": {}}
    again = await client.post(f"{BASE}/confirm", params=OUTSIDER, json=[first["id"]])
    assert again.json()["errors"] == [{"id": first["id"], "message": "No access"}]
    listed = (await client.get(BASE, params={**PARTNER, "guid": GUID})).json()
    assert listed[0]["confirmedAt"] == FROZEN


async def test_case_rules(client):
    _error(await client.post(f"{BASE}/create", params=OUTSIDER, json={"guid": GUID, "type": "reminder"}), 403, "No access to this case")
    unknown = "00000000-0000-4000-8000-000000000000"
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": unknown, "type": "reminder"}), 404, f"case {unknown} not found")
    _error(await client.get(BASE, params={**OUTSIDER, "guid": GUID}), 403, "No access to this case")
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "reminder", "parentMessageId": 12345}),
           400, 'child "parentMessageId" fails because ["parentMessageId" must name a message of the same case]')


async def test_joi_style_validation_messages(client):
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"type": "reminder"}), 400,
           'child "guid" fails because ["guid" is required]')
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "chat"}), 400,
           'child "type" fails because ["type" must be one of [serviceComment, customerCenterReply, costProposalRejectRur, '
           "costProposalRejectScrap, statusRequest, spareParts, reminder, costProposal, shipment, forwarding]]")
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "reminder", "userName": "x" * 513}), 400,
           'child "userName" fails because ["userName" length must be less than or equal to 512 characters long]')
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": 7}), 400,
           'child "type" fails because ["type" must be a string]')
    _error(await client.post(f"{BASE}/confirm", params=PARTNER, json=["x"]), 400,
           '"value" at position 0 fails because ["0" must be a number]')
    for fraction in (5e-324, 1.5):  # a number, but not a whole one
        _error(await client.post(f"{BASE}/confirm", params=PARTNER, json=[1, 2, 3, fraction]), 400,
               '"value" at position 3 fails because ["3" must be an integer]')
    _error(await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "reminder", "parentMessageId": 1.5}), 400,
           'child "parentMessageId" fails because ["parentMessageId" must be an integer]')
    _error(await client.post(f"{BASE}/confirm", params=PARTNER, content=b"[1,", headers={"content-type": "application/json"}),
           400, '"value" must be valid JSON (unexpected end of data at line 1 column 4)')
    _error(await client.post(f"{BASE}/confirm", params=PARTNER, content=b"1", headers={"content-type": "text/plain"}),
           400, '"value" must be sent as application/json')
    _error(await client.get(BASE, params=PARTNER), 400, 'child "guid" fails because ["guid" is required]')
    _error(await client.get(BASE, params={"guid": GUID}), 401, "missing accessToken")
    _error(await client.get(BASE, params={"guid": GUID, "accessToken": "nope"}), 401, "invalid accessToken")
    _error(await client.get("/messages/api/v3/nothing", params=PARTNER), 404, "no route for GET /api/v3/nothing")
    _error(await client.delete(BASE, params=PARTNER), 405, "DELETE is not allowed on /api/v3/case-messages; use GET")


async def test_an_integral_number_names_the_same_message(client):
    as_json = {"content-type": "application/json"}
    first = (await client.post(f"{BASE}/create", params=PARTNER, json={"guid": GUID, "type": "reminder"})).json()
    reply = await client.post(f"{BASE}/create", params=PROVIDER, headers=as_json,
                              content=b'{"guid": "%s", "type": "statusRequest", "parentMessageId": %d.0}' % (GUID.encode(), first["id"]))
    assert reply.status_code == 200, reply.text
    assert reply.json()["parentMessageId"] == first["id"] and type(reply.json()["parentMessageId"]) is int
    listed = (await client.get(BASE, params={**PARTNER, "guid": GUID})).json()
    assert listed[-1]["parentMessageId"] == first["id"] and type(listed[-1]["parentMessageId"]) is int
    confirmed = await client.post(f"{BASE}/confirm", params=PROVIDER, headers=as_json, content=b"[%d.0, 999.0]" % first["id"])
    assert confirmed.json() == {"success": True, "errors": [{"id": 999, "message": "Not found"}], "data": {}}
    assert (await client.get(BASE, params={**PARTNER, "guid": GUID})).json()[0]["confirmedAt"] == FROZEN
