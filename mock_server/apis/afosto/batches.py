"""The batch validate / confirm lifecycle (`/cnt/batches`).

A new batch has every flag false (`is_import` is true when an import mapping is given).
`PUT .../validate` locks the batch and its dataset and checks the dataset's rows against
the batch's import mapping in the background; the batch ends accepted (`is_accepted`,
still locked) or failing (`is_failing`, lock lifted, one entry per bad row at
`GET .../errors`). `PUT .../confirm` takes an accepted batch (409 otherwise) and
processes it in the background until `is_ready`. While locked, the batch and its dataset
refuse changes (409); a confirmed batch, or one being validated, cannot be deleted.

The import mapping is a list of columns, `{"column": "sku", "type": "integer",
"required": true}` (`key`, `name` or `field` may name the column; `type` defaults to
`string`, `required` to false). The batch keeps it as an object keyed by column, the way
the documented batch model shows `import.mapping`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ...engine.background.tasks import StepFailure, Task
from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.clock import parse_instant
from ...engine.contract.references import Prerequisite
from ...engine.errors import ApiError, Problem
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import FROM_API, FROM_TASK
from ...engine.vendor import Call, Reply
from .tasks import AfostoTaskType, start_task, task_reply

BATCHES = "/cnt/batches"
ERRORS = "/cnt/batches/{id}/errors"
DATASETS = "/cnt/datasets"
LINES = "/cnt/datasets/{id}/lines"
VALIDATION = "afosto.batch_validation"
PROCESSING = "afosto.batch_processing"
ROWS_PER_STEP = 25
FLAGS = ("is_locked", "is_accepted", "is_confirmed", "is_ready", "is_failing")
COLUMN_NAMES = ("column", "key", "name", "field")
ERROR = "error"
WARNING = "warning"

_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
BOOLEAN_TEXTS = {"true", "false", "1", "0", "yes", "no"}


# --- column types -----------------------------------------------------------------------------


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _is_instant(value: Any) -> bool:
    try:
        parse_instant(str(value))
    except ValueError:
        return False
    return True


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


# type -> (how a value of it is checked, how the type is named in a message)
COLUMN_TYPES: dict[str, tuple[Any, str]] = {
    "string": (lambda v: _scalar(v) or isinstance(v, bool), "text"),
    "integer": (lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and bool(_INTEGER.match(v.strip()))), "an integer"),
    "number": (lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool)) or (isinstance(v, str) and bool(_NUMBER.match(v.strip()))), "a number"),
    "boolean": (lambda v: isinstance(v, bool) or (isinstance(v, (str, int)) and str(v).strip().lower() in BOOLEAN_TEXTS), "true or false"),
    "date": (lambda v: isinstance(v, str) and _is_date(v.strip()), "a date (YYYY-MM-DD)"),
    "date-time": (lambda v: isinstance(v, str) and _is_instant(v.strip()), "a date and time (ISO 8601)"),
    "email": (lambda v: isinstance(v, str) and bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v.strip())), "an email address"),
    "uuid": (lambda v: isinstance(v, str) and bool(UUID_TEXT.match(v.strip())), "a UUID"),
}
TYPE_ALIASES = {"text": "string", "int": "integer", "float": "number", "decimal": "number", "bool": "boolean", "datetime": "date-time"}


def read_mapping(entries: Any) -> dict[str, dict[str, Any]]:
    """The documented list of mapping entries as `{column: {type, required}}`; 400 naming the entry."""
    if entries is None:
        return {}
    mapping: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        where = ("import", "mapping", index)
        if not isinstance(entry, dict):
            raise ApiError(400, problems=[Problem("body", where, "type", "object")])
        column = next((entry[name] for name in COLUMN_NAMES if isinstance(entry.get(name), str) and entry[name].strip()), None)
        if column is None:
            raise ApiError(400, f'body field "import.mapping[{index}].column" is required (the column the entry maps)',
                           [Problem("body", (*where, "column"), "required")])
        kind = str(entry.get("type") or "string").lower()
        kind = TYPE_ALIASES.get(kind, kind)
        if kind not in COLUMN_TYPES:
            raise ApiError(400, problems=[Problem("body", (*where, "type"), "enum", list(COLUMN_TYPES), entry.get("type"))])
        required = entry.get("required", entry.get("is_required", False))
        mapping[column.strip()] = {"type": kind, "required": required is True or str(required).lower() in ("true", "1")}
    return mapping


def row_errors(mapping: dict[str, dict[str, Any]], data: Any) -> list[dict[str, str]]:
    """The documented `{column, level, message}` entries for one row (empty when it is fine)."""
    if not isinstance(data, dict):
        return [{"column": "", "level": ERROR, "message": "the row holds no columns"}]
    found = []
    for column, spec in mapping.items():
        value = data.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                found.append({"column": column, "level": ERROR, "message": f"{column} is required"})
            continue
        check, named = COLUMN_TYPES[spec["type"]]
        if not check(value):
            found.append({"column": column, "level": ERROR, "message": f"{column} must be {named}, not {value!r}"})
    if mapping:
        for column in data:
            if column not in mapping:
                found.append({"column": column, "level": WARNING, "message": f"{column} is not in the import mapping; it is ignored"})
    return found


# --- the batch and its dataset ------------------------------------------------------------------


def _find(call: Call, template: str, key: str) -> dict[str, Any]:
    return toolkit.find_in(call, call.runtime.collections[template], key)


def _named_batch(call: Call) -> tuple[str, dict[str, Any]]:
    """The batch the path names (404 when there is none) and its key."""
    key = str(call.parameter("id"))
    return key, _find(call, BATCHES, key)


def _conflict(call: Call, message: str) -> ApiError:
    return ApiError(call.operation.error_status(409), message)


def _put(runtime: ApiRuntime, account: str, template: str, key: str, record: dict[str, Any], origin: str) -> dict[str, Any]:
    return runtime.store.put(account, template, (), key, record, origin=origin)


def _clear_errors(runtime: ApiRuntime, account: str, key: str) -> None:
    """The errors a validation of the batch listed go."""
    for reference in runtime.store.collection(account, ERRORS, (key,)).keys():
        runtime.store.delete(account, ERRORS, (key,), reference, origin=FROM_API)


def _with_import(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The body's import mapping read into its stored form; `is_import` follows it."""
    section = body.get("import")
    if isinstance(section, dict):
        record["import"] = {**section, "mapping": read_mapping(section.get("mapping"))}
    record["is_import"] = isinstance(record.get("import"), dict)
    return record


