"""A stand-in for the real casavi API with planted drift, for the validating proxy's tests.

Some operations answer exactly as the contract documents; others differ on purpose.
`PLANTED` lists every planted difference, as the drift report must name it.
"""

from __future__ import annotations

import gzip
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

KEY, SECRET = "real-key", "real-secret"
TOKEN = "upstream-token-4711"

CONTACTS = [{"id": f"C-{n}", "internalId": n, "firstName": "Joe", "lastName": f"Smith {n}", "customFields": {"floor": n}} for n in range(1, 21)]
# Spaced and indented as no serialiser of the proxy would write it, to prove bytes pass unchanged.
CONTACTS_TEXT = (json.dumps(CONTACTS, indent=3) + "\n").encode()
CONTACTS_GZIP = gzip.compress(CONTACTS_TEXT, mtime=0)

# (operation, side, status, kind, field, expected, actual)
PLANTED = {
    ("getListOfTickets", "response", 200, "wrong type", "[].internalId", "integer", "string"),
    ("getListOfTickets", "response", 200, "field missing", "[].title", None, None),
    ("getATicketByID", "response", 200, "invalid value", "status", "one of OPEN, CLOSED, INPROGRESS, PENDING, POSTPONED", "ARCHIVED"),
    ("getATicketByID", "response", 200, "undocumented field", "priority", None, None),
    ("deleteWebhookSubscriptionByHookId", "response", 200, "undocumented status", None, "204, 400, 401, 404", "200"),
}


def _json(value: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(value, indent=1).encode(), status, headers=headers, media_type="application/json")


def _error(status: int, error: str, message: str) -> Response:
    return _json({"statusCode": status, "error": error, "message": message}, status)


async def authenticate(request: Request) -> Response:
    body = await request.json()
    if body.get("key") != KEY or body.get("secret") != SECRET:
        return _error(401, "Unauthorized", "wrong key or secret")
    return _json({"token": TOKEN, "expiresAt": "2030-01-01T00:00:00.000Z"})


def _signed_in(request: Request) -> bool:
    return request.headers.get("token") == TOKEN


async def contacts(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(CONTACTS_GZIP, headers={"content-encoding": "gzip", "x-upstream": "yes"}, media_type="application/json")
    return Response(CONTACTS_TEXT, headers={"x-upstream": "yes"}, media_type="application/json")


async def contact(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    found = next((item for item in CONTACTS if item["id"] == request.path_params["contactId"]), None)
    return _json(found) if found else _error(404, "Not Found", "contact not found")


async def properties(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    return _json({"count": 1, "page": 1, "pageCount": 1, "rows": [{"id": "P-1", "internalId": 1, "name": "Main street", "postalCode": 80331}]})


async def tickets(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    # Planted: internalId became a string; the second ticket lost its title.
    return _json([
        {"id": "T-1", "internalId": "7", "number": "1", "title": "Leak", "status": "OPEN"},
        {"id": "T-2", "internalId": "8", "number": "2", "status": "OPEN"},
    ])


async def ticket(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    # Planted: a status the contract does not list, and a field it does not document.
    return _json({"id": request.path_params["ticketId"], "internalId": 7, "number": "1", "title": "Leak", "status": "ARCHIVED", "priority": "high"})


async def delete_hook(request: Request) -> Response:
    if not _signed_in(request):
        return _error(401, "Unauthorized", "token missing or expired")
    return _json({"deleted": True})  # Planted: 200 with a body where 204 is documented


app = Starlette(
    routes=[
        Route("/authenticate", authenticate, methods=["POST"]),
        Route("/contacts", contacts, methods=["GET"]),
        Route("/contacts/{contactId}", contact, methods=["GET"]),
        Route("/properties", properties, methods=["GET"]),
        Route("/tickets", tickets, methods=["GET"]),
        Route("/tickets/{ticketId}", ticket, methods=["GET"]),
        Route("/hooks/{hookId}", delete_hook, methods=["DELETE"]),
    ]
)


def drive(client) -> dict[str, bytes]:
    """The calls a client makes through the proxy (sync httpx client); returns raw answers by name."""
    login = client.post("/authenticate", json={"key": KEY, "secret": SECRET})
    assert login.status_code == 200, login.text
    headers = {"token": login.json()["token"]}
    answers = {"login": login.content}
    answers["contacts"] = client.get("/contacts", headers={**headers, "accept-encoding": "identity"}).content
    answers["contact"] = client.get("/contacts/C-1", headers=headers).content
    missing = client.get("/contacts/C-404", headers=headers)
    assert missing.status_code == 404
    answers["missing"] = missing.content
    assert client.get("/properties", headers=headers, params={"page": 1}).status_code == 200
    assert client.get("/tickets", headers=headers).status_code == 200
    for _ in range(2):
        answers["ticket"] = client.get("/tickets/T-1", headers=headers).content
    assert client.delete("/hooks/5", headers=headers).status_code == 200
    assert client.get("/properties", headers={"token": "wrong"}).status_code == 401
    return answers


def report_set(report: dict) -> set[tuple]:
    """The drift report's differences in the shape of `PLANTED`."""
    return {
        (entry["operation"], difference["side"], difference.get("status"), difference["kind"], difference.get("field"),
         difference.get("expected"), difference.get("actual"))
        for entry in report["operations"]
        for difference in entry["differences"]
    }
