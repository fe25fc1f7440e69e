"""A served API: the engine's runtime of its contract and the module of its vendor."""

from __future__ import annotations

from dataclasses import dataclass

from .engine.runtime import ApiRuntime
from .engine.vendor import VendorApi


@dataclass
class ServedApi:
    name: str
    runtime: ApiRuntime
    vendor: VendorApi
