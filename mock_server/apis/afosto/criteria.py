"""Conditions as Afosto's search bodies write them: `{key, operator, values}`.

Instant search filters and contact search constraints share them. Operators: `in`,
`eq`, `not_in`, `neq` (text without regard to case, or equal numbers), `gt`, `gte`,
`lt`, `lte`, `between` (numbers) and `exists`; `=`, `!=`, `nin`, `>`, `>=`, `<`, `<=`
are read as their names. A field holding a list meets a condition when one of its
values does (`not_in` / `neq`: when none does).

Numbers are compared as JSON has them, exactly: an integer of any size is that integer
(never a float that rounds it), a decimal is the double the JSON reader makes of it, and
a decimal text beyond a double's range keeps its exact value. Python compares integers,
doubles and exact decimals with one another without rounding.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...engine.errors import ApiError, Problem

# operator -> (compares numbers, how many values it takes: None = one or more)
OPERATORS: dict[str, tuple[bool, int | None]] = {
    "in": (False, None), "eq": (False, None), "not_in": (False, None), "neq": (False, None),
    "gt": (True, 1), "gte": (True, 1), "lt": (True, 1), "lte": (True, 1), "between": (True, 2), "exists": (False, 0),
}
ALIASES = {"=": "eq", "==": "eq", "!=": "neq", "<>": "neq", "nin": "not_in", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_NUMBER_TESTS = {
    "gt": lambda n, b: n > b[0], "gte": lambda n, b: n >= b[0], "lt": lambda n, b: n < b[0],
    "lte": lambda n, b: n <= b[0], "between": lambda n, b: b[0] <= n <= b[1],
}


_INTEGER_TEXT = re.compile(r"[-+]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?")
Number = int | float | Decimal


@dataclass
class Condition:
    key: str
    operator: str
    values: list[str]
    where: tuple[str | int, ...]  # where the condition is in the request body


def as_number(value: Any) -> Number | None:
    """The number a JSON value is or a text spells, exactly (see the module's description);
    None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _INTEGER_TEXT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python turns into an int: the same number, exactly
            return Decimal(text)
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else Decimal(text)


def as_text(value: Any) -> str:
    """A value as conditions and facets compare and show it: `25`, `true`, `Acme`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(where: tuple[str | int, ...]) -> str:
    return Problem("body", where, "invalid").field


def read_conditions(raw: Any, where: tuple[str | int, ...], values_field: str) -> list[Condition]:
    """The conditions of a body list (at ``where``); 400 naming the field when one is wrong."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(400, problems=[Problem("body", where, "type", "array")])
    found = []
    for position, entry in enumerate(raw):
        here = (*where, position)
        if not isinstance(entry, dict):
            raise ApiError(400, problems=[Problem("body", here, "type", "object")])
        key = entry.get("key")
        if not isinstance(key, str) or not key:
            raise ApiError(400, problems=[Problem("body", (*here, "key"), "required")])
        operator = str(entry.get("operator") or "in").lower()
        operator = ALIASES.get(operator, operator)
        if operator not in OPERATORS:
            raise ApiError(400, problems=[Problem("body", (*here, "operator"), "enum", list(OPERATORS), entry.get("operator"))])
        values = entry.get(values_field)
        values = [] if values is None else values if isinstance(values, list) else [values]
        if any(isinstance(value, (dict, list)) for value in values):
            raise ApiError(400, problems=[Problem("body", (*here, values_field), "type", "array")])
        texts = [as_text(value) for value in values if value is not None]
        numeric, count = OPERATORS[operator]
        place = _field((*here, values_field))
        if count is None and not texts:
            raise ApiError(400, f'body field "{place}" needs at least one value for {operator}',
                           [Problem("body", (*here, values_field), "min_items", 1)])
        if count and len(texts) != count:
            raise ApiError(400, f'body field "{place}" needs exactly {count} value(s) for {operator}',
                           [Problem("body", (*here, values_field), "invalid")])
        if numeric and any(as_number(text) is None for text in texts):
            raise ApiError(400, f'body field "{place}" must hold numbers for {operator}',
                           [Problem("body", (*here, values_field), "invalid")])
        found.append(Condition(key, operator, texts, here))
    return found


def holds(values: list[Any], condition: Condition) -> bool:
    """Whether a field with these values meets the condition."""
    operator = condition.operator
    if operator == "exists":
        return bool(values)
    if OPERATORS[operator][0]:
        bounds = [as_number(text) for text in condition.values]
        test = _NUMBER_TESTS[operator]
        return any(test(number, bounds) for number in (as_number(value) for value in values) if number is not None)
    equal = any(_same(value, wanted) for value in values for wanted in condition.values)
    return equal if operator in ("in", "eq") else not equal


def _same(value: Any, wanted: str) -> bool:
    if as_text(value).lower() == wanted.lower():
        return True
    number, target = as_number(value), as_number(wanted)
    return number is not None and target is not None and number == target
