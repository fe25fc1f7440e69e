"""What the contracts cannot tell the walk, each with the reason.

Everything else the walk needs it reads from the contracts' links. These are the
documented exceptions: credentials (the documents' example credentials name no account),
objects that only background work makes (casavi units come from an import job, documents
from an upload job), Case messages' cases, which exist only through fixtures, the
addresses webhooks are sent to, a proxy search's filters (their keys are declared two
objects away) and a reference no valid request can make (noted for the report only).
"""

from __future__ import annotations

from typing import Any

from .runner import Access, Walker

DEMO_CASAVI = {"key": "demo-key", "secret": "demo-secret"}


async def _casavi_token(walker: Walker) -> str:
    response = await walker.client.post("/casavi/authenticate", json=DEMO_CASAVI)
    return response.json()["token"]


async def _casavi_headers(walker: Walker) -> dict[str, str]:
    return {"token": await _casavi_token(walker)}


async def _login_body(walker: Walker, value: Any) -> Any:
    return dict(DEMO_CASAVI)


async def _refresh_body(walker: Walker, value: Any) -> Any:
    # A token of its own: refreshing ends the old token, and the walk keeps using its own.
    return {"apiKey": DEMO_CASAVI["key"], "token": await _casavi_token(walker)}


async def _imported_unit(walker: Walker) -> str:
    """A unit exists only through an import: import a property with one unit, let the job run."""
    walker.counter += 1
    property_id = f"WALK-P-{walker.counter:04d}"
    unit_id = f"{property_id}-0001"
    body = {"properties": [{"id": property_id, "name": "Walk property", "units": [{"id": unit_id, "number": "1"}]}]}
    response = await walker.client.post("/casavi/import", json=body, headers=await walker.headers())
    assert response.status_code == 200, response.text
    await walker.settle()
    return unit_id


async def _uploaded_document(walker: Walker) -> str:
    """A document exists once its upload job ran."""
    walker.counter += 1
    document_id = f"WALK-D-{walker.counter:04d}"
    body = {"id": document_id, "title": "Walk document", "name": "walk.pdf", "contentType": "application/pdf", "content": "d2Fsaw=="}
    response = await walker.client.post("/casavi/documents", json=body, headers=await walker.headers())
    assert response.status_code == 200, response.text
    await walker.settle()
    return document_id


async def _community(walker: Walker) -> str:
    """A community is the property its units belong to: a listed property."""
    response = await walker.client.get("/casavi/properties", headers=await walker.headers())
    return response.json()["rows"][0]["id"]


async def _demo_case(walker: Walker) -> str:
    """Cases come from fixtures only; the walk uses the demo case of the start-up fixtures."""
    state = (await walker.client.get("/__admin/state", params={"api": "messages"})).json()
    return state["messages"]["cases"][0]["guid"]


async def _message_body(walker: Walker, value: Any) -> Any:
    body = {key: item for key, item in dict(value or {}).items() if key != "parentMessageId"}
    body["guid"] = await _demo_case(walker)
    return body


async def _purge_token(walker: Walker) -> str:
    """A purge token reaches the requester by e-mail only; the walk requests a purge and
    reads its token from the sandbox's state, as a tester reads the mail."""
    response = await walker.client.post("/afosto/iam/purges", json={}, headers=await walker.headers())
    assert response.status_code == 200, response.text
    state = (await walker.client.get("/__admin/state", params={"api": "afosto"})).json()
    purges = state["afosto"]["data"]["demo"]["/iam/purges"]
    return purges[-1]["token"]


async def _listed_app(walker: Walker) -> str:
    """Installing takes an app of the catalogue, not a new code."""
    response = await walker.client.get("/afosto/int/apps/store", headers=await walker.headers())
    return response.json()[0]["code"]


# Where the walk's webhook subscriptions point: an https address on this machine that
# nothing listens on, so every delivery is refused at once and nothing leaves the machine.
HOOK_TARGET = "https://127.0.0.1:9/walk-hooks"


def _subscribing(field: str):
    async def body(walker: Walker, value: Any) -> Any:
        return {**dict(value or {}), field: HOOK_TARGET}

    return body


async def _unfiltered(walker: Walker, value: Any) -> Any:
    """A proxy search without filters: their keys must be declared by the settings of every
    index the proxy publishes, two objects away from the proxy in the path."""
    return {key: item for key, item in dict(value or {}).items() if key != "filters"}


async def _afosto_headers(walker: Walker) -> dict[str, str]:
    return {"Authorization": "Bearer demo-afosto-token"}


async def _relay_headers(walker: Walker) -> dict[str, str]:
    return {"Authorization": "Bearer demo-relay-key"}


async def _no_headers(walker: Walker) -> dict[str, str]:
    return {}


ACCESS = {
    "casavi": Access(_casavi_headers),
    "afosto": Access(_afosto_headers),
    "relay": Access(_relay_headers),
    "messages": Access(_no_headers, query={"accessToken": "demo-partner-token"}),
}

# Path and query parameters the contract gives no source for: name -> provider.
PARAMETERS = {
    "casavi": {"unitId": _imported_unit, "documentId": _uploaded_document, "communityId": _community},
    "afosto": {"token": _purge_token, "installApp.code": _listed_app},
    "relay": {},
    "messages": {"guid": _demo_case},
}

# Request bodies the walk must complete itself: operationId -> (walker, generated body) -> body.
BODIES = {
    "casavi": {
        "getAccessToken": _login_body,
        "refreshAccessToken": _refresh_body,
        "createANewWebhookSubscription": _subscribing("hookUrl"),
    },
    "afosto": {
        "addAWebhookSubscription": _subscribing("endpoint"),
        "updateSubscription": _subscribing("endpoint"),
        "searchDocuments": _unfiltered,
    },
    "relay": {},
    "messages": {"createCaseMessages": _message_body},
}

# Why each exception exists, for the walk's report.
REASONS = {
    ("casavi", "credentials"): "the documents' example credentials name no account: the walk logs in as the demo account",
    ("casavi", "unitId"): "units are made only by an import job",
    ("casavi", "documentId"): "documents are made by their upload job",
    ("casavi", "communityId"): "a community is the property its units belong to; nothing links the two",
    ("casavi", "hookUrl"): "hooks are sent to their URL: the walk subscribes an address on this machine that refuses them",
    ("afosto", "endpoint"): "webhook messages are sent to their endpoint: the walk subscribes an address on this machine that refuses them",
    ("afosto", "searchDocuments"): (
        "a proxy search filters on keys the settings of each index the proxy publishes declare, two objects away "
        "from the proxy its path names: the walk searches the proxy without filters (the index search walks them)"
    ),
    ("afosto", "settings.recaptcha_integration_id"): (
        "the document types it as a uuid, but integrations (an app install makes them) have integer ids: no valid "
        "request names one, so the walk leaves this optional field out, as it does any reference no link supplies"
    ),
    ("afosto", "token"): "a purge token reaches the requester by e-mail only",
    ("afosto", "installApp.code"): "installing names an app the catalogue lists (a POST on an identifier that creates elsewhere)",
    ("messages", "guid"): "cases exist only through fixtures",
}
