"""What a server's settings change about the casavi API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CasaviSettings:
    token_ttl: int = 3600  # access token lifetime in seconds
    deterministic_tokens: bool = False  # tokens derived from the seed (else random)
    allow_http_hooks: bool = False  # hook URLs may be http:// (else https only)
    webhook_envelope: bool = False  # hook events wrapped in the documented envelope
