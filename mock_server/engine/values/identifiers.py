"""Identifiers in one spelling per object: as the store keys them, and typed as the
collection's model types them."""

from __future__ import annotations

import re
from typing import Any

from ..contract.collections import CollectionInfo

_WHOLE_NUMBER = re.compile(r"-?\d{1,18}")


def canonical_identifier(value: Any) -> Any:
    """An identifier in one spelling per object: a JSON number without a fraction is the
    same number whether written `4` or `4.0`, so it is the integer; anything else is kept."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def identifier_key(value: Any) -> str:
    """The store key an identifier from a body or a path names (`4`, `4.0` and `4e0` name one object)."""
    return str(canonical_identifier(value))


def typed_identifier(info: CollectionInfo, key: str) -> Any:
    """A store key as the collection's identifier field holds it: a number where the model
    types it as an integer (`"7"` -> 7), else the text."""
    if info.id_schema.get("type") == "integer" and _WHOLE_NUMBER.fullmatch(key):
        return int(key)
    return key