def create_batch(call: Call) -> Reply:
    """A new batch: every flag false, `is_import` when an import mapping is given."""
    info = call.runtime.collections[BATCHES]
    body = toolkit.body_fields(call)
    record = _with_import({key: value for key, value in body.items() if key not in (*FLAGS, "task_id", "is_import")}, body)
    for flag in FLAGS:
        record[flag] = False
    stored = toolkit.store_new(call, info, toolkit.new_record(call, info, record))
    return success(call, stored, str(stored["id"]))


def update_batch(call: Call) -> Reply:
    """The fields the body names change (config, reference, dataset, mapping); the flags stay.
    409 while the batch is locked."""
    key, before = _named_batch(call)
    if before.get("is_locked"):
        raise _conflict(call, f"batch {key!r} is locked ({_lock_reason(before)}); it cannot change now")
    body = toolkit.body_fields(call)
    changes = {name: value for name, value in body.items() if name not in (*FLAGS, "task_id", "is_import", "id")}
    after = _with_import({**before, **changes}, body)
    stored = _put(call.runtime, call.account.name, BATCHES, key, after, FROM_API)
    return success(call, stored, key)


def delete_batch(call: Call) -> Reply:
    """Only an unconfirmed batch that is not being validated can go; its dataset is unlocked."""
    key, batch = _named_batch(call)
    if batch.get("is_confirmed"):
        raise _conflict(call, f"batch {key!r} is confirmed; a confirmed batch cannot be deleted")
    if _validating(batch):
        raise _conflict(call, f"batch {key!r} is being validated; delete it once validation has ended")
    if batch.get("is_locked"):
        _unlock_dataset(call.runtime, call.account.name, batch, FROM_API)
    _clear_errors(call.runtime, call.account.name, key)
    call.runtime.store.delete(call.account.name, BATCHES, (), key, origin=FROM_API)
    return success(call, batch, key)


