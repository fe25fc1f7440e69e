"""The pattern the contracts give a URL that webhooks are delivered to.

It takes what the engine's check of delivery URLs (`engine/background/outbox.py`,
`delivery_url_problem`) accepts, so a URL the contract allows is never refused later:
an absolute URL with a host of letters, digits, dots and dashes, a port from 1 to 65535
if any, and no spaces or control characters.
"""

from __future__ import annotations

from ..engine.background.delivery_urls import URL_REFUSED_CHARACTERS

PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_TEXT = rf"[^{URL_REFUSED_CHARACTERS}]"
_USER_INFO = rf"[^/?#@\[\]{URL_REFUSED_CHARACTERS}]"


def delivery_url_pattern(https_only: bool = False) -> str:
    """`^https://...` (or `^https?://...`) for a URL a webhook can be delivered to."""
    scheme = "https" if https_only else "https?"
    return rf"^{scheme}://({_USER_INFO}+@)?[A-Za-z0-9.-]*[A-Za-z0-9](:{PORT})?([/?#]{_TEXT}*)?$"
