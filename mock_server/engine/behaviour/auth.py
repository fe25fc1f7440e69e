"""Credential plumbing shared by the API modules."""

from __future__ import annotations

from ..errors import ApiError
from ..runtime import ApiRuntime
from ..state.accounts import Account


def bearer_token(headers: dict[str, str]) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def account_with(runtime: ApiRuntime, credential: str, value: str | None) -> Account | None:
    """The account whose ``credential`` equals ``value``."""
    if not value:
        return None
    accounts = runtime.accounts
    owner = runtime.credential_owners.get((credential, value))
    if owner is not None:
        account = accounts.get(owner)
        if account is not None and account.credentials.get(credential) == value:
            return account
    for account in accounts.values():
        if account.credentials.get(credential) == value:
            runtime.credential_owners.keep((credential, value), account.name)
            return account
    return None


def require_account(runtime: ApiRuntime, credential: str, value: str | None, what: str) -> Account:
    """The account for a credential, or 401 saying whether it was missing or wrong."""
    if not value:
        raise ApiError(401, f"missing {what}")
    account = account_with(runtime, credential, value)
    if account is None:
        raise ApiError(401, f"invalid {what}")
    return account
