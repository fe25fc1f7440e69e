"""The references between Afosto resources: the reviewed table covers every identifier
field of every request body, each enforced reference refuses a missing object (with the
status its operation documents) and accepts an existing one, wherever the field travels,
and objects still named by others cannot be deleted."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import pytest

from mock_server.apis.afosto.reference_table import REFERENCES, UNCHECKED, Reference
from mock_server.engine.behaviour.reference_checks import STORING_KINDS, ReferenceChecks, unknown_reference_status
from mock_server.engine.contract.collections import template_parameters
from mock_server.engine.contract.operations import compile_contract
from tests.http_sandbox import AFOSTO, sandbox_client

ID_FIELD = re.compile(r"(_id|_ids)$")


def _runtime(client):
    return client.app.sandbox.apis["afosto"].runtime


def _id_fields(schema: Any, path: str = "", depth: int = 0) -> list[str]:
    """Field paths (`a.b`, `items[].x`, `[].x`) of the identifier fields a body schema names."""
    if not isinstance(schema, dict) or depth > 8:
        return []
    found = []
    if schema.get("type") == "array" or "items" in schema:
        found += _id_fields(schema.get("items", {}), f"{path}[]", depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        field = f"{path}.{name}" if path else name
        if ID_FIELD.search(name):
            found.append(field)
        found += _id_fields(sub, field, depth + 1)
    return found


async def test_the_table_covers_every_identifier_field_of_every_request_body():
    async with sandbox_client() as client:
        contract = _runtime(client).contract
        listed = {(row.method, row.path, row.field) for row in (*REFERENCES, *UNCHECKED)}
        found = set()
        for operation in contract.operations.values():
            for body in operation.bodies.values():
                found |= {(operation.method, operation.path, field) for field in _id_fields(body.schema)}
        assert sorted(found - listed) == []  # each new identifier field needs a row
        assert sorted(listed - found) == []  # and no row names a field that is gone
        assert len({(r.method, r.path, r.field) for r in REFERENCES}) == len(REFERENCES)
        for reference in REFERENCES:
            assert reference.target in _runtime(client).collections, reference


def _body(field: str, value: str) -> Any:
    """A body holding ``value`` where the field path says."""
    parts = field.replace("[]", ".[]").strip(".").split(".")

    def build(rest: list[str]) -> Any:
        if not rest:
            return value
        head, tail = rest[0], rest[1:]
        if head == "[]":
            return [build(tail)]
        return {head: build(tail)}

    return build([part for part in parts if part])


def _named(field: str) -> str:
    """The field as an error names it: `indexes[0].index_id`."""
    return field.replace("[].", "[0].").removeprefix(".")


def _fixture_for(runtime, reference: Reference, number: int) -> tuple[str, dict[str, list[dict]], dict[str, str]]:
    """The concrete path, fixture objects for every object the path names, and its parameters."""
    segments = reference.path.strip("/").split("/")
    data: dict[str, list[dict]] = {}
    concrete: list[str] = []
    parameters: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            template = "/" + "/".join(segments[:index])
            info = runtime.collections.get(template)
            value = f"{uuid.UUID(int=number * 100 + index)}"
            parameters[segment[1:-1]] = value
            if info is not None:
                data["/" + "/".join(concrete)] = [{info.id_field: value}]
            concrete.append(value)
        else:
            concrete.append(segment)
    return "/" + "/".join(concrete), data, parameters


# What some operations need beside the reference to succeed: (fixture objects under the
# concrete path's collection, fields of the body or of its one item).
EXTRAS: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {
    ("PUT", "/odr/orders/{id}/items/routing"): ({"sku": "SKU-1"}, {"sku": "SKU-1"}),
    ("PUT", "/wms/inventory"): ({"id": "stock-1"}, {"id": "stock-1"}),
}
# Operations the generic behaviour cannot reach yet (their collection's template names its
# parameters differently from the operation's path): only the refusal is checked.
UNREACHABLE = {("PUT", "/wms/transfers/{transfer_id}/transports/{id}/shipment")}
CSV_CONTENT = {"filename": "rows.csv", "mime": "text/csv", "content": base64.b64encode(b"sku\n1\n").decode()}


def _schema_at(schema: Any, field: str) -> dict:
    for part in field.replace("[]", ".[]").strip(".").split("."):
        if not part:
            continue
        schema = schema.get("items", {}) if part == "[]" else (schema.get("properties") or {}).get(part, {})
    return schema


async def test_each_reference_refuses_a_missing_object_and_accepts_an_existing_one():
    problems = []
    async with sandbox_client(no_demo_data=True) as client:
        runtime = _runtime(client)
        by_route = {(op.method, op.path): op for op in runtime.contract.operations.values()}
        for number, reference in enumerate(REFERENCES, start=1):
            route = (reference.method, reference.path)
            operation = by_route[route]
            path, data, parameters = _fixture_for(runtime, reference, number)
            stored_extra, body_extra = EXTRAS.get(route, ({}, {}))
            if stored_extra:
                data[path] = [stored_extra]
            if data:
                loaded = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": data}}})
                assert loaded.status_code == 200, loaded.text
            numeric = _schema_at(operation.bodies["application/json"].schema, reference.field).get("type") == "integer"
            missing = 900000 + number if numeric else str(uuid.uuid4())

            def request_body(value: Any) -> Any:
                body = _body(reference.field, value)
                if body_extra:
                    (body[0] if isinstance(body, list) else body).update(body_extra)
                return body

            refused = await client.request(reference.method, f"/afosto{path}", json=request_body(missing), headers=AFOSTO)
            body = refused.json() if refused.content else {}
            if refused.status_code != unknown_reference_status(operation) \
                    or body.get("errors", {}).get("invalid value") != [_named(reference.field)] \
                    or str(missing) not in body.get("message", ""):
                problems.append((reference, "missing", refused.status_code, refused.text[:200]))
                continue
            if route in UNREACHABLE:
                continue
            target: Any = 800000 + number if numeric else str(uuid.UUID(int=number * 100 + 99))
            info = runtime.collections[reference.target]
            target_path = reference.target
            for name in template_parameters(reference.target):
                target_path = target_path.replace("{" + name + "}", parameters[name])
            stored = {info.id_field: target, **(CSV_CONTENT if reference.target == "/cnt/files" else {})}
            loaded = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": {target_path: [stored]}}}})
            assert loaded.status_code == 200, (reference, loaded.text)
            accepted = await client.request(reference.method, f"/afosto{path}", json=request_body(target), headers=AFOSTO)
            if accepted.status_code != operation.success.status:
                problems.append((reference, "existing", accepted.status_code, accepted.text[:200]))
    assert problems == [], "\n".join(map(str, problems))


def _one(body: Any) -> dict:
    """The object of an answer that is documented as the object or as a list holding it."""
    return body[0] if isinstance(body, list) else body


@pytest.mark.parametrize(
    ("target", "create_target", "create_user", "field_body"),
    [
        ("/spl/hubs", {"name": "Hub"}, "/spl/printers", lambda key: {"name": "P", "hub_id": key}),
        ("/cnt/instant/indexes", {"name": "products"}, "/cnt/instant/proxies",
         lambda key: {"key": "shop", "indexes": [{"index_id": key, "alias": "products"}]}),
        ("/cnt/filesystems/storages", {}, "/cnt/filesystems/watchers", lambda key: {"storage_id": key}),
    ],
)
async def test_an_object_in_use_cannot_be_deleted(client, target, create_target, create_user, field_body):
    made = await client.post(f"/afosto{target}", json=create_target, headers=AFOSTO)
    assert made.status_code in (200, 201), made.text
    key = _one(made.json())["id"]
    user = await client.post(f"/afosto{create_user}", json=field_body(key), headers=AFOSTO)
    assert user.status_code in (200, 201), user.text
    refused = await client.delete(f"/afosto{target}/{key}", headers=AFOSTO)
    assert refused.status_code == 409, refused.text
    assert "in use" in refused.json()["message"]
    info = _runtime(client).collections[create_user]
    user_key = _one(user.json())[info.id_field]
    assert (await client.delete(f"/afosto{create_user}/{user_key}", headers=AFOSTO)).status_code in (200, 204)
    assert (await client.delete(f"/afosto{target}/{key}", headers=AFOSTO)).status_code in (200, 204)


async def test_a_printer_needs_its_hub(client):
    missing = await client.post("/afosto/spl/printers", json={"name": "Label printer", "hub_id": "nope"}, headers=AFOSTO)
    assert missing.status_code == 404  # documented: "Hub not found"
    assert missing.json()["message"] == "body field \"hub_id\": hub 'nope' not found"
    hub = (await client.post("/afosto/spl/hubs", json={"name": "Warehouse"}, headers=AFOSTO)).json()
    printer = await client.post("/afosto/spl/printers", json={"name": "Label printer", "hub_id": hub["id"]}, headers=AFOSTO)
    assert printer.status_code == 200 and printer.json()["hub_id"] == hub["id"]
    other = {"Authorization": "Bearer other-afosto-token"}
    foreign = await client.post("/afosto/spl/printers", json={"name": "x", "hub_id": hub["id"]}, headers=other)
    assert foreign.status_code == 404  # another account's hub is no hub of this one


OTHER = {"Authorization": "Bearer other-afosto-token"}


async def _hub(client, headers=AFOSTO) -> str:
    made = await client.post("/afosto/spl/hubs", json={"name": "Warehouse"}, headers=headers)
    assert made.status_code == 200, made.text
    return made.json()["id"]


async def test_a_reference_travels_checked_in_every_write_of_its_object(client):
    # `hub_id` is a printer's reference; the inbox action merges body fields into the printer.
    hub = await _hub(client)
    printer = (await client.post("/afosto/spl/printers", json={"name": "P", "hub_id": hub}, headers=AFOSTO)).json()
    foreign = await _hub(client, OTHER)
    for unknown in ("nope", foreign):
        moved = await client.put(f"/afosto/spl/printers/{printer['id']}/inbox", json={"hub_id": unknown}, headers=AFOSTO)
        assert moved.status_code == 404, moved.text  # documented: "Printer or hub not found"
        assert moved.json()["errors"]["invalid value"] == ["hub_id"]
        assert moved.json()["message"] == f"body field \"hub_id\": hub {unknown!r} not found"
    read = (await client.get(f"/afosto/spl/printers/{printer['id']}", headers=AFOSTO)).json()
    assert read["hub_id"] == hub
    # the other account cannot be kept from deleting its hub by a printer of this one
    assert (await client.delete(f"/afosto/spl/hubs/{foreign}", headers=OTHER)).status_code == 200
    second = await _hub(client)
    moved = await client.put(f"/afosto/spl/printers/{printer['id']}/inbox", json={"hub_id": second}, headers=AFOSTO)
    assert moved.status_code == 200 and moved.json()["hub_id"] == second
    assert (await client.delete(f"/afosto/spl/hubs/{second}", headers=AFOSTO)).status_code == 409  # in use
    # a replace of a print job names its hub as the job's creation does
    job = await client.post("/afosto/spl/queue", json={"reference": "job-1", "hub_id": hub}, headers=AFOSTO)
    assert job.status_code == 200, job.text
    replaced = await client.put("/afosto/spl/queue/job-1", json={"hub_id": "nope"}, headers=AFOSTO)
    assert replaced.status_code == 404 and replaced.json()["errors"]["invalid value"] == ["hub_id"]


async def test_an_unknown_reference_answers_the_status_its_operation_documents(client):
    # Every one of these documents a 404 for what it does not find.
    printer = await client.post("/afosto/spl/printers", json={"name": "P", "hub_id": "nope"}, headers=AFOSTO)
    assert printer.status_code == 404 and printer.json()["errors"]["invalid value"] == ["hub_id"]
    hub = await _hub(client)
    made = (await client.post("/afosto/spl/printers", json={"name": "P", "hub_id": hub}, headers=AFOSTO)).json()
    inbox = await client.put(f"/afosto/spl/printers/{made['id']}/inbox", json={"inbox_id": "nope"}, headers=AFOSTO)
    assert inbox.status_code == 404 and inbox.json()["errors"]["invalid value"] == ["inbox_id"]
    job = await client.post("/afosto/spl/queue", json={"hub_id": "nope"}, headers=AFOSTO)
    assert job.status_code == 404 and job.json()["errors"]["invalid value"] == ["hub_id"]


async def test_an_unknown_reference_on_an_object_path_whose_404_is_plain_is_a_400_and_the_object_stays(client):
    # PUT /lcs/locations/{id} documents a plain "Not found": it means the location is gone.
    made = await client.post("/afosto/lcs/locations", json={"name": "Shelf"}, headers=AFOSTO)
    assert made.status_code in (200, 201), made.text
    location = made.json()["id"]
    changed = await client.put(f"/afosto/lcs/locations/{location}", json={"name": "Shelf", "address_id": "127.0.0.1"},
                               headers=AFOSTO)
    assert changed.status_code == 400 and changed.json()["errors"]["invalid value"] == ["address_id"]
    assert (await client.get(f"/afosto/lcs/locations/{location}", headers=AFOSTO)).status_code == 200


def test_the_status_of_an_unknown_reference_follows_the_documented_responses(committed):
    """404 where the vendor's document states one that can be about a reference, 400 where
    it does not: a 404 the generator inferred, or a plain "Not found" of an operation whose
    path names an object, is about that object and says nothing about references."""
    for api, wanted in (("afosto", 404), ("casavi", 400), ("relay", 400)):
        contract = compile_contract(api, committed[api])
        for operation in contract.operations.values():
            response = operation.raw["responses"].get("404")
            if response is not None:
                plain = response.get("description", "").strip(" .").lower() in ("", "not found", "entity not found")
                about_the_path = "{" in operation.path and plain
                expected = 404 if not response.get("x-inferred") and not about_the_path else 400
                assert unknown_reference_status(operation) == expected, operation.operation_id
        assert wanted in {unknown_reference_status(operation) for operation in contract.operations.values()}
    no_404 = next(operation for operation in compile_contract("casavi", committed["casavi"]).operations.values()
                  if 404 not in operation.error_statuses)
    assert unknown_reference_status(no_404) == 400


async def test_every_write_of_a_collection_checks_the_references_its_objects_carry():
    async with sandbox_client() as client:
        runtime = _runtime(client)
        checks = ReferenceChecks(runtime, REFERENCES)
        by_route = {(op.method, op.path): op for op in runtime.contract.operations.values()}
        stated = {(by_route[(r.method, r.path)].resource, r.field.removeprefix("[].")) for r in REFERENCES
                  if by_route[(r.method, r.path)].kind in STORING_KINDS}
        for operation in runtime.contract.operations.values():
            if operation.kind not in STORING_KINDS:
                continue
            carried = {field.removeprefix("[].") for field, _ in checks.fields(operation.operation_id)}
            wanted = {field for collection, field in stated if collection == operation.resource}
            assert wanted <= carried, (operation.method, operation.path, wanted - carried)
        inbox = {field for field, _ in checks.fields("attachAnInboxToThePrinter")}
        assert {"hub_id", "inbox_id"} <= inbox


@pytest.mark.parametrize("value", [{"id": "x"}, ["x"], True, 1.5, ""])
async def test_a_reference_that_holds_no_identifier_is_refused_where_the_body_model_is_silent(client, value):
    # The inbox action documents no `hub_id`, so only the reference check sees its type.
    hub = await _hub(client)
    printer = (await client.post("/afosto/spl/printers", json={"name": "P", "hub_id": hub}, headers=AFOSTO)).json()
    moved = await client.put(f"/afosto/spl/printers/{printer['id']}/inbox", json={"hub_id": value}, headers=AFOSTO)
    assert moved.status_code == 400, moved.text
    assert moved.json()["errors"]["invalid value"] == ["hub_id"]
    assert (await client.get(f"/afosto/spl/printers/{printer['id']}", headers=AFOSTO)).json()["hub_id"] == hub


async def test_empty_text_names_no_object_and_the_contract_says_so(client, committed):
    hub = await _hub(client)
    printer = (await client.post("/afosto/spl/printers", json={"name": "P", "hub_id": hub}, headers=AFOSTO)).json()["id"]
    for method, path in (("POST", "/afosto/spl/printers"), ("PUT", f"/afosto/spl/printers/{printer}")):
        refused = await client.request(method, path, json={"name": "P", "hub_id": ""}, headers=AFOSTO)
        assert refused.status_code == 400 and refused.json()["errors"]["invalid value"] == ["hub_id"], refused.text
    assert (await client.get(f"/afosto/spl/printers/{printer}", headers=AFOSTO)).json()["hub_id"] == hub
    hub_id = committed["afosto"]["paths"]["/spl/printers"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["hub_id"]
    assert hub_id["minLength"] == 1 and hub_id["x-inferred"] is True
