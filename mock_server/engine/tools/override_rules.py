"""An override rule as a client writes it (the admin API, a fixture's `overrides`): what it
matches, how often, and what it does, checked field by field (see `overrides.py`)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import OverrideError, describe_validation_error

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
MAX_DELAY_MS = 600_000.0
Fault = Literal["drop", "truncate", "malformed", "rate_limit", "unavailable"]




class ScriptedResponse(BaseModel):
    """The answer a rule gives instead of the stateful one."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, defer_build=True)

    status: int = Field(ge=200, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None  # any JSON value; left out, an error status answers in the API's error shape
    message: str | None = None  # the error message when the API's error shape is used

    @field_validator("headers")
    @classmethod
    def _sendable(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a header name")
            if name.lower() in _FRAMING_HEADERS:
                raise ValueError(f"{name} is set by the server from the body")
            if "\r" in value or "\n" in value or not value.isascii():
                raise ValueError(f"the value of {name} must be one line of ASCII text")
        return headers

    @property
    def has_body(self) -> bool:
        return "body" in self.model_fields_set


class OverrideRule(BaseModel):
    """One rule as a client writes it (admin API, fixture documents)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, defer_build=True)

    id: str | None = Field(None, min_length=1)
    api: str | None = None
    method: str | None = None
    path: str | None = None
    operation: str | None = None  # operationId
    account: str | None = None  # account name
    query: dict[str, str | list[str]] = Field(default_factory=dict)
    body: Any = None  # predicate on the request body, when given
    times: int | None = Field(None, ge=1)
    probability: float = Field(1.0, gt=0, le=1)
    delay_ms: float | tuple[float, float] | None = None
    response: ScriptedResponse | None = None
    fault: Fault | None = None
    retry_after: int | None = Field(None, ge=0, le=86_400)  # seconds, for rate_limit and unavailable
    unchecked: bool = False

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in HTTP_METHODS:
            raise ValueError(f"must be one of {', '.join(HTTP_METHODS)}")
        return value.upper()

    @field_validator("path")
    @classmethod
    def _plain_path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must start with /")
        if value is not None and "?" in value:
            raise ValueError('must not hold a query string; match query parameters with "query"')
        return value

    @field_validator("delay_ms")
    @classmethod
    def _delay_range(cls, value: Any) -> Any:
        bounds = value if isinstance(value, tuple) else (value, value)
        if value is not None and not 0 <= bounds[0] <= bounds[1] <= MAX_DELAY_MS:
            raise ValueError(f"must be a number or [min, max] between 0 and {MAX_DELAY_MS:.0f} milliseconds")
        return value

    @model_validator(mode="after")
    def _one_action(self) -> "OverrideRule":
        if self.response is not None and self.fault is not None:
            raise ValueError('give either "response" or "fault", not both')
        if self.response is None and self.fault is None and self.delay_ms is None:
            raise ValueError('a rule needs "response", "fault" or "delay_ms"')
        if self.retry_after is not None and self.fault not in ("rate_limit", "unavailable"):
            raise ValueError('"retry_after" goes with the faults rate_limit and unavailable')
        return self

    @property
    def has_body_predicate(self) -> bool:
        return "body" in self.model_fields_set


def parse_rule(data: Any, where: str = "") -> OverrideRule:
    """A rule from JSON data; OverrideError names each field at fault (after ``where``)."""
    if not isinstance(data, dict):
        raise OverrideError(where or "rule", "a rule is a JSON object")
    try:
        return OverrideRule.model_validate(data)
    except ValidationError as error:
        text = describe_validation_error(error, where).replace("Value error, ", "")
        raise OverrideError("", text if where else text.replace("document: ", "rule: ")) from None