def validate_batch(call: Call) -> Reply:
    """Lock the batch and its dataset and check the rows in the background (`x-task-id`)."""
    key, batch = _named_batch(call)
    if batch.get("is_confirmed"):
        raise _conflict(call, f"batch {key!r} is confirmed; it cannot be validated again")
    if batch.get("is_locked"):
        raise _conflict(call, f"batch {key!r} is locked ({_lock_reason(batch)})")
    dataset_id = batch.get("dataset_id")
    if not dataset_id:
        # The request is well formed; the batch is not ready for it yet.
        raise ApiError(call.operation.error_status(409), f"batch {key!r} names no dataset_id; set one with PUT /cnt/batches/{key}",
                       [Problem("body", ("dataset_id",), "required")])
    dataset = call.runtime.collection(call.account, DATASETS).get(str(dataset_id))
    if dataset is None:
        raise ApiError(call.operation.error_status(404), f"dataset {dataset_id!r} of batch {key!r} not found")
    if dataset.get("is_locked"):
        raise _conflict(call, f"dataset {dataset_id!r} is locked by another batch")
    account = call.account.name
    _clear_errors(call.runtime, account, key)
    _put(call.runtime, account, DATASETS, str(dataset_id), {**dataset, "is_locked": True}, FROM_API)
    task = start_task(call, VALIDATION, {"batch": key, "dataset": str(dataset_id)}, f"validate batch {key}")
    _put(call.runtime, account, BATCHES, key,
         {**batch, "is_locked": True, "is_accepted": False, "is_failing": False, "is_ready": False, "task_id": task.id}, FROM_API)
    return task_reply(call, task)


def confirm_batch(call: Call) -> Reply:
    """An accepted batch is confirmed and processed in the background (`x-task-id`)."""
    key, batch = _named_batch(call)
    if batch.get("is_confirmed"):
        raise _conflict(call, f"batch {key!r} is confirmed already")
    if not batch.get("is_accepted"):
        raise _conflict(call, f"batch {key!r} is not accepted ({_lock_reason(batch)}); validate it first")
    task = start_task(call, PROCESSING, {"batch": key, "dataset": str(batch.get("dataset_id") or "")}, f"process batch {key}")
    _put(call.runtime, call.account.name, BATCHES, key, {**batch, "is_confirmed": True, "task_id": task.id}, FROM_API)
    return task_reply(call, task)


def _validating(batch: dict[str, Any]) -> bool:
    return bool(batch.get("is_locked")) and not batch.get("is_accepted") and not batch.get("is_failing")


def _lock_reason(batch: dict[str, Any]) -> str:
    if batch.get("is_ready"):
        return "processed"
    if batch.get("is_confirmed"):
        return "confirmed, being processed"
    if batch.get("is_accepted"):
        return "accepted, waiting for confirmation"
    if batch.get("is_locked"):
        return "being validated"
    if batch.get("is_failing"):
        return "validation failed"
    return "not validated yet"


def _unlock_dataset(runtime: ApiRuntime, account: str, batch: dict[str, Any], origin: str) -> None:
    dataset_id = str(batch.get("dataset_id") or "")
    dataset = runtime.store.collection(account, DATASETS).get(dataset_id) if dataset_id else None
    if dataset is not None and dataset.get("is_locked"):
        _put(runtime, account, DATASETS, dataset_id, {**dataset, "is_locked": False}, origin)


# --- the background work ------------------------------------------------------------------------


def _row_steps(runtime: ApiRuntime, task: Task, last: list[Any]) -> list[Any]:
    count = len(runtime.store.collection(task.account, LINES, (task.payload["dataset"],)))
    return [["rows", start, min(start + ROWS_PER_STEP, count)] for start in range(0, count, ROWS_PER_STEP)] + [last]


def _failed(runtime: ApiRuntime, task: Task) -> None:
    """A batch whose task failed is failing, its lock and its dataset's lifted (it may be
    changed and validated again)."""
    batch = runtime.store.collection(task.account, BATCHES).get(task.payload["batch"])
    if batch is None:
        return
    _unlock_dataset(runtime, task.account, batch, FROM_TASK)
    after = {**batch, "is_failing": True, "is_locked": False, "is_accepted": False, "is_ready": False}
    _put(runtime, task.account, BATCHES, task.payload["batch"], after, FROM_TASK)


