"""Errors the engine raises, vendor-neutral; each API renders them in its own shape."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import ValidationError

_ARTICLES = {"integer": "an integer", "object": "an object", "array": "an array"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, precise enough for any vendor's message style."""

    location: str  # body, query, path, header, form
    path: tuple[str | int, ...]  # where inside the location; a parameter's name for parameters
    kind: str  # required, type, enum, format, min_length, max_length, minimum, maximum, ...
    expected: Any = None
    value: Any = None

    @property
    def field(self) -> str:
        """`contacts[0].id`, `page`, or the location itself for the whole body."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or self.location

    def describe(self) -> str:
        """A plain sentence naming the field: `body field contacts[0].id is required`."""
        where = {
            "query": f'query parameter "{self.field}"',
            "path": f'path parameter "{self.field}"',
            "header": f'header "{self.field}"',
            "form": f'form field "{self.field}"',
        }.get(self.location, "request body" if not self.path else f'body field "{self.field}"')
        return f"{where} {self.complaint()}"

    def complaint(self) -> str:
        """What is wrong, without naming the field."""
        expected = self.expected
        match self.kind:
            case "required":
                return "is required"
            case "type":
                names = expected if isinstance(expected, list) else [expected]
                return "must be " + " or ".join(_ARTICLES.get(str(n), f"a {n}") for n in names if n != "null")
            case "enum":
                return "must be one of " + ", ".join(map(_show, expected or []))
            case "format":
                return f"must be a valid {expected}"
            case "min_length":
                return f"must be at least {expected} characters long"
            case "max_length":
                return f"must be at most {expected} characters long"
            case "minimum":
                return f"must be at least {expected}"
            case "maximum":
                return f"must be at most {expected}"
            case "min_items":
                return f"must hold at least {expected} item(s)"
            case "max_items":
                return f"must hold at most {expected} item(s)"
            case "json":
                return f"is not valid JSON ({expected})"
            case "content_type":
                return f"must be sent as {expected}"
            case "too_large":
                return f"exceeds the limit of {expected}"
            case "unknown":
                return "does not exist"
            case "unexpected":
                return "is not allowed"
            case "repeated":
                return f"takes one value, not {expected}"
            case _:
                return str(expected) if expected else "is invalid"


def _show(value: Any) -> str:
    return "null" if value is None else str(value)


class ApiError(Exception):
    """An HTTP error answer; the API's error shape decides how it looks."""

    def __init__(self, status: int, message: str | None = None, problems: list[Problem] | None = None) -> None:
        self.status = status
        self.problems = problems or []
        self.message = message or (
            "; ".join(problem.describe() for problem in self.problems) if self.problems else reason(status)
        )
        super().__init__(self.message)


def failure_reference() -> str:
    """The id of one failure answered as a 500: unique in every run (never from the seed),
    so it names that failure in `GET /__admin/errors` and nothing else."""
    return str(uuid.uuid4())


def reason(status: int) -> str:
    """The reason phrase of a status code."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ErrorShape(Protocol):
    """How one API writes its error bodies."""

    def render(self, error: ApiError, reference: str) -> Any:
        """The JSON body for an error; ``reference`` is a fresh id some APIs include."""


class MethodNotAllowed(ApiError):
    """A known path asked with a method it does not take; ``allowed`` lists those it takes."""

    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(405, message)
        self.allowed = allowed


class Overtaken(ApiError):
    """A request the API's state was reset under while it waited (for its body, or on a
    delay an override or chaos asked for)."""

    def __init__(self) -> None:
        super().__init__(503, "the sandbox was reset while this request waited; it was not carried out")


class OverrideError(ValueError):
    """A rule that cannot be applied; names the field of the rule at fault."""

    def __init__(self, field_name: str, message: str, status: int = 400) -> None:
        self.field = field_name
        self.message = message
        self.status = status
        super().__init__(f"{field_name}: {message}" if field_name else message)


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Every problem of a validation error as `where: what`, e.g. `casavi.accounts[0].secret: Field required`."""
    lines = []
    for problem in error.errors(include_url=False):
        where = prefix
        for part in problem["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        lines.append(f"{where or 'document'}: {problem['msg']}")
    return "; ".join(lines)
