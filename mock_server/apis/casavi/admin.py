"""casavi's admin calls, under `/__admin/casavi/`: what happens in casavi's own app.

- `POST /contacts/{contactId}/archive`: a manager archives a contact (-> `contact_archived`).
- `POST /documents/{documentId}/download` `{contactId, propertyId?}`: a contact downloads
  a document in the app (-> `document_downloaded`).
- `POST /keys/{key}/deactivate` / `activate`: the customer service deactivates an API
  key; all its tokens end at once and it gets no new ones until activated again.
- `GET /hooks`: every account's hook subscriptions (credentials in URLs hidden).

Objects are found in the account named by `?account=`, or in the one account that has
them. Writes go through the store with origin FROM_ADMIN, so hooks fire from the change
like from any other.
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ...engine import jsonio
from ...engine.background.delivery_urls import split_credentials
from ...engine.runtime import ApiRuntime
from ...engine.state.accounts import Account
from ...engine.state.changes import FROM_ADMIN
from .collection_paths import CONTACTS, DOCUMENTS, HOOKS, PROPERTIES
from .events import ARCHIVED, LAST_DOWNLOAD, count
from .state import CasaviState
from .tokens import TokenBook


class AdminProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _answer(work: Any) -> Any:
    """Run an admin call's work; its problems become `{"error": ...}` answers."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            return JSONResponse(await work(request))
        except AdminProblem as problem:
            return JSONResponse({"error": problem.message}, status_code=problem.status)

    return endpoint


def owner_of(runtime: ApiRuntime, request: Request, template: str, key: str, noun: str) -> Account:
    """The account `?account=` names, or the only account that has the object."""
    name = request.query_params.get("account")
    if name is not None:
        account = runtime.accounts.get(name)
        if account is None:
            raise AdminProblem(404, f"unknown casavi account {name!r}; accounts: {', '.join(runtime.accounts) or 'none'}")
        if key not in runtime.collection(account, template):
            raise AdminProblem(404, f"account {name!r} has no {noun} {key!r}")
        return account
    owners = [account for account in runtime.accounts.values() if key in runtime.collection(account, template)]
    if not owners:
        raise AdminProblem(404, f"no casavi account has a {noun} {key!r}")
    if len(owners) > 1:
        names = ", ".join(account.name for account in owners)
        raise AdminProblem(400, f"accounts {names} each have a {noun} {key!r}; name one with ?account=")
    return owners[0]


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = jsonio.loads(raw)
    except ValueError as error:
        raise AdminProblem(400, f"the body is not valid JSON ({error})") from None
    if not isinstance(body, dict):
        raise AdminProblem(400, "the body must be a JSON object")
    return body


def archive_contact(runtime: ApiRuntime, account: Account, contact_id: str) -> dict[str, Any]:
    """Archive a contact as a manager would in the app; archiving twice changes nothing."""
    contact = runtime.collection(account, CONTACTS).get(contact_id)
    assert contact is not None
    if not contact.get(ARCHIVED):
        changed = copy.deepcopy(contact)
        changed[ARCHIVED] = True
        changed["archivedAt"] = runtime.now()
        runtime.store.put(account.name, CONTACTS, (), contact_id, changed, origin=FROM_ADMIN)
    return {"account": account.name, "contactId": contact_id, "archived": True}


def download_document(runtime: ApiRuntime, account: Account, document_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Count a download of the document by a contact (in a property) as the app would."""
    contact_id = body.get("contactId")
    if not isinstance(contact_id, str) or not contact_id:
        raise AdminProblem(400, "contactId is required: the reference id of the contact who downloads the document")
    if contact_id not in runtime.collection(account, CONTACTS):
        raise AdminProblem(400, f"contactId {contact_id!r} is no contact of account {account.name!r}")
    document = runtime.collection(account, DOCUMENTS).get(document_id)
    assert document is not None
    property_id = body.get("propertyId")
    if property_id is None:
        property_id = _shared_property(document)
    elif not isinstance(property_id, str) or property_id not in runtime.collection(account, PROPERTIES):
        raise AdminProblem(400, f"propertyId {property_id!r} is no property of account {account.name!r}")
    now = runtime.now()
    changed = copy.deepcopy(document)
    changed["downloadCount"] = count(document.get("downloadCount")) + 1
    changed["firstDownloadAt"] = document.get("firstDownloadAt") or now
    changed[LAST_DOWNLOAD] = {"contactId": contact_id, "propertyId": property_id, "at": now}
    runtime.store.put(account.name, DOCUMENTS, (), document_id, changed, origin=FROM_ADMIN)
    return {
        "account": account.name, "documentId": document_id, "downloadCount": changed["downloadCount"],
        "contactId": contact_id, "propertyId": property_id,
    }


def _shared_property(document: dict[str, Any]) -> str | None:
    """The first property the document is shared with, if any."""
    for target in document.get("sharedWith") or []:
        if isinstance(target, dict) and isinstance(target.get("propertyId"), str):
            return target["propertyId"]
    return None


def _without_credentials(url: Any) -> str:
    try:
        return split_credentials(str(url))[0]
    except ValueError:
        return "(not a valid URL)"


def admin_routes(runtime: ApiRuntime) -> list[BaseRoute]:
    """The routes mounted at `/__admin/casavi`."""

    def tokens() -> TokenBook:
        state: CasaviState = runtime.state.vendor
        return state.tokens

    def account_with_key(key: str) -> Account:
        account = next((a for a in runtime.accounts.values() if a.credentials.get("key") == key), None)
        if account is None:
            raise AdminProblem(404, f"no casavi account has the key {key!r}")
        return account

    async def archive(request: Request) -> dict[str, Any]:
        contact_id = request.path_params["contactId"]
        account = owner_of(runtime, request, CONTACTS, contact_id, "contact")
        return archive_contact(runtime, account, contact_id)

    async def download(request: Request) -> dict[str, Any]:
        document_id = request.path_params["documentId"]
        body = await _json_object(request)
        account = owner_of(runtime, request, DOCUMENTS, document_id, "document")
        return download_document(runtime, account, document_id, body)

    async def deactivate(request: Request) -> dict[str, Any]:
        key = request.path_params["key"]
        account = account_with_key(key)
        ended = tokens().deactivate(key)
        return {"account": account.name, "key": key, "active": False, "tokensEnded": ended}

    async def activate(request: Request) -> dict[str, Any]:
        key = request.path_params["key"]
        account = account_with_key(key)
        tokens().activate(key)
        return {"account": account.name, "key": key, "active": True}

    async def hooks(request: Request) -> dict[str, Any]:
        listed = [
            {"account": name, **hook, "hookUrl": _without_credentials(hook.get("hookUrl"))}
            for name in runtime.accounts
            for hook in runtime.store.collection(name, HOOKS).values()
        ]
        return {"count": len(listed), "hooks": listed}

    return [
        Route("/contacts/{contactId}/archive", _answer(archive), methods=["POST"]),
        Route("/documents/{documentId}/download", _answer(download), methods=["POST"]),
        Route("/keys/{key}/deactivate", _answer(deactivate), methods=["POST"]),
        Route("/keys/{key}/activate", _answer(activate), methods=["POST"]),
        Route("/hooks", _answer(hooks), methods=["GET"]),
    ]
