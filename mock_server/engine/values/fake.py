"""Plausible values for a schema, the same every time for the same seed and key.

Each value is drawn from a random generator seeded by (seed, key), where the key names
the object and the field (`<api>/<account>/<collection>/3/reference`), so an object's filled-in
fields never change between reads and two runs with one seed agree byte for byte.
Field names pick the kind of text (`email`, `city`, `firstName`, ...); formats and enums
are always honoured.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from ..clock import format_instant
from ..contract.schema import Schema
from ..memo import BoundedMemo
from .kept_texts import kept_texts

if TYPE_CHECKING:
    from faker import Faker

MAX_DEPTH = 6
_EPOCH = datetime(2021, 1, 1, tzinfo=timezone.utc)
_SPAN_SECONDS = 4 * 365 * 24 * 3600


def stable_int(*parts: Any) -> int:
    """A 64-bit integer derived from the parts, stable across processes."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Field-name endings -> how to write them; first match wins.
_TEXT_RULES: list[tuple[str, Callable[[Faker], str]]] = [
    ("email", lambda f: f.email()),
    ("firstname", lambda f: f.first_name()),
    ("lastname", lambda f: f.last_name()),
    ("company", lambda f: f.company()),
    ("username", lambda f: f.user_name()),
    ("authorname", lambda f: f.name()),
    ("contactname", lambda f: f.name()),
    ("fullname", lambda f: f.name()),
    ("streetaddress", lambda f: f.street_address()),
    ("street", lambda f: f.street_address()),
    ("city", lambda f: f.city()),
    ("locality", lambda f: f.city()),
    ("postalcode", lambda f: f.postcode()),
    ("zipcode", lambda f: f.postcode()),
    ("telephone", lambda f: f.phone_number()),
    ("phonenumber", lambda f: f.phone_number()),
    ("phone", lambda f: f.phone_number()),
    ("mobile", lambda f: f.phone_number()),
    ("fax", lambda f: f.phone_number()),
    ("website", lambda f: f.url()),
    ("url", lambda f: f.url()),
    ("link", lambda f: f.url()),
    ("currency", lambda f: f.currency_code()),
    ("countrycode", lambda f: f.country_code()),
    ("country", lambda f: f.country_code()),
    ("number", lambda f: f.numerify("####")),
    ("title", lambda f: f.sentence(nb_words=3).rstrip(".")),
    ("description", lambda f: f.sentence()),
    ("text", lambda f: f.sentence()),
    ("content", lambda f: f.sentence()),
    ("note", lambda f: f.sentence()),
    ("notes", lambda f: f.sentence()),
    ("comment", lambda f: f.sentence()),
    ("message", lambda f: f.sentence()),
    ("name", lambda f: f.name()),
]


# The Faker providers the rules above and `FakeData._text` call, and those they call in
# turn (an email's user name is a person's, its domain a company's), in the order Faker
# loads its providers. A Faker with only these writes what a complete one writes for the
# same seed (tests/engine/values/test_fake_providers.py), and is made in half the time.
FAKER_PROVIDERS = tuple(
    f"faker.providers.{name}" for name in ("address", "company", "currency", "internet", "lorem", "person", "phone_number")
)


def is_timestamp_name(name: str) -> bool:
    """`createdAt`, `created_at`, `dueDate`, `lastModified`: names of fields that hold instants."""
    return bool(re.search(r"(?:[a-z]At|_at|Date|_date|[a-z]Modified|_modified)$", name)) or name.lower() in (
        "date", "timestamp", "modified"
    )


_VARIANT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}


def _uuid_text(digits: str) -> str:
    """32 hex digits as a version-4 UUID: version 4 in the 13th digit, the RFC 4122 variant
    in the top bits of the 17th."""
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"


