"""Checking a request against its operation's contract.

Parameters arrive as text and are read by their schema's type (repeated query
parameters make arrays) before the compiled validator checks enums, formats and limits.
Bodies are checked by content type: JSON, multipart forms (parts declared as JSON are
parsed), raw bytes. Every problem names its field; all problems are reported at once.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .. import jsonio
from ..contract.operations import BodySpec, OperationSpec, ParameterSpec
from ..errors import ApiError, Problem
from ..values.identifiers import identifier_key
from .media_types import is_json_media_type
from .requests import IncomingRequest, UploadedFile, ValidRequest

_KIND_NAMES = {
    "Required": "required", "Type": "type", "Enum": "enum", "Format": "format", "MinLength": "min_length",
    "MaxLength": "max_length", "Minimum": "minimum", "Maximum": "maximum", "ExclusiveMinimum": "minimum",
    "ExclusiveMaximum": "maximum", "MinItems": "min_items", "MaxItems": "max_items", "Constant": "enum",
}
_ALTERNATIVES = ("AnyOf", "OneOfNotValid")
_SELECTING = ("Enum", "Constant")
_EXPECTED_KEYS = {"types": "types", "options": "options", "format": "format", "limit": "limit"}


def validate_request(operation: OperationSpec, incoming: IncomingRequest) -> ValidRequest:
    """The request's values, or an ApiError(400) naming every problem found."""
    problems: list[Problem] = []
    parameters: dict[str, Any] = {}
    headers: dict[str, Any] = {}
    query = _group(incoming.query) if incoming.query else {}
    for spec in operation.parameters:
        raw = _raw_parameter(spec, incoming, query)
        if type(raw) is _Repeated:
            problems.append(Problem(spec.location, (spec.name,), "repeated", raw.count))
            continue
        if raw is not None and spec.free_text and type(raw) is str:
            (headers if spec.location == "header" else parameters)[spec.name] = raw
            continue
        if raw is None:
            if spec.required:
                problems.append(Problem(spec.location, (spec.name,), "required"))
            elif spec.default is not None:
                (headers if spec.location == "header" else parameters)[spec.name] = spec.default
            continue
        value, problem = _read_parameter(spec, raw)
        if problem is None:
            problem = _first_problem(spec.validator, value, spec.location, (spec.name,))
        if problem is not None:
            problems.append(problem)
            continue
        (headers if spec.location == "header" else parameters)[spec.name] = value
        if spec.location == "path" and isinstance(value, (int, float)) and not isinstance(value, bool):
            # A number in a path names its object in one spelling: `/orders/4.0` is order 4.
            incoming.path_parameters[spec.name] = identifier_key(value)
    result = ValidRequest(parameters, headers)
    if operation.bodies:
        problems.extend(_validate_body(operation, incoming, result))
    if problems:
        raise ApiError(400, problems=problems)
    return result


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _raw_parameter(spec: ParameterSpec, incoming: IncomingRequest, query: dict[str, list[str]]) -> Any:
    if spec.location == "path":
        return incoming.path_parameters.get(spec.name)
    if spec.location == "header":
        return incoming.headers.get(spec.name)
    values = query.get(spec.name) or query.get(spec.name + "[]")
    if not values:
        return None
    if spec.type == "array":
        return values
    # A parameter of one value given several times carries no value the contract allows
    # (servers differ in which one they would take).
    return values[0] if len(values) == 1 else _Repeated(len(values))


class _Repeated:
    """A parameter of one value that a request gives ``count`` times."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


def _read_parameter(spec: ParameterSpec, raw: Any) -> tuple[Any, Problem | None]:
    """Text to the schema's type; arrays from repeated or comma-separated values."""
    if spec.type == "array":
        texts = raw if isinstance(raw, list) else [raw]
        if not spec.repeated or (len(texts) == 1 and "," in texts[0]):
            texts = [part for text in texts for part in text.split(",")]
        item_type = spec.schema.get("items", {}).get("type")
        values = []
        for index, text in enumerate(texts):
            value = read_scalar(text, item_type)
            if value is _INVALID:
                return None, Problem(spec.location, (spec.name, index), "type", item_type)
            values.append(value)
        return values, None
    value = read_scalar(raw, spec.type)
    if value is _INVALID:
        return None, Problem(spec.location, (spec.name,), "type", spec.type, raw)
    return value, None


