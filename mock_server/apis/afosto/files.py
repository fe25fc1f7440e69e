"""Files (`/cnt/files`): an upload signature, then the upload, which keeps the content.

`POST /cnt/files/signature` hands out a signature, valid for an hour, that
`POST /cnt/files/upload/{signature}` accepts; each file part becomes a file. It keeps
its bytes beside the documented fields (base64 in `content`, never answered), so a
dataset can read it (`/cnt/datasets/{id}/attach`) and a state export carries it.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.clock import format_instant, parse_instant
from ...engine.errors import ApiError, Problem
from ...engine.http.requests import UploadedFile
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import FROM_API
from ...engine.vendor import Call, Reply

FILES = "/cnt/files"
SIGNATURES = "/cnt/files/signature"
SIGNATURE_LIFETIME = timedelta(hours=1)
CONTENT = "content"  # the stored bytes, base64; not part of the documented model


def create_signature(call: Call) -> Reply:
    """A signature the upload accepts, remembering where the file goes (`path`) and how."""
    body = toolkit.body_fields(call)
    number = call.runtime.store.next_number("afosto/file-signatures")
    signature = call.runtime.fake.uuid(f"afosto/file-signature/{number}").replace("-", "")
    expires_at = format_instant(call.runtime.clock.now() + SIGNATURE_LIFETIME)
    record = {**body, "id": signature, "signature": signature, "expires_at": expires_at}
    call.runtime.store.put(call.account.name, SIGNATURES, (), signature, record, origin=FROM_API)
    return success(call, {"signature": signature, "expires_at": expires_at}, signature)


def upload_file(call: Call) -> Reply:
    """Each file part becomes a stored file; the answer lists them."""
    signature = str(call.parameter("signature"))
    granted = call.runtime.collection(call.account, SIGNATURES).get(signature)
    if granted is None:
        raise ApiError(call.operation.error_status(404), f"upload signature {signature!r} not found; get one from POST /cnt/files/signature")
    if parse_instant(str(granted.get("expires_at"))) < call.runtime.clock.now():
        raise ApiError(400, f"upload signature {signature!r} expired at {granted['expires_at']}; get a new one",
                       [Problem("path", ("signature",), "invalid", "expired")])
    parts = [part for part in call.request.files if isinstance(part, UploadedFile)]
    if not parts:
        raise ApiError(400, 'form field "file" is required (a multipart file part)', [Problem("form", ("file",), "required")])
    stored = [
        store_file(
            call.runtime, call.account.name, part.filename or "upload", part.content_type, part.read(),
            base_url=call.incoming.base_url, directory=str(granted.get("path") or "/"),
            is_public=bool(granted.get("is_public", False)), is_listed=bool(granted.get("is_listed", True)),
            metadata=granted.get("metadata") if isinstance(granted.get("metadata"), dict) else {},
        )
        for part in parts
    ]
    return success(call, stored, ",".join(str(item["id"]) for item in stored))


def store_file(
    runtime: ApiRuntime,
    account: str,
    filename: str,
    mime: str,
    content: bytes,
    *,
    base_url: str,
    directory: str = "/",
    is_public: bool = False,
    is_listed: bool = True,
    metadata: dict[str, Any] | None = None,
    origin: str = FROM_API,
) -> dict[str, Any]:
    """Store a file with its bytes; returns the stored record."""
    info = runtime.collections[FILES]
    file_id = str(runtime.new_identifier(info, "afosto/files"))
    record = {
        "id": file_id,
        "filename": filename,
        "label": filename,
        "dir": directory,
        "type": "file",
        "mime": mime,
        "url": f"{base_url}{FILES}/{file_id}",
        "is_public": is_public,
        "is_listed": is_listed,
        "metadata": {**(metadata or {}), "size": len(content)},
        CONTENT: base64.b64encode(content).decode("ascii"),
    }
    return runtime.store.put(account, FILES, (), file_id, record, origin=origin)


def file_content(record: dict[str, Any]) -> bytes | None:
    """The bytes a stored file holds (None for a file stored without them)."""
    encoded = record.get(CONTENT)
    if not isinstance(encoded, str):
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
