"""Settings of the server that API modules read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VendorSettings:
    token_ttl: int = 3600  # casavi access token lifetime in seconds