_INVALID = object()
# Integers written with a fraction of zeros (`4.0`): the same number as `4`, as in JSON.
_WHOLE_DECIMAL = re.compile(r"\s*([+-]?\d+)(?:\.0*)?\s*")


def takes_path_value(operation: OperationSpec, name: str, text: str) -> bool:
    """Whether ``text`` is a valid value of the operation's path parameter ``name`` (the
    router asks where a literal path matches the segment too)."""
    spec = next((spec for spec in operation.parameters if spec.location == "path" and spec.name == name), None)
    if spec is None:
        return True
    value, problem = _read_parameter(spec, text)
    return problem is None and bool(spec.validator.is_valid(value))


def read_scalar(text: str, type_name: str | None) -> Any:
    """A parameter's text as its schema type, or `_INVALID`."""
    if type_name == "integer":
        whole = _WHOLE_DECIMAL.fullmatch(text)
        try:
            return int(whole.group(1) if whole else text, 10)
        except ValueError:
            return _INVALID
    if type_name == "number":
        if _WHOLE_DECIMAL.fullmatch(text) and "." not in text:
            try:
                return int(text, 10)  # exactly, however many digits (a float would round them)
            except ValueError:
                return _INVALID
        try:
            value = float(text)
        except ValueError:
            return _INVALID
        if not math.isfinite(value):
            return _INVALID
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    if type_name == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        return _INVALID
    return text


def _first_problem(validator: Any, value: Any, location: str, prefix: tuple[str | int, ...]) -> Problem | None:
    if validator.is_valid(value):  # the common case, answered without building errors
        return None
    for error in validator.iter_errors(value):
        return problem_from(error, location, prefix)
    return None


