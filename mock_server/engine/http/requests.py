"""A request as the engine reads it: what arrived (`IncomingRequest`), the files of a
multipart body (`UploadedFile`), and what passed validation (`ValidRequest`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qsl

from ..asgi import Scope
from ..contract.operations import BodySpec
from .media_types import media_type


@dataclass
class UploadedFile:
    """A file part of a multipart body; its bytes wait in a spooled file until the request ends."""

    field: str
    filename: str
    content_type: str
    size: int
    file: IO[bytes] | None = None

    def describe(self) -> dict[str, Any]:
        """What is kept of the file: name, type and size (never its bytes)."""
        return {"name": self.filename, "contentType": self.content_type, "size": self.size}

    def read(self) -> bytes:
        if self.file is None:
            return b""
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass(slots=True)
class IncomingRequest:
    """The parts of an HTTP request validation reads."""

    path_parameters: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    content_type: str  # without parameters
    body: bytes = b""
    form: list[tuple[str, Any]] | None = None  # parsed multipart parts: text or UploadedFile
    parsed: tuple[Any] | None = None  # the JSON body, when it was parsed already (in steps, a large one)
    parse_error: str | None = None  # why the JSON body is not JSON, when it was parsed already
    scope: dict[str, Any] | None = None  # the ASGI scope, for `base_url`
    mount: str = ""  # where the API is mounted, for `base_url`

    @property
    def base_url(self) -> str:
        """`http://host:port/afosto`: where the API's paths start, as the client addressed it."""
        scope = self.scope or {}
        host = self.headers.get("host")
        if not host:
            server = scope.get("server")
            host = f"{server[0]}:{server[1]}" if server else "localhost"
        return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{self.mount}"


@dataclass(slots=True)
class ValidRequest:
    """A request that passed validation, with its values read by their schemas."""

    parameters: dict[str, Any]  # path and query values by name
    headers: dict[str, Any]
    body: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    body_spec: BodySpec | None = None


def incoming_request(
    scope: Scope, path_parameters: dict[str, str], query_string: str, headers: dict[str, str], mount: str
) -> IncomingRequest:
    """The request as it arrived, before its body: path parameters, query pairs (blank values
    kept), headers by lower-case name and the body's media type."""
    content_type = headers.get("content-type")
    return IncomingRequest(
        path_parameters,
        parse_qsl(query_string, keep_blank_values=True) if query_string else [],
        headers,
        media_type(content_type) if content_type else "",
        scope=scope,
        mount=mount,
    )
