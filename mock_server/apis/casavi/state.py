"""What casavi keeps beside the store: the access tokens it issued."""

from __future__ import annotations

from dataclasses import dataclass

from .tokens import TokenBook


@dataclass
class CasaviState:
    tokens: TokenBook
