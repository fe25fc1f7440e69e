"""casavi operations whose documented behaviour goes beyond storing the body."""

from __future__ import annotations

from typing import Any, Callable

from ...engine.behaviour.generic import generic_handler
from ...engine.errors import ApiError
from ...engine.vendor import Call, Handler, Reply
from .attachments import update_ticket, upload_file, with_uploaded_attachments
from .comments import comment_ticket, update_comment
from .collection_paths import CONTACTS
from .events import ARCHIVED
from .hooks import create_hook
from .jobs import DOCUMENT, IMPORT, job_report
from .state import CasaviState
from .tokens import random_token


def _state(call: Call) -> CasaviState:
    return call.state


def get_access_token(call: Call) -> Reply:
    """A known key and secret get a token for their account, unless the key was deactivated."""
    key, secret = call.body.get("key"), call.body.get("secret")
    account = next(
        (
            account
            for account in call.runtime.accounts.values()
            if account.credentials.get("key") == key and account.credentials.get("secret") == secret
        ),
        None,
    )
    if account is None or not key:
        raise ApiError(401, "unknown key or secret")
    if key in _state(call).tokens.deactivated:
        raise ApiError(401, "this key is deactivated")
    return _issue(call, account.name, str(key))


def refresh_access_token(call: Call) -> Reply:
    """A valid token of the key's account is exchanged for a new one; the old one ends."""
    tokens = _state(call).tokens
    old = call.body.get("token")
    account = tokens.account_of(old, call.runtime.accounts, call.runtime.clock)
    key = call.body.get("apiKey")
    if account is None or account.credentials.get("key") != key:
        raise ApiError(401, "unknown key or invalid token")
    tokens.revoke(old)
    return _issue(call, account.name, str(key))


def _issue(call: Call, account: str, key: str) -> Reply:
    token, expires_at = _state(call).tokens.issue(account, key, call.runtime.clock, _token_maker(call, account))
    return Reply(200, {"token": token, "expiresAt": expires_at})


def _token_maker(call: Call, account: str) -> Callable[[], str]:
    """Random tokens; derived from the seed and the account when the server runs reproducibly."""
    if not call.vendor.settings.deterministic_tokens:
        return random_token
    runtime = call.runtime
    return lambda: runtime.fake.uuid(f"casavi/token/{account}/{runtime.store.next_number(f'tokens/{account}')}")


def _submit(call: Call, task_type: str) -> Reply:
    """Queue a job; the answer names it before any record is applied."""
    number = call.runtime.store.next_number("jobs")
    job_id = f"{call.runtime.fake.rng(f'casavi/job/{number}').getrandbits(96):024x}"
    call.runtime.tasks.submit(call.account.name, task_type, call.body, job_id)
    return Reply(200, {"jobId": job_id})


def import_master_data(call: Call) -> Reply:
    return _submit(call, IMPORT)


def upload_document(call: Call) -> Reply:
    return _submit(call, DOCUMENT)


def job_information(call: Call) -> Reply:
    task = call.runtime.tasks.get(str(call.parameter("jobId")), call.account.name)
    if task is None or task.type not in (IMPORT, DOCUMENT):
        raise ApiError(404, f"job {call.parameter('jobId')!r} not found")
    return Reply(200, job_report(task))


def _current_contracts(call: Call, unit: dict[str, Any], include_ended: bool) -> None:
    """Contracts with an archived contact are not shown; ended ones only when asked for."""
    if not isinstance(unit.get("contracts"), list):
        return
    contacts = call.runtime.collection(call.account, CONTACTS)
    today = call.runtime.now()[:10]
    unit["contracts"] = [
        contract
        for contract in unit["contracts"]
        if isinstance(contract, dict)
        and not any((contacts.get(str(contact)) or {}).get(ARCHIVED) for contact in _contact_ids(contract))
        and (include_ended or not contract.get("endAt") or str(contract["endAt"])[:10] >= today)
    ]


def _contact_ids(contract: dict[str, Any]) -> list[Any]:
    named = contract.get("contactIds")
    return named if isinstance(named, list) else []


def units_of_property(call: Call) -> Reply:
    """Contracts that ended are left out unless `includeInactiveContracts` is set."""
    reply = generic_handler(call)
    for unit in reply.body.get("rows", []):
        _current_contracts(call, unit, call.parameter("includeInactiveContracts") is True)
    return reply


def unit_by_id(call: Call) -> Reply:
    reply = generic_handler(call)
    _current_contracts(call, reply.body, include_ended=True)
    return reply


HANDLERS: dict[str, Handler] = {
    "getAccessToken": get_access_token,
    "refreshAccessToken": refresh_access_token,
    "import": import_master_data,
    "uploadANewDocumentOrChangeAnExistingOne": upload_document,
    "informationAboutAJob": job_information,
    "getAllUnitsOfAProperty": units_of_property,
    "getUnitById": unit_by_id,
    "createANewWebhookSubscription": create_hook,
    "fileUpload": upload_file,
    "createANewTicket": with_uploaded_attachments,
    "updateAnExistingTicket": update_ticket,
    "createOrderTask": with_uploaded_attachments,
    "updateTicketTask": with_uploaded_attachments,
    "commentTicket": comment_ticket,
    "updateTicketComment": update_comment,
}
# Handled creations that store through the generic rule: an `id` that exists is a clash (409).
CLASHING = frozenset({"createANewTicket", "createOrderTask", "commentTicket"})
