"""casavi operations whose documented behaviour goes beyond storing the body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine import resources
from ...engine.errors import ApiError
from ...engine.vendor import Call, Reply
from .importer import Importer
from .jobs import Job

if TYPE_CHECKING:
    from .api import CasaviApi


def register(api: "CasaviApi") -> None:
    register_tokens(api)
    register_jobs(api)


def register_tokens(api: "CasaviApi") -> None:
    @api.handler("getAccessToken")
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

    @api.handler("refreshAccessToken")
    def refresh_access_token(call: Call) -> Reply:
        """A valid token of the key's account is exchanged for a new one; the old one ends."""
        old = call.body.get("token")
        holder = api.tokens.account_of(old, call.runtime.clock)
        account = call.runtime.accounts.get(holder or "")
        if account is None or account.credentials.get("key") != call.body.get("apiKey"):
            raise ApiError(401, "unknown key or invalid token")
        api.tokens.revoke(old)
        return _issue(call, account.name)

    def _issue(call: Call, account: str) -> Reply:
        number = call.runtime.store.next_number("tokens")
        token = call.runtime.fake.uuid(f"casavi/token/{number}")
        token, expires_at = api.tokens.issue(account, token, call.runtime.clock)
        return Reply(200, {"token": token, "expiresAt": expires_at})


def register_jobs(api: "CasaviApi") -> None:
    """Import and document uploads queue jobs; `GET /jobs/{jobId}` reports them."""

    def submit(call: Call, plan) -> Reply:
        number = call.runtime.store.next_number("jobs")
        job = Job(id=f"{call.runtime.fake.rng(f'casavi/job/{number}').getrandbits(96):024x}", account=call.account.name)
        plan(Importer(call.runtime, call.account), job)
        api.jobs.submit(job)
        return Reply(200, {"jobId": job.id})

    @api.handler("import")
    def import_master_data(call: Call) -> Reply:
        return submit(call, lambda importer, job: importer.plan(job, call.body))

    @api.handler("uploadANewDocumentOrChangeAnExistingOne")
    def upload_document(call: Call) -> Reply:
        return submit(call, lambda importer, job: importer.plan_document(job, call.body))

    @api.handler("informationAboutAJob")
    def job_information(call: Call) -> Reply:
        job = api.jobs.jobs.get(call.parameter("jobId"))
        if job is None or job.account != call.account.name:
            raise ApiError(404, f"job {call.parameter('jobId')!r} not found")
        return Reply(200, job.report())

    @api.handler("getAllUnitsOfAProperty")
    def units_of_property(call: Call) -> Reply:
        """Contracts that ended are left out unless `includeInactiveContracts` is set."""
        reply = resources.answer(call)
        if call.parameter("includeInactiveContracts") is True:
            return reply
        today = call.runtime.now()[:10]
        for unit in reply.body.get("rows", []):
            if isinstance(unit.get("contracts"), list):
                unit["contracts"] = [c for c in unit["contracts"] if not c.get("endAt") or str(c["endAt"])[:10] >= today]
        return reply
