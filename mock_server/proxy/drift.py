"""Drift: where real traffic differs from the contract, as a validating proxy finds it.

`ContractChecks` compares one request and one real answer with the operation's
documented request and responses, using the compiled validators, and names each
difference by kind and place — never by value, so credentials and personal data stay
out of reports (enum values are the one exception: they name a new state, not data).
Array positions are folded (`rows[].price`), so a list of 25 rows with one drifted field
is one difference. `DriftReport` keeps the distinct differences per operation with how
often and when they were seen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..engine import jsonio
from ..engine.contract.operations import CompiledContract, OperationSpec
from ..engine.contract.schema import Schema
from ..engine.errors import ApiError, Problem
from ..engine.http.requests import IncomingRequest
from ..engine.http.validation import problems_of, validate_request

UNDOCUMENTED_OPERATION = "undocumented operation"
UNDOCUMENTED_STATUS = "undocumented status"
UNDOCUMENTED_BODY = "undocumented body"
BODY_MISSING = "body missing"
WRONG_CONTENT_TYPE = "wrong content type"
NOT_JSON = "not JSON"
FIELD_MISSING = "field missing"
WRONG_TYPE = "wrong type"
UNDOCUMENTED_FIELD = "undocumented field"
INVALID_VALUE = "invalid value"

_MAX_DEPTH = 64
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}


@dataclass(frozen=True)
class Difference:
    """One way a request or an answer departs from the contract."""

    side: str  # "request" or "response"
    kind: str  # one of the kinds above
    field: str = ""  # where: `rows[].price`, `query.page`; empty for the whole message
    status: int | None = None  # the answer's status, for response differences
    expected: str | None = None
    actual: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}

    def describe(self) -> str:
        where = f" at {self.field}" if self.field else ""
        status = f" {self.status}" if self.status is not None else ""
        detail = ""
        if self.expected is not None or self.actual is not None:
            detail = f" (expected {self.expected or '-'}, got {self.actual or '-'})"
        return f"{self.side}{status}: {self.kind}{where}{detail}"


class ContractChecks:
    """Checks real requests and answers of one API against its compiled contract."""

    def __init__(self, contract: CompiledContract) -> None:
        self.contract = contract
        self._validators: dict[tuple[str, int, str], Any] = {}

    def request_differences(self, operation: OperationSpec, incoming: IncomingRequest) -> list[Difference]:
        """What the client's request does differently from the operation's documented request."""
        try:
            validate_request(operation, incoming)
        except ApiError as error:
            return _unique(_from_problem("request", problem, None, prefix=True) for problem in error.problems)
        return []

    def response_differences(
        self, operation: OperationSpec, status: int, content_type: str, body: bytes
    ) -> list[Difference]:
        """What a real answer does differently from the operation's documented answer."""
        responses = operation.raw.get("responses", {})
        documented = responses.get(str(status))
        if documented is None:
            listed = ", ".join(sorted(key for key in responses if key.isdigit()))
            return [Difference("response", UNDOCUMENTED_STATUS, status=status, expected=listed, actual=str(status))]
        content = documented.get("content") or {}
        if not content:
            if body.strip():
                return [Difference("response", UNDOCUMENTED_BODY, status=status, actual=content_type or None)]
            return []
        media_type = _documented_media(content, content_type)
        if media_type is None:
            expected = " or ".join(content)
            return [Difference("response", WRONG_CONTENT_TYPE, status=status, expected=expected, actual=content_type or None)]
        schema = content[media_type].get("schema")
        if not body.strip():
            return [Difference("response", BODY_MISSING, status=status, expected=media_type)] if schema else []
        if "json" not in media_type or not schema:
            return []
        try:
            value = jsonio.loads(body)
        except ValueError:
            return [Difference("response", NOT_JSON, status=status, expected=media_type)]
        validator = self._validator(operation, status, media_type, schema)
        differences = [_from_problem("response", problem, status) for problem in problems_of(validator, value, "body")]
        resolved = self.contract.schemas.resolve(schema)
        differences += [
            Difference("response", UNDOCUMENTED_FIELD, path, status)
            for path in undocumented_fields(resolved, value)
        ]
        return _unique(differences)

    def _validator(self, operation: OperationSpec, status: int, media_type: str, schema: Schema) -> Any:
        key = (operation.operation_id, status, media_type)
        if key not in self._validators:
            self._validators[key] = self.contract.schemas.validator(schema)
        return self._validators[key]


def undocumented_fields(schema: Schema, value: Any) -> list[str]:
    """Fields of ``value`` its schema does not name, as folded paths (`rows[].extra`)."""
    found: list[str] = []
    _walk(schema, value, "", found, 0)
    return list(dict.fromkeys(found))