class BatchValidation(AfostoTaskType):
    """Checks a batch's rows against its import mapping, a slice of rows per step, then
    accepts the batch or marks it failing (also when a step could not be done)."""

    name = VALIDATION

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def plan(self, task: Task) -> list[Any]:
        return _row_steps(self.runtime, task, ["conclude"])

    def apply(self, task: Task, step: Any) -> None:
        results = task.results
        results.setdefault("rows", 0)
        results.setdefault("failing_rows", 0)
        batch = self.runtime.store.collection(task.account, BATCHES).get(task.payload["batch"])
        if batch is None:
            return
        if step[0] == "rows":
            self._check(task, batch, step[1], step[2])
        else:
            self._conclude(task, batch)

    def _check(self, task: Task, batch: dict[str, Any], start: int, end: int) -> None:
        store = self.runtime.store
        mapping = (batch.get("import") or {}).get("mapping") or {}
        lines = store.collection(task.account, LINES, (task.payload["dataset"],)).page(start, end - start)
        for line in lines:
            found = row_errors(mapping, line.get("data"))
            task.results["rows"] += 1
            if any(entry["level"] == ERROR for entry in found):
                task.results["failing_rows"] += 1
            if found:
                reference = str(line.get("reference"))
                store.put(task.account, ERRORS, (task.payload["batch"],), reference,
                          {"reference": reference, "errors": found}, origin=FROM_TASK)

    def _conclude(self, task: Task, batch: dict[str, Any]) -> None:
        failing = task.results["failing_rows"] > 0
        after = {**batch, "is_accepted": not failing, "is_failing": failing, "is_locked": not failing}
        if failing:
            _unlock_dataset(self.runtime, task.account, batch, FROM_TASK)
        _put(self.runtime, task.account, BATCHES, task.payload["batch"], after, FROM_TASK)
        task.results["result"] = "failing" if failing else "accepted"

    def finish(self, task: Task) -> None:
        task.results.setdefault("result", "failing")

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        super().step_failed(task, step, failure)
        _failed(self.runtime, task)


class BatchProcessing(AfostoTaskType):
    """Processes a confirmed batch's rows, a slice per step, then marks it ready and frees
    its dataset; when a step could not be done, the batch is failing instead of ready."""

    name = PROCESSING

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def plan(self, task: Task) -> list[Any]:
        if not task.payload.get("dataset"):
            return [["ready"]]
        return _row_steps(self.runtime, task, ["ready"])

    def apply(self, task: Task, step: Any) -> None:
        task.results.setdefault("rows", 0)
        if step[0] == "rows":
            task.results["rows"] += step[2] - step[1]
            return
        batch = self.runtime.store.collection(task.account, BATCHES).get(task.payload["batch"])
        if batch is None:
            return
        _unlock_dataset(self.runtime, task.account, batch, FROM_TASK)
        _put(self.runtime, task.account, BATCHES, task.payload["batch"], {**batch, "is_ready": True}, FROM_TASK)
        task.results["result"] = "ready"

    def finish(self, task: Task) -> None:
        task.results.setdefault("result", "ready")

    def step_failed(self, task: Task, step: Any, failure: StepFailure) -> None:
        super().step_failed(task, step, failure)
        _failed(self.runtime, task)


# A batch is confirmed once its validation accepted it.
PREREQUISITES = (Prerequisite("PUT", "/cnt/batches/{id}/confirm", "PUT", "/cnt/batches/{id}/validate"),)
# Operations that refuse with 409 what the lifecycle does not allow, and why.
CONFLICTS = {
    ("PUT", "/cnt/batches/{id}"): "the batch is locked",
    ("DELETE", "/cnt/batches/{id}"): "the batch is confirmed or being validated",
    ("PUT", "/cnt/batches/{id}/validate"): "the batch or its dataset is locked, the batch is confirmed or names no dataset",
    ("PUT", "/cnt/batches/{id}/confirm"): "the batch is not accepted, or confirmed already",
}
