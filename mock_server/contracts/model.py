"""The intermediate form every document parser produces and the writer consumes.

Parsers know their document's layout; the writer knows OpenAPI. Between them sits this
small, format-free description of an API: its operations, parameters, bodies, responses,
shared schemas and security.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonSchema = dict[str, Any]


@dataclass
class Parameter:
    """A path, query or header parameter."""

    name: str
    location: str  # "path", "query" or "header"
    schema: JsonSchema
    required: bool = False
    description: str | None = None
    example: Any = None
    # Arrays in the query string are sent as repeated parameters (`status=A&status=B`).
    explode: bool | None = None


@dataclass
class RequestBody:
    """One content type of an operation's request body."""

    content_type: str
    schema: JsonSchema
    example: Any = None
    description: str | None = None
    encoding: dict[str, dict[str, Any]] | None = None


@dataclass
class Header:
    """A documented response header."""

    name: str
    schema: JsonSchema
    description: str | None = None
    required: bool = False


@dataclass
class Response:
    """One documented status code of an operation."""

    status: int
    description: str
    schema: JsonSchema | None = None
    content_type: str = "application/json"
    example: Any = None
    headers: list[Header] = field(default_factory=list)
    # The document prints no status codes for some APIs; those statuses are guesses.
    inferred: bool = False
    # Further media types the answer comes in (by the request's `Accept`), with their schemas.
    more_content: dict[str, JsonSchema] = field(default_factory=dict)


@dataclass
class Operation:
    """One method on one path."""

    method: str
    path: str
    operation_id: str
    summary: str
    tags: list[str]
    parameters: list[Parameter] = field(default_factory=list)
    request_bodies: list[RequestBody] = field(default_factory=list)
    body_required: bool = True
    responses: list[Response] = field(default_factory=list)
    # None: the API's default security applies; []: the operation is open.
    security: list[dict[str, list[str]]] | None = None
    description: str | None = None
    deprecated: bool = False
    # Set when the method, the path or another part of the operation is a documented
    # guess (paths.md, the inferred error shapes) rather than read from the document.
    inferred: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass
class ApiContract:
    """Everything the writer needs to emit one OpenAPI document."""

    name: str  # short name, also the mount: casavi, afosto, relay, messages
    title: str
    version: str
    description: str
    security_schemes: dict[str, dict[str, Any]]
    default_security: list[dict[str, list[str]]]
    operations: list[Operation] = field(default_factory=list)
    schemas: dict[str, JsonSchema] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
