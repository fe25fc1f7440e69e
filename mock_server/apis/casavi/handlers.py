"""casavi operations whose documented behaviour goes beyond storing the body."""

from __future__ import annotations

from ...engine import behaviours
from ...engine.errors import ApiError
from ...engine.vendor import Call, Handler, Reply
from .jobs import DOCUMENT, IMPORT, job_report
from .state import CasaviState


def _state(call: Call) -> CasaviState:
    return call.state


def get_access_token(call: Call) -> Reply:
    """A known key and secret get a token for their account."""
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
    return _issue(call, account.name)


def refresh_access_token(call: Call) -> Reply:
    """A valid token of the key's account is exchanged for a new one; the old one ends."""
    tokens = _state(call).tokens
    old = call.body.get("token")
    holder = tokens.account_of(old, call.runtime.clock)
    account = call.runtime.accounts.get(holder or "")
    if account is None or account.credentials.get("key") != call.body.get("apiKey"):
        raise ApiError(401, "unknown key or invalid token")
    tokens.revoke(old)
    return _issue(call, account.name)


def _issue(call: Call, account: str) -> Reply:
    number = call.runtime.store.next_number("tokens")
    token = call.runtime.fake.uuid(f"casavi/token/{number}")
    token, expires_at = _state(call).tokens.issue(account, token, call.runtime.clock)
    return Reply(200, {"token": token, "expiresAt": expires_at})


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


def units_of_property(call: Call) -> Reply:
    """Contracts that ended are left out unless `includeInactiveContracts` is set."""
    reply = behaviours.answer(call)
    if call.parameter("includeInactiveContracts") is True:
        return reply
    today = call.runtime.now()[:10]
    for unit in reply.body.get("rows", []):
        if isinstance(unit.get("contracts"), list):
            unit["contracts"] = [c for c in unit["contracts"] if not c.get("endAt") or str(c["endAt"])[:10] >= today]
    return reply


HANDLERS: dict[str, Handler] = {
    "getAccessToken": get_access_token,
    "refreshAccessToken": refresh_access_token,
    "import": import_master_data,
    "uploadANewDocumentOrChangeAnExistingOne": upload_document,
    "informationAboutAJob": job_information,
    "getAllUnitsOfAProperty": units_of_property,
}
