"""Datasets (`/cnt/datasets`) keep their rows: `{reference, data}` lines.

Rows come in as JSON (`POST .../upload`) or from an uploaded CSV or JSON file
(`POST .../attach {file_id}`); `GET .../lines` pages through them; `POST .../export`
writes them to a CSV file, which the dataset then names in `file_id`. A row's
`reference` (a UUID) names it: uploading the same reference again replaces the row.
A dataset locked by its batch refuses new rows (409).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ...engine import jsonio
from ...engine.behaviour import toolkit
from ...engine.behaviour.reference_checks import unknown_reference_status
from ...engine.behaviour.replies import success
from ...engine.errors import ApiError, Problem
from ...engine.state.changes import FROM_API
from ...engine.vendor import Call, Reply
from .batches import DATASETS, LINES, UUID_TEXT
from .files import FILES, file_content, store_file
from .tasks import OPERATION, start_task, task_reply

CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
CSV_DELIMITERS = ",;\t|"


def create_dataset(call: Call) -> Reply:
    """A new, empty and unlocked dataset."""
    info = call.runtime.collections[DATASETS]
    record = {
        key: value for key, value in toolkit.body_fields(call).items()
        if key not in ("line_count", "is_locked", "file_id")
    }
    record.update(line_count=0, is_locked=False)
    stored = toolkit.store_new(call, info, toolkit.new_record(call, info, record))
    return success(call, stored, str(stored["id"]))


def _dataset(call: Call, key: str) -> dict[str, Any]:
    return toolkit.find_in(call, call.runtime.collections[DATASETS], key)


def _open_dataset(call: Call) -> tuple[str, dict[str, Any]]:
    """The dataset the path names, refusing changes while it is locked."""
    key = str(call.parameter("id"))
    dataset = _dataset(call, key)
    if dataset.get("is_locked"):
        raise ApiError(call.operation.error_status(409), f"dataset {key!r} is locked by its batch; it takes no rows now")
    return key, dataset


def _store_rows(call: Call, key: str, dataset: dict[str, Any], rows: list[dict[str, Any]], **changes: Any) -> None:
    store = call.runtime.store
    account = call.account.name
    key_field = call.runtime.collections[LINES].id_field  # `reference`, as the engine keys them
    for row in rows:
        reference = row.get(key_field)
        if reference in (None, ""):
            reference = call.runtime.new_identifier(None, "afosto/dataset-lines")
        reference = str(reference)
        store.put(account, LINES, (key,), reference, {key_field: reference, "data": row.get("data")}, origin=FROM_API)
    count = len(store.collection(account, LINES, (key,)))
    store.put(account, DATASETS, (), key, {**dataset, **changes, "line_count": count}, origin=FROM_API)


def upload_rows(call: Call) -> Reply:
    """JSON rows `[{reference, data}]` are added (a known reference replaces its row)."""
    key, dataset = _open_dataset(call)
    body = call.body if isinstance(call.body, list) else []
    rows = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise ApiError(400, problems=[Problem("body", (index,), "type", "object")])
        if not isinstance(item.get("data"), dict):
            raise ApiError(400, f'body field "[{index}].data" is required: the row\'s columns as an object',
                           [Problem("body", (index, "data"), "required")])
        rows.append(item)
    _store_rows(call, key, dataset, rows)
    task = start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, f"upload {len(rows)} row(s)")
    return task_reply(call, task)


def attach_file(call: Call) -> Reply:
    """The rows of an uploaded CSV (a header row, then one row a line) or JSON file."""
    key, dataset = _open_dataset(call)
    file_id = str(toolkit.body_fields(call).get("file_id") or "")
    if not file_id:
        raise ApiError(400, problems=[Problem("body", ("file_id",), "required")])
    record = call.runtime.collection(call.account, FILES).get(file_id)
    if record is None:
        raise ApiError(unknown_reference_status(call.operation), f'body field "file_id": file {file_id!r} not found',
                       [Problem("body", ("file_id",), "unknown")])
    content = file_content(record)
    if content is None:
        # A well-formed request naming a file whose bytes the sandbox never had (a demo file).
        raise ApiError(call.operation.error_status(409), f"file {file_id!r} holds no content the sandbox kept; upload it with POST /cnt/files/upload/{{signature}}",
                       [Problem("body", ("file_id",), "invalid", "a file without content")])
    rows = read_rows(str(record.get("filename") or ""), str(record.get("mime") or ""), content)
    _store_rows(call, key, dataset, rows, file_id=file_id)
    task = start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, f"read file {file_id}")
    return task_reply(call, task)


def read_rows(filename: str, mime: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a JSON file (a list of rows or of plain objects) or a CSV file with a header."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "the file is not UTF-8 text; datasets read CSV and JSON files",
                       [Problem("body", ("file_id",), "invalid", "not UTF-8 text")]) from None
    if mime.endswith("json") or filename.lower().endswith(".json"):
        return _json_rows(text)
    if mime in CSV_TYPES or filename.lower().endswith((".csv", ".txt")):
        return _csv_rows(text)
    raise ApiError(400, f"file type {mime or 'unknown'} ({filename}) cannot be read; datasets read CSV and JSON files",
                   [Problem("body", ("file_id",), "invalid", "not a CSV or JSON file")])


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        value = jsonio.loads(text)
    except ValueError as error:
        raise ApiError(400, f"the JSON file cannot be read: {error}", [Problem("body", ("file_id",), "invalid", "bad JSON")]) from None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ApiError(400, "a JSON file holds a list of rows", [Problem("body", ("file_id",), "invalid", "not a list of rows")])
    rows = []
    for item in value:
        if set(item) <= {"reference", "data"} and isinstance(item.get("data"), dict):
            rows.append({"reference": _reference(item.get("reference")), "data": item["data"]})
        else:
            rows.append({"reference": None, "data": item})
    return rows


def _csv_rows(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        return []
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=CSV_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for line in csv.DictReader(io.StringIO(text), dialect=dialect):
            data = {str(column).strip(): value for column, value in line.items() if column is not None}
            reference = _reference(data.pop("reference", None))
            rows.append({"reference": reference, "data": data})
    except csv.Error as error:  # a field beyond the reader's limit, and the like
        raise ApiError(400, f"the CSV file cannot be read: {error}",
                       [Problem("body", ("file_id",), "invalid", "an unreadable CSV file")]) from None
    return rows


def _reference(value: Any) -> str | None:
    """A row's own reference when it is a UUID (the documented form), else None (one is made)."""
    return value.strip() if isinstance(value, str) and UUID_TEXT.match(value.strip()) else None


