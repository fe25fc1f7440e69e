"""Tenants of an API: who a caller is, and what a fixture says about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Account:
    """A tenant of one API: its name, credentials and vendor attributes."""

    name: str
    credentials: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_fixture(self) -> dict[str, Any]:
        return {"name": self.name, **self.credentials, **self.attributes}