def _walk(schema: Schema, value: Any, path: str, found: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        properties, extra = _declared(schema)
        if extra is True:
            return
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key in properties:
                _walk(properties[key], item, where, found, depth + 1)
            elif isinstance(extra, dict):
                _walk(extra, item, where, found, depth + 1)
            else:
                found.append(where)
    elif isinstance(value, list):
        items = _items(schema)
        if items is not None:
            for item in value:
                _walk(items, item, f"{path}[]", found, depth + 1)


def _declared(schema: Schema) -> tuple[dict[str, Schema], bool | Schema]:
    """The properties a schema (and its allOf/anyOf/oneOf parts) names, and what it
    allows besides: True for anything, a schema for typed extras, False for nothing."""
    properties: dict[str, Schema] = {}
    extra: bool | Schema = False
    parts = [schema, *(part for key in ("allOf", "anyOf", "oneOf") for part in schema.get(key, []))]
    declares_shape = False
    for part in parts:
        if not isinstance(part, dict):
            continue
        if "properties" in part:
            declares_shape = True
            for name, prop in part["properties"].items():
                properties.setdefault(name, prop)
        additional = part.get("additionalProperties")
        if additional is True or (isinstance(additional, dict) and not additional):
            extra = True
        elif isinstance(additional, dict) and extra is not True:
            extra = additional
            declares_shape = True
    if not declares_shape:
        return properties, True  # a free-form object
    return properties, extra


def _items(schema: Schema) -> Schema | None:
    if isinstance(schema.get("items"), dict):
        return schema["items"]
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            if isinstance(part, dict) and isinstance(part.get("items"), dict):
                return part["items"]
    return None


def _documented_media(content: dict[str, Any], content_type: str) -> str | None:
    """The documented media type the real content type stands for, if any."""
    actual = content_type.split(";")[0].strip().lower()
    exact = next((media for media in content if media.lower() == actual), None)
    if exact is not None:
        return exact
    for media in content:
        declared = media.lower()
        if declared in ("*/*", "application/octet-stream"):
            return media
        if declared.endswith("/*") and actual.startswith(declared[:-1]):
            return media
        if "json" in declared and actual.endswith("+json"):
            return media
    return None


def _from_problem(side: str, problem: Problem, status: int | None, prefix: bool = False) -> Difference:
    where = _folded(problem.path)
    if prefix:
        where = f"{problem.location}.{where}" if where else problem.location
    if problem.kind == "required":
        return Difference(side, FIELD_MISSING, where, status)
    if problem.kind == "type":
        expected = problem.expected if isinstance(problem.expected, list) else [problem.expected]
        return Difference(side, WRONG_TYPE, where, status, " or ".join(map(str, expected)), _json_type(problem.value))
    actual = str(problem.value)[:100] if problem.kind == "enum" and problem.value is not None else None
    return Difference(side, INVALID_VALUE, where, status, problem.complaint().removeprefix("must be "), actual)


def _folded(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += "[]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _unique(differences: Any) -> list[Difference]:
    return list(dict.fromkeys(differences))


@dataclass
class Sighting:
    """How often and when one difference was seen."""

    count: int = 0
    first_seen: str = ""
    last_seen: str = ""


@dataclass
class OperationDrift:
    """What was seen of one operation."""

    operation: str  # operation id, or `METHOD /path` for a call the contract does not know
    method: str
    path: str
    calls: int = 0
    differences: dict[Difference, Sighting] = field(default_factory=dict)


@dataclass
class DriftReport:
    """The distinct differences seen per operation."""

    operations: dict[str, OperationDrift] = field(default_factory=dict)
    requests: int = 0

    def record(self, key: str, method: str, path: str, differences: list[Difference], at: str) -> None:
        """Count one checked call of an operation and the differences it showed."""
        self.requests += 1
        entry = self.operations.get(key)
        if entry is None:
            entry = self.operations[key] = OperationDrift(key, method, path)
        entry.calls += 1
        for difference in differences:
            sighting = entry.differences.setdefault(difference, Sighting(first_seen=at))
            sighting.count += 1
            sighting.last_seen = at

    def clear(self) -> None:
        self.operations.clear()
        self.requests = 0

    def to_json(self) -> dict[str, Any]:
        drifted = [entry for key, entry in sorted(self.operations.items()) if entry.differences]
        return {
            "checked": {"requests": self.requests, "operations": len(self.operations)},
            "differences": sum(len(entry.differences) for entry in drifted),
            "operations": [
                {
                    "operation": entry.operation,
                    "method": entry.method,
                    "path": entry.path,
                    "calls": entry.calls,
                    "differences": [
                        {**difference.to_json(), "count": seen.count, "firstSeen": seen.first_seen, "lastSeen": seen.last_seen}
                        for difference, seen in entry.differences.items()
                    ],
                }
                for entry in drifted
            ],
        }
