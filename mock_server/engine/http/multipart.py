"""Multipart bodies: read into a spooled file, then split into parts with python-multipart.

The body and every file part live in memory up to `SPOOL_THRESHOLD` bytes and on disk
beyond, so a large upload costs disk rather than memory. Text parts are the client's
values (a JSON `order`, a comment's text): each is held to `text_limit` bytes and must
be valid text in its declared charset (UTF-8 unless it says otherwise), so nothing
undecodable reaches the store.
"""

from __future__ import annotations

import asyncio
import codecs
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import ApiError, Problem
from ..sizes import MIB, PARSE_OFF_LOOP_BYTES
from .requests import UploadedFile

SPOOL_THRESHOLD = MIB  # bytes kept in memory before a body or file goes to disk
MAX_PARTS = 1000
_CHUNK = 64 * 1024


def spooled() -> IO[bytes]:
    """A file that stays in memory while small."""
    return SpooledTemporaryFile(max_size=SPOOL_THRESHOLD)  # noqa: SIM115 - closed with its request


class PartTooLarge(Exception):
    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit


def parse_parts(body: IO[bytes], content_type: str, text_limit: int) -> list[tuple[str, Any]]:
    """The parts of a multipart body as (name, text or UploadedFile); ApiError(400) when malformed.

    Raises PartTooLarge for a text part beyond ``text_limit`` bytes.
    """
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise _malformed("the content type names no boundary")
    parts = _Parts(text_limit)
    parser = MultipartParser(boundary, parts.callbacks())
    body.seek(0)
    try:
        while chunk := body.read(_CHUNK):
            parser.write(chunk)
        parser.finalize()
    except (FormParserError, ValueError) as error:
        parts.close()
        raise _malformed(str(error) or type(error).__name__) from None
    except BaseException:  # the part's own errors (ApiError, PartTooLarge) with its files closed
        parts.close()
        raise
    if not parts.finished:
        parts.close()
        raise _malformed("the body ends before its closing boundary")
    return parts.found


def close_parts(parts: list[tuple[str, Any]] | None) -> None:
    """Close the spooled files of parsed parts."""
    for _, value in parts or ():
        if isinstance(value, UploadedFile):
            value.close()


def _malformed(reason: str) -> ApiError:
    return ApiError(400, problems=[Problem("body", (), "invalid", f"malformed multipart body: {reason}")])


def _invalid_text(name: str, what: str) -> ApiError:
    return ApiError(400, problems=[Problem("form", (name,), "invalid", what)])


class _Parts:
    """python-multipart's callbacks: collect each part as text or as a spooled file."""

    def __init__(self, text_limit: int) -> None:
        self.text_limit = text_limit
        self.found: list[tuple[str, Any]] = []
        self.finished = False
        self._reset()

    def _reset(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.header_name = b""
        self.header_value = b""
        self.name = ""
        self.text = bytearray()
        self.file: UploadedFile | None = None
        self.charset = "utf-8"

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._reset,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        if len(self.found) >= MAX_PARTS:
            raise _malformed(f"more than {MAX_PARTS} parts")
        _, disposition = parse_options_header(self.headers.get(b"content-disposition", b""))
        if b"name" not in disposition:
            raise _malformed("a part's Content-Disposition names no field")
        # A field name is only compared with the names an operation takes: any text will do.
        self.name = _decoded(disposition[b"name"], "utf-8", "a field name", nul_allowed=True)
        content_type, type_options = parse_options_header(self.headers.get(b"content-type", b""))
        charset = type_options.get(b"charset")
        if charset:
            try:
                self.charset = codecs.lookup(charset.decode("latin-1")).name
            except LookupError:
                raise _invalid_text(self.name, f"declares an unknown charset {charset.decode('latin-1')!r}") from None
        if b"filename" in disposition:
            filename = _decoded(disposition[b"filename"], "utf-8", f"the file name of {self.name!r}")
            kind = content_type.decode("latin-1") if content_type else "application/octet-stream"
            self.file = UploadedFile(self.name, filename, kind, 0, spooled())

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.file is not None:
            assert self.file.file is not None
            self.file.file.write(data[start:end])
            self.file.size += end - start
            return
        if len(self.text) + (end - start) > self.text_limit:
            raise PartTooLarge(self.name, self.text_limit)
        self.text += data[start:end]

    def on_part_end(self) -> None:
        if self.file is not None:
            assert self.file.file is not None
            self.file.file.seek(0)
            self.found.append((self.name, self.file))
        else:
            self.found.append((self.name, _decoded(bytes(self.text), self.charset, None, self.name)))
        self._reset()

    def on_end(self) -> None:
        self.finished = True

    def close(self) -> None:
        close_parts(self.found)
        if self.file is not None:
            self.file.close()


def _decoded(data: bytes, charset: str, what: str | None, field: str = "", *, nul_allowed: bool = False) -> str:
    """Text in its charset, strictly: undecodable bytes are the client's error."""
    try:
        text = data.decode(charset)
        text.encode("utf-8")  # a charset other than UTF-8 may still yield lone surrogates
    except (UnicodeDecodeError, UnicodeEncodeError) as error:
        where = f"byte {error.start}" if isinstance(error, UnicodeDecodeError) else f"character {error.start}"
        if what is None:
            raise _invalid_text(field, f"is not valid {charset.upper()} text ({where})") from None
        raise _malformed(f"{what} is not valid {charset.upper()} ({where})") from None
    if "\x00" in text and what is not None and not nul_allowed:
        raise _malformed(f"{what} holds a NUL character")
    return text


async def split_parts(body: IO[bytes], content_type: str, text_limit: int) -> list[tuple[str, Any]]:
    """`parse_parts`, on a worker thread when the body is large (other requests are answered meanwhile)."""
    if body.tell() > PARSE_OFF_LOOP_BYTES:
        return await asyncio.to_thread(parse_parts, body, content_type, text_limit)
    return parse_parts(body, content_type, text_limit)
