"""Case messages' documented error shape, with Joi-style messages."""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError, Problem

_TYPE_NAMES = {"integer": "a number", "number": "a number", "string": "a string", "boolean": "a boolean",
               "object": "an object", "array": "an array"}


def joi_complaint(problem: Problem, label: str) -> str:
    """`"guid" is required`, `"0" must be a number`, `"0" must be an integer`, ... as Joi words them."""
    expected = problem.expected
    match problem.kind:
        case "required":
            text = "is required"
        case "type" if _fraction_for_integer(problem):
            text = "must be an integer"  # a number, but not a whole one
        case "type":
            names = expected if isinstance(expected, list) else [expected]
            text = "must be " + " or ".join(_TYPE_NAMES.get(str(n), f"a {n}") for n in names if n != "null")
        case "enum":
            text = "must be one of [" + ", ".join("null" if v is None else str(v) for v in expected or []) + "]"
        case "max_length":
            text = f"length must be less than or equal to {expected} characters long"
        case "min_length":
            text = f"length must be at least {expected} characters long"
        case "format" if expected == "uuid":
            text = "must be a valid GUID"
        case "format" if expected in ("date-time", "date"):
            text = "must be a number of milliseconds or valid date string"
        case "json":
            text = f"must be valid JSON ({expected})" if expected else "must be valid JSON"
        case _:
            text = problem.complaint()
    return f'"{label}" {text}'


def _fraction_for_integer(problem: Problem) -> bool:
    """An integer was expected and the value is a number (`1.5`, `5e-324`)."""
    names = problem.expected if isinstance(problem.expected, list) else [problem.expected]
    value = problem.value
    return "integer" in names and isinstance(value, (int, float)) and not isinstance(value, bool)


def joi_message(problem: Problem) -> str:
    """The whole Joi message for the first problem of a request."""
    path = list(problem.path)
    if not path:
        return joi_complaint(problem, "value")
    if isinstance(path[0], int):
        inner = joi_complaint(problem, str(path[0])) if len(path) == 1 else _nested(problem, path[1:], str(path[0]))
        return f'"value" at position {path[0]} fails because [{inner}]'
    return _nested(problem, path, None)


def _nested(problem: Problem, path: list[Any], _parent: str | None) -> str:
    head, *rest = path
    label = str(head)
    inner = joi_complaint(problem, label) if not rest else _nested(problem, rest, label)
    if isinstance(head, int):
        return f'"value" at position {head} fails because [{inner}]'
    return f'child "{label}" fails because [{inner}]'


class MessagesErrorShape:
    """`{"error": {"message": ...}}`; validation reports its first problem, as Joi does."""

    def render(self, error: ApiError, reference: str) -> Any:
        message = joi_message(error.problems[0]) if error.problems else error.message
        return {"error": {"message": message}}