class FakeData:
    """Deterministic fake values for schemas."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._faker: Faker | None = None
        self.kept_texts = kept_texts(seed)  # what Faker wrote for this seed in earlier runs
        self._hashed_prefixes = BoundedMemo(4096)  # prefix -> a hash that has read the seed and it

    @property
    def faker(self) -> Faker:
        if self._faker is None:
            from faker import Faker  # imported on first use: start-up does not pay for it

            self._faker = Faker("en_US", providers=list(FAKER_PROVIDERS))
        return self._faker

    def rng(self, key: str) -> random.Random:
        return random.Random(stable_int(self.seed, key))

    def uuid(self, key: str) -> str:
        """A version-4 UUID derived from the seed and ``key``."""
        return _uuid_text(hashlib.blake2b(f"{self.seed}\x1f{key}".encode(), digest_size=16).hexdigest())

    def numbered_uuid(self, prefix: str, number: int) -> str:
        """`uuid(f"{prefix}{number}")`, hashing the seed and the prefix once for all numbers."""
        hashed = self._hashed_prefixes.get(prefix)
        if hashed is None:
            hashed = self._hashed_prefixes.keep(prefix, hashlib.blake2b(f"{self.seed}\x1f{prefix}".encode(), digest_size=16))
        hasher = hashed.copy()
        hasher.update(str(number).encode())
        return _uuid_text(hasher.hexdigest())

    def value(self, schema: Schema, key: str, name: str = "", depth: int = 0) -> Any:
        """A value that conforms to ``schema`` (complete objects, one-item arrays)."""
        if "anyOf" in schema or "oneOf" in schema:
            options = schema.get("anyOf") or schema.get("oneOf")
            return self.value(options[0], key, name, depth)
        if "allOf" in schema:
            merged: Schema = {}
            for part in schema["allOf"]:
                merged = {**merged, **part, "properties": {**merged.get("properties", {}), **part.get("properties", {})}}
            return self.value(merged, key, name, depth)
        enum = [item for item in schema.get("enum", []) if item is not None]
        if enum:
            return self.rng(key).choice(enum)
        kind = schema.get("type") or ("object" if "properties" in schema else "string")
        if kind == "object":
            if depth >= MAX_DEPTH:
                return {}
            return {
                prop: self.value(sub, f"{key}/{prop}", prop, depth + 1)
                for prop, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            if depth >= MAX_DEPTH:
                return []
            count = max(1, schema.get("minItems", 1))
            return [self.value(schema.get("items", {}), f"{key}/{index}", name, depth + 1) for index in range(count)]
        if kind == "integer":
            return self._integer(schema, key, name)
        if kind == "number":
            low = schema.get("minimum", 0)
            high = schema.get("maximum", low + 1000)
            return round(self.rng(key).uniform(low, high), 2)
        if kind == "boolean":
            return self.rng(key).random() < 0.5
        return self._string(schema, key, name)

    def _integer(self, schema: Schema, key: str, name: str) -> int:
        low = schema.get("minimum", 1)
        if "exclusiveMinimum" in schema and isinstance(schema["exclusiveMinimum"], (int, float)):
            low = int(schema["exclusiveMinimum"]) + 1
        high = schema.get("maximum", max(low, 0) + (99999 if "id" in name.lower() else 1000))
        return self.rng(key).randint(int(low), int(high))

    def _string(self, schema: Schema, key: str, name: str) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return self.uuid(key)
        if fmt == "date-time":
            return self.instant(key)
        if fmt == "date":
            return self.instant(key)[:10]
        if fmt == "binary":
            return ""
        if fmt == "byte":
            return base64.b64encode(self.rng(key).randbytes(6)).decode()
        normalised = _normalised(name)
        if fmt == "email":
            text = self._text(key, "email")
        elif fmt in ("uri", "url"):
            text = self._text(key, "url")
        elif is_timestamp_name(name):
            text = self.instant(key)
        else:
            text = self._text(key, normalised)
        return _fit(text, schema, self.rng(key))

    def instant(self, key: str) -> str:
        """A timestamp in a fixed four-year window, as the APIs write them."""
        offset = self.rng(key).randrange(_SPAN_SECONDS * 1000)
        return format_instant(_EPOCH + timedelta(milliseconds=offset))

    def _text(self, key: str, normalised: str) -> str:
        kept_key = f"{key}\x1f{normalised}"
        text = self.kept_texts.get(kept_key)
        if text is None:
            text = self._faker_text(key, normalised)
            self.kept_texts.keep(kept_key, text)
        return text

    def _faker_text(self, key: str, normalised: str) -> str:
        faker = self.faker
        faker.seed_instance(stable_int(self.seed, key))
        for ending, make in _TEXT_RULES:
            if normalised.endswith(ending):
                return make(faker)
        if normalised.endswith("id") or normalised in ("code", "key", "reference", "sku", "secret", "token"):
            return faker.bothify("??-#####").upper()
        return faker.word()


def _fit(text: str, schema: Schema, rng: random.Random) -> str:
    limit = schema.get("maxLength")
    if isinstance(limit, int) and len(text) > limit:
        text = text[:limit]
    minimum = schema.get("minLength")
    if isinstance(minimum, int) and len(text) < minimum:
        text += "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(minimum - len(text)))
    return text
