"""Turns an ApiContract into an OpenAPI 3.0 document, deterministically."""

from __future__ import annotations

from typing import Any

import yaml

from .model import ApiContract, Operation, Parameter, RequestBody, Response

OPENAPI_VERSION = "3.0.3"
REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
    302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}


def contract_to_openapi(contract: ApiContract) -> dict[str, Any]:
    """Build the OpenAPI document of one API as plain, ordered dicts."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in contract.operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": contract.title, "version": contract.version, "description": contract.description},
        "servers": [{"url": f"/{contract.name}"}],
    }
    document.update(contract.extensions)
    if contract.tags:
        document["tags"] = [{"name": tag} for tag in contract.tags]
    document["security"] = contract.default_security
    document["paths"] = paths
    components: dict[str, Any] = {}
    if contract.schemas:
        components["schemas"] = contract.schemas
    components["securitySchemes"] = contract.security_schemes
    document["components"] = components
    return document


def _operation(operation: Operation) -> dict[str, Any]:
    result: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": operation.tags,
    }
    if operation.description:
        result["description"] = operation.description
    if operation.deprecated:
        result["deprecated"] = True
    if operation.inferred:
        result["x-inferred"] = True
    result.update(operation.extensions)
    if operation.security is not None:
        result["security"] = operation.security
    if operation.parameters:
        result["parameters"] = [_parameter(p) for p in operation.parameters]
    if operation.request_bodies:
        result["requestBody"] = {
            "required": operation.body_required,
            "content": {body.content_type: _media(body) for body in operation.request_bodies},
        }
    result["responses"] = {str(r.status): _response(r) for r in sorted(operation.responses, key=lambda r: r.status)}
    return result


def _parameter(parameter: Parameter) -> dict[str, Any]:
    result: dict[str, Any] = {"name": parameter.name, "in": parameter.location}
    if parameter.description:
        result["description"] = parameter.description
    result["required"] = parameter.required or parameter.location == "path"
    if parameter.explode is not None:
        result["style"] = "form"
        result["explode"] = parameter.explode
    result["schema"] = parameter.schema
    if parameter.example is not None:
        result["example"] = parameter.example
    return result


def _media(body: RequestBody) -> dict[str, Any]:
    result: dict[str, Any] = {"schema": body.schema}
    if body.example is not None:
        result["example"] = body.example
    if body.encoding:
        result["encoding"] = body.encoding
    return result


def _response(response: Response) -> dict[str, Any]:
    result: dict[str, Any] = {"description": response.description or REASONS.get(response.status, "Response")}
    if response.inferred:
        result["x-inferred"] = True
    if response.headers:
        result["headers"] = {
            header.name: {
                **({"description": header.description} if header.description else {}),
                **({"required": True} if header.required else {}),
                "schema": header.schema,
            }
            for header in response.headers
        }
    if response.schema is not None:
        media: dict[str, Any] = {"schema": response.schema}
        if response.example is not None:
            media["example"] = response.example
        result["content"] = {response.content_type: media}
        for content_type, schema in response.more_content.items():
            result["content"][content_type] = {"schema": schema}
    return result


class _NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes shared sub-objects out in full: anchors would make diffs unreadable."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: dict[str, Any]) -> str:
    """Serialise a document the same way every time."""
    return yaml.dump(
        document, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
