"""OpenAPI links between the operations of a contract, inferred from its paths and models.

An operation that creates an object (or lists objects) links to every operation that
takes that object's identifier: the operations on the object's path and below it
(`POST /tickets` -> `GET /tickets/{ticketId}`, `POST /tickets/{ticketId}/comments`), and
the operations whose request body names an object of that collection
(`POST /consumptions/resources` -> `POST /units/{unitId}/meters` with `resourceId`).
Each link says where the identifier comes from (the answer, the request, the path) and
carries ``x-inferred: true``: the documents print no links.

Where names cannot tell, the API module's rules state it: the references it enforces
(`settings.phone_number_id` names a phone number, a proxy search names its proxy in the
path, a comment's `authorEmail` a contact by email) replace what naming inferred for
those fields, and the operations that make objects their generic reading misses (an
upload makes files) are sources too.

Clients and schemathesis' stateful phase follow the links; the project's operation walk
reads them to create what an operation needs before calling it.
"""

from __future__ import annotations

from typing import Any

from ...engine.contract.collections import collection_infos
from ...engine.contract.operations import OperationSpec, compile_contract
from ...engine.contract.references import MadeObjects, Prerequisite, RequiredReference
from .sources import header_references, made_source, same_objects, sources_of
from .stated import add_stated_link, prerequisite, stated_reference
from .targets import body_links, body_references, link_to, path_links


def add_links(
    document: dict[str, Any],
    api: str,
    client_supplies_ids: bool,
    required: tuple[RequiredReference, ...] = (),
    made: tuple[MadeObjects, ...] = (),
    prerequisites: tuple[Prerequisite, ...] = (),
) -> None:
    """Add `links` to the success responses of ``document`` (changed in place).

    ``required``, ``made`` and ``prerequisites`` are the API module's own statements
    (`DataModel`). An operation with a prerequisite takes its objects from that operation
    only: the links that would hand it any object of the collection are left out.
    """
    compiled = compile_contract(api, document)
    infos = collection_infos(compiled)
    id_schemas = {template: (info.id_field, info.id_schema) for template, info in infos.items()}
    operations = list(compiled.operations.values())
    by_route = {(operation.method, operation.path): operation for operation in operations}
    sources = [
        source
        for operation in operations
        for source in [
            *sources_of(operation, infos, id_schemas, client_supplies_ids),
            *header_references(operation, id_schemas),
        ]
    ]
    sources += [made_source(item, by_route, infos) for item in made]
    sources += [shared for source in sources for shared in same_objects(source, infos)]
    stated = [stated_reference(reference, by_route, infos) for reference in required]
    stated_fields = {(item.target.operation_id, item.reference.field.removeprefix("[].")) for item in stated}
    references = {
        target.operation_id: [
            reference
            for reference in body_references(target, id_schemas, infos)
            if (target.operation_id, reference.field) not in stated_fields
        ]
        for target in operations
    }
    after = {(item.method, item.path): prerequisite(item, by_route) for item in prerequisites}
    for source in sources:
        links: dict[str, Any] = {}
        for target in operations:
            if target is source.operation:
                continue
            parameters = path_links(source, target)
            if parameters and (target.method, target.path) not in after:
                links[target.operation_id] = link_to(target, parameters=parameters)
            for field, body in body_links(source, references[target.operation_id]):
                links[f"{target.operation_id}.{field}"] = link_to(target, body=body)
        for item in stated:
            if item.target is not source.operation and item.reference.target == source.collection:
                add_stated_link(links, source, item, stated, infos)
        if links:
            response = _success_response(document, source.operation)
            response.setdefault("links", {}).update(links)
    for (method, path), (before, parameters) in after.items():
        target = by_route[(method, path)]
        links = _success_response(document, before).setdefault("links", {})
        links[target.operation_id] = link_to(target, parameters=parameters)


def _success_response(document: dict[str, Any], operation: OperationSpec) -> dict[str, Any]:
    raw = document["paths"][operation.path][operation.method.lower()]
    return raw["responses"][str(operation.success.status)]