def export_rows(call: Call) -> Reply:
    """The rows as a CSV file (`reference` first, then every column); the dataset names it."""
    key = str(call.parameter("id"))
    dataset = _dataset(call, key)
    lines = list(call.runtime.store.collection(call.account.name, LINES, (key,)).values())
    columns: dict[str, None] = {}
    for line in lines:
        for column in (line.get("data") or {}):
            columns[str(column)] = None
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["reference", *columns])
    for line in lines:
        data = line.get("data") or {}
        writer.writerow([line.get("reference"), *(_cell(data.get(column)) for column in columns)])
    exported = store_file(
        call.runtime, call.account.name, f"{dataset.get('reference') or key}.csv", "text/csv",
        output.getvalue().encode("utf-8"), base_url=call.incoming.base_url, directory="/exports",
    )
    call.runtime.store.put(call.account.name, DATASETS, (), key, {**dataset, "file_id": exported["id"]}, origin=FROM_API)
    task = start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, f"export to file {exported['id']}")
    return task_reply(call, task)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return jsonio.dumps(value).decode()
    return str(value)


CONFLICTS = {
    ("POST", "/cnt/datasets/{id}/upload"): "the dataset is locked by its batch",
    ("POST", "/cnt/datasets/{id}/attach"): "the dataset is locked by its batch, or the file holds no content the sandbox kept",
}
