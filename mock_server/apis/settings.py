"""Settings of the server that API modules read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VendorSettings:
    token_ttl: int = 3600  # casavi access token lifetime in seconds
    deterministic_tokens: bool = False  # casavi tokens derived from the seed (else random)
    allow_http_hooks: bool = False  # casavi hook URLs may be http:// (else https only)
    webhook_envelope: bool = False  # casavi hook events wrapped in the documented envelope
