"""Afosto: bearer tokens, header paging, UUID identifiers."""

from __future__ import annotations

from ...engine.auth import bearer_token, require_account
from ...engine.vendor import Account, Call, Paging, VendorApi
from .errors import AfostoErrorShape

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


class AfostoApi(VendorApi):
    name = "afosto"
    credential_fields = ("token",)

    def __init__(self) -> None:
        super().__init__()
        self.error_shape = AfostoErrorShape()

    def authenticate(self, runtime, operation, incoming) -> Account:
        return require_account(runtime, "token", bearer_token(incoming.headers), "bearer token")

    def paging(self, call: Call) -> Paging:
        """`x-page` (from 1) and `x-page-size` (default 25) headers; the answer repeats `x-page`."""
        page = _positive(call.incoming.headers.get("x-page"), 1)
        size = min(_positive(call.incoming.headers.get("x-page-size"), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        headers = {"x-page": str(page)} if "x-page" in call.operation.success.headers else {}
        return Paging(offset=(page - 1) * size, limit=size, page=page, headers=headers)


def _positive(text: str | None, default: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return default
    return value if value >= 1 else default
