"""One package per faked API; each supplies a `VendorApi` the engine plugs in.

`VENDORS` is the one list of the APIs the sandbox can serve, in the order they are
listed everywhere (mounts, banner, health, state exports).
"""

from __future__ import annotations

from ..engine.vendor import VendorApi
from .afosto.api import AfostoApi
from .casavi.api import CasaviApi
from .casavi.settings import CasaviSettings
from .messages.api import MessagesApi
from .relay.api import RelayApi

VENDORS: dict[str, type[VendorApi]] = {
    "casavi": CasaviApi,
    "afosto": AfostoApi,
    "relay": RelayApi,
    "messages": MessagesApi,
}
API_NAMES: tuple[str, ...] = tuple(VENDORS)


def vendor_for(api: str, settings: CasaviSettings | None = None) -> VendorApi:
    """A fresh instance of an API's module (only casavi reads settings)."""
    return VENDORS[api](settings or CasaviSettings())
