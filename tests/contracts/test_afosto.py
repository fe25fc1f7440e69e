"""The Afosto contract, checked against the reference document it is generated from."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from mock_server.contracts.afosto import parse_afosto, parse_afosto_with_notes
from mock_server.contracts.afosto.components import ERROR_REF
from mock_server.contracts.model import ApiContract, Operation, Response
from mock_server.contracts.prose import MAX_DESCRIPTION
from mock_server.contracts.writer import contract_to_openapi, dump_yaml

METHOD_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def text(documents: dict[str, str]) -> str:
    """The Afosto reference among the vendor documents (MOCK_SERVER_DOCS, see tests/conftest.py)."""
    return documents["afosto"]


@pytest.fixture(scope="module")
def contract(text: str) -> ApiContract:
    return parse_afosto(text)


@pytest.fixture(scope="module")
def openapi(contract: ApiContract) -> dict:
    return contract_to_openapi(contract)


def _operation(contract: ApiContract, method: str, path: str) -> Operation:
    matches = [op for op in contract.operations if op.method == method and op.path == path]
    assert len(matches) == 1, f"{method} {path}"
    return matches[0]


def _response(operation: Operation, status: int) -> Response:
    matches = [response for response in operation.responses if response.status == status]
    assert len(matches) == 1, f"{operation.method} {operation.path} {status}"
    return matches[0]


def _listed_operations(text: str) -> list[tuple[str, str]]:
    """(method, path) of every METHOD line, first appearances in document order."""
    return list(dict.fromkeys(match.groups() for match in METHOD_LINE.finditer(text)))


def _operation_blocks(text: str) -> dict[tuple[str, str], str]:
    """The text from each METHOD line to the next one (first listing of each operation)."""
    text = text.split("\nSchema Definitions\n")[0]
    matches = list(METHOD_LINE.finditer(text))
    blocks: dict[tuple[str, str], str] = {}
    for match, following in zip(matches, [*matches[1:], None]):
        end = following.start() if following else len(text)
        blocks.setdefault(match.groups(), text[match.end() : end])
    return blocks


# --- the operations -------------------------------------------------------------------


def test_every_listed_operation_once_in_document_order(text: str, contract: ApiContract) -> None:
    listed = _listed_operations(text)
    assert len(METHOD_LINE.findall(text)) == 565
    assert len(listed) == 544
    assert [(op.method, op.path) for op in contract.operations] == listed


def test_operation_ids_are_unique_camel_case(contract: ApiContract) -> None:
    ids = [op.operation_id for op in contract.operations]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", operation_id) for operation_id in ids)
    assert _operation(contract, "GET", "/int/apps/store").operation_id == "listApps"
    assert _operation(contract, "GET", "/int/apps/store").summary == "List apps"


def test_duplicate_listings_merge_into_one_operation_with_both_tags(text: str, contract: ApiContract) -> None:
    duplicated = len(METHOD_LINE.findall(text)) - len(_listed_operations(text))
    assert sum(len(op.tags) == 2 for op in contract.operations) == duplicated == 21
    assert _operation(contract, "GET", "/cnt/proxies").tags == ["Content / Proxy", "Meilisearch / Proxy"]
    assert _operation(contract, "POST", "/cnt/search").tags == ["Content / Index", "Meilisearch / Index"]
    assert _operation(contract, "GET", "/qcq/proxies").tags == ["Quicq / Proxy"]
    assert _operation(contract, "GET", "/int/apps/store").tags == ["Apps"]


def test_duplicate_listings_print_the_same_operation(text: str) -> None:
    _, notes = parse_afosto_with_notes(text)
    assert not [note for note in notes if "listings at lines" in note]


def test_path_parameters_match_the_path_templates(contract: ApiContract) -> None:
    for op in contract.operations:
        declared = sorted(p.name for p in op.parameters if p.location == "path")
        assert declared == sorted(re.findall(r"{([^}]+)}", op.path)), f"{op.method} {op.path}"
        assert all(p.required for p in op.parameters if p.location == "path")
        assert not any(p.required for p in op.parameters if p.location != "path")


# --- parameters -----------------------------------------------------------------------


def test_paging_headers_are_header_parameters(contract: ApiContract) -> None:
    parameters = {p.name: p for p in _operation(contract, "GET", "/int/apps/store").parameters}
    assert parameters["x-page-size"].location == "header"
    assert parameters["x-page-size"].schema == {"type": "integer", "default": 25}
    assert parameters["x-page"].location == "header"
    assert parameters["x-page"].schema == {"type": "integer", "default": 1}


def test_enum_and_default_parameters(contract: ApiContract) -> None:
    parameters = {p.name: p for p in _operation(contract, "GET", "/int/apps/integrations").parameters}
    assert parameters["is_deleted"].location == "query"
    assert parameters["is_deleted"].schema == {"type": "string", "enum": ["1", "0"], "default": "0"}
    tokens = next(p for op in contract.operations for p in op.parameters if p.name == "tokens")
    assert tokens.schema == {"type": "string", "enum": ["current", "jwt", "all"], "default": "current"}


def test_formats_and_arrays_in_parameters(contract: ApiContract) -> None:
    profiles = {p.name: p for p in _operation(contract, "GET", "/iam/profiles/{path}").parameters}
    assert profiles["channel_id"].schema == {"type": "string", "format": "uuid"}
    schemas = {(p.name, p.location): p.schema for op in contract.operations for p in op.parameters}
    assert schemas[("update_id", "path")] == {"type": "integer", "format": "int64"}
    assert schemas[("codes", "query")] == {"type": "array", "items": {"type": "string"}}


def test_form_data_becomes_a_multipart_body(contract: ApiContract) -> None:
    operation = _operation(contract, "POST", "/cnt/files/upload/{signature}")
    assert [p.name for p in operation.parameters] == ["signature"]
    [body] = operation.request_bodies
    assert body.content_type == "multipart/form-data"
    assert body.schema == {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}


def test_request_sample_gives_the_body_schema(contract: ApiContract) -> None:
    [body] = _operation(contract, "POST", "/int/apps/store/{code}").request_bodies
    assert body.content_type == "application/json"
    assert body.schema["properties"] == {
        "name": {"type": "string"},
        "credentials": {"type": "object"},
        "configuration": {"type": "object"},
    }
    assert body.example is None  # the sample prints placeholders only
    assert "required" not in body.schema


def test_request_sample_with_real_values_is_the_example(contract: ApiContract) -> None:
    [body] = _operation(contract, "PUT", "/cat/maps/collections/{id}/keys").request_bodies
    assert body.example == [{"key": "978020137962", "value": "234.SKE-4255.ABC"}]
    assert body.schema == {
        "type": "array",
        "items": {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "string"}}},
    }


# --- responses ------------------------------------------------------------------------


def test_batch_schema(contract: ApiContract) -> None:
    response = _response(_operation(contract, "GET", "/cnt/batches/{id}"), 200)
    assert response.content_type == "application/json"
    assert response.schema["type"] == "array"  # the document prints a list
    fields = response.schema["items"]["properties"]
    assert fields["id"] == {"type": "string", "format": "uuid"}
    for flag in ("is_locked", "is_accepted", "is_confirmed", "is_ready", "is_failing"):
        assert fields[flag] == {"type": "boolean"}
    assert fields["created_at"] == {"type": "string", "format": "date-time"}
    assert fields["config"] == {"type": "object"}
    assert fields["export"] == {"type": "object", "properties": {"view": {"type": "string"}}}


@pytest.mark.parametrize("action", ["validate", "confirm"])
def test_batch_actions_return_a_task_id_header(contract: ApiContract, action: str) -> None:
    response = _response(_operation(contract, "PUT", f"/cnt/batches/{{id}}/{action}"), 200)
    assert [(header.name, header.schema) for header in response.headers] == [("x-task-id", {"type": "string"})]
    assert response.schema is None


def test_conflict_responses_exactly_where_documented(text: str, contract: ApiContract) -> None:
    documented = {
        key
        for key, block in _operation_blocks(text).items()
        if re.search(r"^(409 Conflict|Response Example \(409 Conflict\))$", block, re.MULTILINE)
    }
    with_conflict = {(op.method, op.path) for op in contract.operations if any(r.status == 409 for r in op.responses)}
    assert with_conflict == documented
    assert len(documented) == 4


def test_every_error_response_uses_the_error_model(contract: ApiContract) -> None:
    errors = [(op, r) for op in contract.operations for r in op.responses if r.status >= 400]
    assert len(errors) >= 6 * len(contract.operations)
    for operation, response in errors:
        assert response.schema == ERROR_REF, f"{operation.method} {operation.path} {response.status}"
        assert response.content_type == "application/json"


def test_error_model(contract: ApiContract) -> None:
    strings = {"type": "array", "items": {"type": "string"}}
    assert contract.schemas["Error"] == {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "reference": {"type": "string"},
            "errors": {"type": "object", "properties": {"invalid value": strings, "required": strings}},
        },
    }


def test_status_codes_are_the_union_of_lines_and_blocks(text: str, contract: ApiContract) -> None:
    status_pattern = re.compile(r"^(\d{3}) [A-Z][A-Za-z ]+$|^Response (?:Example|Headers) \((\d{3}) ", re.MULTILINE)
    for (method, path), block in _operation_blocks(text).items():
        documented = {int(line or block_code) for line, block_code in status_pattern.findall(block)}
        assert {r.status for r in _operation(contract, method, path).responses} == documented, f"{method} {path}"


def test_missing_200_status_line_still_gives_the_response(contract: ApiContract) -> None:
    response = _response(_operation(contract, "POST", "/int/apps/store/{code}"), 200)
    assert response.description == "Apps"
    assert response.schema == {
        "type": "object",
        "properties": {"state": {"type": "string"}, "redirect_url": {"type": "string"}},
    }
    assert _response(_operation(contract, "GET", "/int/apps/integrations"), 200).description == "List of integrations"


def test_paging_response_header(contract: ApiContract) -> None:
    response = _response(_operation(contract, "GET", "/int/apps/store"), 200)
    assert [(header.name, header.schema) for header in response.headers] == [("x-page", {"type": "string"})]


def test_responses_without_json_bodies(contract: ApiContract) -> None:
    barcode = _response(_operation(contract, "GET", "/cnt/barcode"), 200)
    assert (barcode.content_type, barcode.schema) == ("image/png", {"type": "string", "format": "binary"})
    stored_file = _response(_operation(contract, "GET", "/cnt/filesystems/integrations/{id}"), 200)
    assert stored_file.content_type == "application/octet-stream"
    assert stored_file.schema == {"type": "string", "format": "binary"}
    assert stored_file.headers == []  # the printed content-type header became the media type
    video = _response(_operation(contract, "GET", "/cnt/gif/transform"), 206)
    assert (video.content_type, video.schema) == ("video/mp4", {"type": "string", "format": "binary"})
    assert _operation(contract, "GET", "/cnt/gif/transform").inferred
    redirect = _response(_operation(contract, "GET", "/iam/oauth/forward/{reference}"), 302)
    assert redirect.schema is None


def test_no_content_responses_have_no_body(contract: ApiContract) -> None:
    no_content = [r for op in contract.operations for r in op.responses if r.status == 204]
    assert no_content
    assert all(r.schema is None and r.example is None for r in no_content)


def test_model_references_resolve_to_component_schemas(contract: ApiContract) -> None:
    response = _response(_operation(contract, "GET", "/mes/emails"), 200)
    email = response.schema["items"]["properties"]
    assert email["reply_to"] == {"$ref": "#/components/schemas/MesContactModel"}
    assert email["to"] == {"type": "array", "items": {"$ref": "#/components/schemas/MesContactModel"}}
    assert contract.schemas["MesContactModel"] == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
    }


# --- the document ---------------------------------------------------------------------


def test_api_metadata_and_security(contract: ApiContract) -> None:
    assert (contract.name, contract.title, contract.version) == ("afosto", "Afosto API", "1.0.0")
    assert contract.security_schemes == {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    assert contract.default_security == [{"bearer": []}]
    assert "\n" not in contract.description


def test_no_vendor_prose_in_the_contract(openapi: dict) -> None:
    def descriptions(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [value for key, value in node.items() if key == "description" and isinstance(value, str)]
            return found + [d for value in node.values() for d in descriptions(value)]
        if isinstance(node, list):
            return [d for item in node for d in descriptions(item)]
        return []

    for description in descriptions(openapi["paths"]):
        assert "\n" not in description and len(description) <= MAX_DESCRIPTION


def test_openapi_document_is_valid(openapi: dict) -> None:
    validate(openapi)


def test_output_is_deterministic(text: str) -> None:
    first = dump_yaml(contract_to_openapi(parse_afosto(text)))
    second = dump_yaml(contract_to_openapi(parse_afosto(text)))
    assert first == second


# --- path repairs, on a made-up document in the same layout ---------------------------

ERROR_SAMPLE = '{\n  "code": "integer",\n  "message": "string"\n}'


def _listing(title: str, method_line: str, parameters: str, status: str, sample: str = "") -> str:
    return (
        f"{title}\n\n{method_line}\n\nShort description\n\n{parameters}"
        f"{status}\n\nDone\n\n400 Bad Request\n\nBad request\n\n{sample}"
        f"Response Example (400 Bad Request)\n{ERROR_SAMPLE}\n"
    )


def test_path_templates_are_repaired() -> None:
    path_parameters = "id: string\nin path\n\n(no description)\n\nstray: string\nin path\n\n(no description)\n\n"
    thing = 'Response Example (200 OK)\n{\n  "id": "string (uuid)"\n}\n'
    text = (
        "Afosto Api API Reference\n\nVersion: 2.0.0\n\nThings\n\n"
        + _listing("View thing", "GET /things/{id}", path_parameters, "200 OK", thing)
        + "\n"
        + _listing("Delete thing", "DELETE /things/{code}", "", "204 No Content")
    )
    contract, notes = parse_afosto_with_notes(text)
    assert (contract.title, contract.version, contract.tags) == ("Afosto API", "2.0.0", ["Things"])
    view, delete = contract.operations
    assert [(p.name, p.location) for p in view.parameters] == [("id", "path")]
    assert _response(view, 200).schema == {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
    assert delete.path == "/things/{id}"
    assert [(p.name, p.schema, p.required) for p in delete.parameters] == [("id", {"type": "string"}, True)]
    assert [op.operation_id for op in contract.operations] == ["viewThing", "deleteThing"]
    assert contract.schemas["Error"] == {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
    }
    assert len(notes) == 3  # the dropped parameter, the renamed path, the declared parameter
    validate(contract_to_openapi(contract))
