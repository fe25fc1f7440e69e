"""One package per faked API; each supplies a `VendorApi` the engine plugs in."""

from __future__ import annotations

from ..engine.vendor import VendorApi


def vendor_for(api: str, settings: dict | None = None) -> VendorApi:
    """A fresh instance of an API's module."""
    settings = settings or {}
    if api == "casavi":
        from .casavi.api import CasaviApi

        return CasaviApi(token_ttl=settings.get("token_ttl", 3600), job_delay=settings.get("job_delay", 0.01))
    if api == "afosto":
        from .afosto.api import AfostoApi

        return AfostoApi()
    if api == "relay":
        from .relay.api import RelayApi

        return RelayApi()
    if api == "messages":
        from .messages.api import MessagesApi

        return MessagesApi()
    raise KeyError(api)