def problems_of(validator: Any, value: Any, location: str, prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every problem a compiled JSON-schema validator finds, as Problems."""
    if validator.is_valid(value):
        return []
    found: list[Problem] = []
    unmatched: list[Problem] = []  # values no alternative accepts, with no alternative to blame
    for error in validator.iter_errors(value):
        for problem in _problems_from(error, location, prefix):
            if problem in found or problem in unmatched:
                continue
            if type(error.kind).__name__ in _ALTERNATIVES and _chosen_alternative(error) is None:
                unmatched.append(problem)
            else:
                found.append(problem)
    # Such a value says no more than the problems found at or inside it, where there are some.
    return found + [
        problem for problem in unmatched if not any(other.path[: len(problem.path)] == problem.path for other in found)
    ]


def _problems_from(error: Any, location: str, prefix: tuple[str | int, ...]) -> list[Problem]:
    """The problems one validation error stands for: one per field a closed object does not take."""
    return _unexpected_fields(error, location, prefix) or [problem_from(error, location, prefix)]


def _unexpected_fields(error: Any, location: str, prefix: tuple[str | int, ...]) -> list[Problem]:
    if type(error.kind).__name__ != "AdditionalProperties":
        return []
    path = (*prefix, *error.instance_path)
    return [Problem(location, (*path, name), "unexpected") for name in error.kind.as_dict().get("unexpected") or []]


def problem_from(error: Any, location: str, prefix: tuple[str | int, ...]) -> Problem:
    kind_name = type(error.kind).__name__
    unexpected = _unexpected_fields(error, location, prefix)
    if unexpected:
        return unexpected[0]
    if kind_name in _ALTERNATIVES:
        chosen = _chosen_alternative(error)
        if chosen is not None:
            return problem_from(chosen, location, prefix)
    details = error.kind.as_dict() if hasattr(error.kind, "as_dict") else {}
    path = (*prefix, *error.instance_path)
    kind = _KIND_NAMES.get(kind_name, "invalid")
    if kind == "required":
        return Problem(location, (*path, details.get("property", "")), "required")
    if kind == "invalid":
        return Problem(location, path, "invalid", _plain(error.message))
    expected = next((details[key] for key in _EXPECTED_KEYS if key in details), None)
    if kind_name == "Constant":
        expected = [details.get("expected_value")]
    return Problem(location, path, kind, expected, _instance(error))


def _chosen_alternative(error: Any) -> Any:
    """For a value none of the alternatives (`anyOf`, `oneOf`) accepts: the first problem of
    the alternative the value's own enumerated fields select (`operator: between` selects
    the form with two values), the one with the fewest problems where several fit; None
    when every alternative refuses one of its enumerated values."""
    alternatives = getattr(error.kind, "context", None) or []
    fitting = [
        errors for errors in alternatives
        if errors and not any(type(item.kind).__name__ in _SELECTING for item in errors)
    ]
    return min(fitting, key=len)[0] if fitting else None


def _plain(message: str) -> str:
    return message.replace("is not valid under any of the schemas listed in the 'anyOf' keyword", "has an unexpected shape")


def _instance(error: Any) -> Any:
    return getattr(error, "instance", None)


# --- bodies ---------------------------------------------------------------------------


def _validate_body(operation: OperationSpec, incoming: IncomingRequest, result: ValidRequest) -> list[Problem]:
    has_body = bool(incoming.body) or bool(incoming.form)
    if not has_body:
        # A JSON content type announces a body; an empty one is not JSON.
        announced = is_json_media_type(incoming.content_type) and operation.takes_json
        return [Problem("body", (), "required")] if operation.body_required or announced else []
    spec = _body_spec(operation, incoming.content_type)
    if spec is None:
        expected = " or ".join(operation.bodies)
        return [Problem("body", (), "content_type", expected, incoming.content_type or "no content type")]
    result.body_spec = spec
    if spec.kind == "json":
        if incoming.parse_error is not None:
            return [Problem("body", (), "json", incoming.parse_error)]
        if incoming.parsed is not None:
            body = incoming.parsed[0]
        else:
            try:
                body = jsonio.loads(incoming.body)
            except jsonio.JsonError as error:
                return [Problem("body", (), "json", str(error))]
        result.body = body
        return problems_of(spec.validator, body, "body")
    if spec.kind == "multipart":
        return _validate_form(spec, incoming.form or [], result)
    if spec.kind == "form":
        result.body = dict(_group_form(incoming.body))
        return problems_of(spec.validator, result.body, "form")
    result.body = incoming.body
    return []


def _body_spec(operation: OperationSpec, content_type: str) -> BodySpec | None:
    if content_type in operation.bodies:
        return operation.bodies[content_type]
    for declared, spec in operation.bodies.items():
        if declared in ("*/*", "application/octet-stream") and spec.kind == "raw":
            return spec
        if declared.endswith("/*") and content_type.startswith(declared[:-1]):
            return spec
        if spec.kind == "json" and content_type.endswith("+json"):
            return spec
    return None


def _group_form(body: bytes) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)


def _validate_form(spec: BodySpec, parts: list[tuple[str, Any]], result: ValidRequest) -> list[Problem]:
    """A multipart body: JSON-encoded parts are parsed, file parts become descriptions."""
    properties = spec.schema.get("properties", {})
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name, value in parts:
        declared = properties.get(name, {})
        if isinstance(value, UploadedFile):
            result.files.append(value)
            item: Any = value
        elif spec.encoding.get(name, {}).get("contentType", "").endswith("json") or declared.get("type") == "object":
            try:
                item = jsonio.loads(value)
            except jsonio.JsonError as error:
                problems.append(Problem("form", (name,), "json", str(error)))
                continue
        else:
            item = value
        if declared.get("type") == "array":
            values.setdefault(name, []).append(item)
        else:
            values[name] = item
    if problems:
        return problems
    typed = _typed_form(values, properties)
    # The body keeps what is known of each file (stored objects stay plain JSON); the
    # files themselves are in `result.files`.
    result.body = _described_files(typed)
    return problems_of(spec.validator, _without_files(typed), "form")


def _without_files(values: dict[str, Any]) -> dict[str, Any]:
    """File parts validate as the binary strings the schema declares."""

    def plain(value: Any) -> Any:
        return "" if isinstance(value, UploadedFile) else value

    return {key: [plain(v) for v in value] if isinstance(value, list) else plain(value) for key, value in values.items()}


def _described_files(values: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.describe() if isinstance(value, UploadedFile) else value

    return {key: [plain(v) for v in value] if isinstance(value, list) else plain(value) for key, value in values.items()}


def _typed_form(values: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """Plain form text read as the declared scalar type (a form sends `3` as text)."""
    typed = {}
    for key, value in values.items():
        declared = properties.get(key, {}).get("type")
        if isinstance(value, str) and declared in ("integer", "number", "boolean"):
            converted = read_scalar(value, declared)
            typed[key] = value if converted is _INVALID else converted
        else:
            typed[key] = value
    return typed

