"""Answers: stored objects shaped into the operation's documented success response.

Objects are shaped into the response model (fields the model requires but the object
lacks are filled with stable fake values keyed by the object, so every read of one object
shows the same values); lists take the documented list shape; response headers that
mean something (Location, paging, task ids) come from state, never from fake data.
"""

from __future__ import annotations

from typing import Any

from ..contract.collections import CollectionInfo
from ..contract.kinds import last_segment
from ..contract.operations import OperationSpec
from ..errors import ApiError, ErrorShape, MethodNotAllowed
from ..state.store import Record, concrete_path
from ..vendor import Call, Paging, Reply

# Statuses answered as they are, documented or not: they describe the server or the
# connection rather than the request's content.
_AS_IS = frozenset({401, 405, 408, 500, 507})
_LIST_WRAPPERS = ("rows", "items", "data", "results", "hits", "records")
_TOTAL_FIELDS = {"count", "total", "totalCount", "total_count", "totalHits", "total_hits", "nbHits"}
_PAGE_FIELDS = {"page", "currentPage", "current_page"}
_PAGE_COUNT_FIELDS = {"pageCount", "page_count", "pages", "totalPages", "total_pages"}


def success(
    call: Call, value: Any, key: str, headers: dict[str, str] | None = None, media_type: str | None = None
) -> Reply:
    """The documented success answer, shaped from ``value`` (into ``media_type``, one of the
    answer's documented media types, instead of the first one when given)."""
    spec = call.operation.success
    documented = documented_headers(call, key) if spec.headers else {}
    all_headers = {**documented, **headers} if headers else documented
    if spec.status == 204 or spec.schema is None:
        return Reply(spec.status, None, all_headers)
    if media_type is not None and media_type != spec.content_type:
        namespace = f"{call.runtime.name}/{call.account.name}"
        shaped = call.runtime.shaper.answer(value, spec.media[media_type], namespace, key)
        return Reply(spec.status, shaped, all_headers, media_type)
    if not spec.is_json:
        return Reply(spec.status, binary_body(spec.content_type or ""), all_headers, spec.content_type)
    schema = spec.schema
    if schema.get("type") in ("integer", "number", "string") and isinstance(value, dict):
        value = value.get("id")
    elif schema.get("type") == "array" and isinstance(value, dict):
        # Some reads are documented as answering a list holding the object.
        value = [value]
    namespace = f"{call.runtime.name}/{call.account.name}"
    shaped = call.runtime.shaper.answer(value, schema, namespace, key)
    return Reply(spec.status, shaped, all_headers, spec.content_type)


def documented_headers(call: Call, key: str) -> dict[str, str]:
    """Values for the response headers the operation documents, from state.

    `Location` names the object the call created or changed; the API module supplies the
    others it documents (task ids, ...). Paging headers come with list answers. A header
    nothing can give a meaningful value is left out rather than invented.
    """
    headers: dict[str, str] = {}
    for name in call.operation.success.headers:
        lowered = name.lower()
        if lowered == "location":
            value: str | None = object_url(call, key)
        elif lowered == "content-type":
            continue
        else:
            value = call.vendor.header_value(call, lowered, key)
        if value is not None:
            headers[name] = value
    return headers


def object_url(call: Call, key: str) -> str:
    """The URL of the object ``key`` of the operation's collection (where it is read or deleted)."""
    template = call.operation.resource or call.operation.path
    parents = call.runtime.parents_of(template, call.incoming.path_parameters)
    return f"{call.incoming.base_url}{concrete_path(template, parents)}/{key}"


def binary_body(content_type: str) -> bytes:
    """A small, valid-looking payload for documented non-JSON answers."""
    if content_type == "image/png":
        return b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    if content_type == "application/pdf":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"
    if content_type.startswith("text/"):
        return b"sandbox"
    return b"\x00sandbox\x00"


def list_reply(call: Call, records: list[Record], info: CollectionInfo) -> Reply:
    """A page of ``records`` in the operation's list shape, paged as the API pages."""
    paging = call.vendor.paging(call)
    return page_reply(call, records[paging.offset : paging.offset + paging.limit], len(records), info, paging)


def page_reply(call: Call, page: list[Record], total: int, info: CollectionInfo, paging: Paging) -> Reply:
    body = wrap_list(call, page, total, paging.page, paging.limit, info)
    return success(call, body, f"list/{info.template}", paging.headers(total))


def wrap_list(call: Call, page: list[Record], total: int, page_number: int, page_size: int, info: CollectionInfo) -> Any:
    """The list in the response's shape: a bare array, or an object holding the array."""
    schema = call.operation.success.schema or {}
    pages = max(1, -(-total // page_size)) if page_size < 10**9 else 1
    if schema.get("type") != "object":
        return page
    properties = schema.get("properties", {})
    if not properties:
        # A list documented only as "an object": rows and paging in the common `rows` shape.
        return {"rows": page, "page": page_number, "pageCount": pages}
    wrapper = next(
        (name for name in properties if name in _LIST_WRAPPERS or name == last_segment(info.template)),
        next((name for name, prop in properties.items() if prop.get("type") == "array"), None),
    )
    body: dict[str, Any] = {wrapper: page} if wrapper else {}
    for name in properties:
        if name in _TOTAL_FIELDS:
            body[name] = total
        elif name in _PAGE_FIELDS:
            body[name] = page_number
        elif name in _PAGE_COUNT_FIELDS:
            body[name] = pages
    return body


def error_reply(shape: ErrorShape, error: ApiError, operation: OperationSpec | None, reference: str) -> Reply:
    """The API's error answer in its error ``shape``: a status the operation does not document
    becomes one it does (`OperationSpec.error_status`), unless it describes the server or the
    connection; ``reference`` goes into the shapes that carry one."""
    status = error.status
    if operation is not None and not operation.documents(status) and status not in _AS_IS:
        status = operation.error_status(status)
        error.status = status
    reply = Reply(status, shape.render(error, reference))
    if isinstance(error, MethodNotAllowed):
        reply.headers["Allow"] = error.allowed
    return reply
