"""What the server enforces that the documents leave unsaid, written into the contracts.

- A change addressed by the identifier in its body (`PUT /wms/routes {id, name}`) needs
  that identifier: the body (and its model the identifier) is required, and not empty.
- A creation whose identifier the client chooses (in the path, or in the body where the
  API keeps clients' identifiers) clashes with an object that has it: the operation
  documents `409 Conflict` where its document is silent. An identifier the client
  chooses in the body names the object in paths afterwards, so it is not empty.

- A body field that names another object (an API module's `BodyReference`) is not
  empty text; deleting an object such a reference keeps (`guards_delete`) documents
  `409 Conflict` where the document is silent.

All carry ``x-inferred: true``.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from ..engine.contract.collections import CollectionInfo, collection_infos
from ..engine.contract.operations import OperationSpec, compile_contract
from ..engine.contract.references import BodyReference, RequiredReference, schema_at

CONFLICT = 409
CONFLICT_DESCRIPTION = "An object with this identifier exists already"
IN_USE_DESCRIPTION = "Conflict: another object still names this one"


def enforce(
    document: dict[str, Any],
    api: str,
    client_supplies_ids: bool,
    handled: dict[str, bool],
    references: Iterable[RequiredReference] = (),
) -> None:
    """Write the enforced rules into ``document`` (changed in place).

    ``handled`` maps the operations an API module answers itself to whether their
    answer includes a clash (the module's rule, not the generic one, decides those);
    ``references`` are the module's (`DataModel.references`).
    """
    compiled = compile_contract(api, document)
    infos = collection_infos(compiled)
    body_references = [reference for reference in references if isinstance(reference, BodyReference)]
    guarded = {reference.target for reference in body_references if reference.guards_delete}
    for reference in body_references:
        _reference_not_empty(document["paths"][reference.path][reference.method.lower()], reference.field)
    for operation in compiled.operations.values():
        raw = document["paths"][operation.path][operation.method.lower()]
        if operation.kind == "delete" and operation.resource in guarded:
            _document_conflict(raw, IN_USE_DESCRIPTION)
        info = infos.get(operation.resource or "")
        if operation.kind == "update_by_body" and info is not None:
            _require_identifier(raw, info.id_field)
        clashes = handled.get(operation.operation_id)
        if clashes is None:
            clashes = info is not None and _client_chooses_identifier(operation, info, client_supplies_ids)
        if clashes:
            _document_conflict(raw)
        if info is not None and operation.kind == "create" and _client_chooses_identifier(operation, info, client_supplies_ids):
            _identifier_not_empty(raw, info.id_field)


def _require_identifier(raw: dict[str, Any], id_field: str) -> None:
    if "requestBody" in raw:
        raw["requestBody"]["required"] = True  # the identifier comes in it
    for media in raw.get("requestBody", {}).get("content", {}).values():
        schema = media.get("schema", {})
        target = schema.get("items", schema) if schema.get("type") == "array" else schema
        if id_field in target.get("properties", {}):
            required = target.setdefault("required", [])
            if id_field not in required:
                required.append(id_field)
            target["x-inferred"] = True
    _identifier_not_empty(raw, id_field)


def _identifier_not_empty(raw: dict[str, Any], id_field: str) -> None:
    for media in raw.get("requestBody", {}).get("content", {}).values():
        schema = media.get("schema", {})
        target = schema.get("items", schema) if schema.get("type") == "array" else schema
        prop = target.get("properties", {}).get(id_field)
        if prop is not None and prop.get("type") == "string" and "minLength" not in prop:
            prop["minLength"] = 1


def _client_chooses_identifier(operation: OperationSpec, info: CollectionInfo, client_supplies_ids: bool) -> bool:
    if operation.kind == "create_at":
        return True
    if operation.kind != "create":
        return False
    if not (client_supplies_ids or info.id_field != "id"):
        return False
    for body in operation.bodies.values():
        schema = body.schema.get("items", {}) if body.schema.get("type") == "array" else body.schema
        prop = schema.get("properties", {}).get(info.id_field)
        if prop is not None and not prop.get("readOnly"):
            return True
    return False


def _reference_not_empty(raw: dict[str, Any], field: str) -> None:
    """A body field that names another object is not empty text (it would name none)."""
    for media in raw.get("requestBody", {}).get("content", {}).values():
        prop = schema_at(media.get("schema", {}), field)
        if prop is not None and prop.get("type") == "array":
            prop = prop.get("items")
        if prop is not None and prop.get("type") == "string" and "minLength" not in prop:
            prop.update({"minLength": 1, "x-inferred": True})


def _document_conflict(raw: dict[str, Any], description: str = CONFLICT_DESCRIPTION) -> None:
    responses = raw["responses"]
    if str(CONFLICT) in responses:
        return
    error = next((responses[status] for status in ("400", "404") if status in responses), None)
    conflict: dict[str, Any] = {"description": description, "x-inferred": True}
    if error is not None and "content" in error:
        conflict["content"] = copy.deepcopy(error["content"])
    responses[str(CONFLICT)] = conflict
    raw["responses"] = dict(sorted(responses.items(), key=lambda item: (not item[0].isdigit(), item[0])))
