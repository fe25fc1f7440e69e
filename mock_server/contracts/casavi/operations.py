"""casavi operations from their Redoc blocks: parameters, request bodies and the
responses the paths specification decides (the document prints no status codes)."""

from __future__ import annotations

from typing import Any

from ..model import Header, JsonSchema, Operation, Parameter, RequestBody, Response
from ..prose import camel_identifier, short_description
from ..redoc import (
    Field,
    RedocOperation,
    error_responses,
    field_parameter,
    field_schema,
    name_unnamed_fields,
    object_schema,
)
from ..samples import schema_from_sample
from ..urls import delivery_url_pattern

# Success response per operation title: a component, a list of one, or None for the
# operation's own sample. Operations without a sample and without an entry answer 204.
RESPONSE_MODELS: dict[str, str] = {
    "Get access token": "AccessToken",
    "Refresh access token": "AccessToken",
    "Information about a job": "Job",
    "Get property by Id": "Property",
    "Get unit by id": "Unit",
    "Get List of Contacts": "[Contact]",
    "Get contact by Id": "Contact",
    "Get list of Tickets": "[Ticket]",
    "Create a new ticket": "Ticket",
    "Get a ticket by ID": "Ticket",
    "Update an existing ticket": "Ticket",
    "Create order / task": "Task",
    "Get a task by ID": "Task",
    "Update ticket task": "Task",
    "Get information about a document": "Document",
    "Create content (post)": "Post",
    "Retrieve a post": "Post",
    "Update a post": "Post",
    "Get List of staff members": "[StaffMember]",
    "Create a new staff member": "StaffMember",
    "Get staff members by ID": "StaffMember",
    "Get List of Consumption Resources": "[ConsumptionResource]",
    "Get consumption resource by Id": "ConsumptionResource",
    "Update consumption resource": "ConsumptionResource",
    "Get List of Meters by unit": "[ConsumptionMeter]",
    "Get List of Meters by community": "[ConsumptionMeter]",
    "Get List of Meters": "[ConsumptionMeter]",
    "Get consumption meter by Id": "ConsumptionMeter",
    "Update consumption meter": "ConsumptionMeter",
    "Get List of Consumption Measurements by meter": "[ConsumptionMeasurement]",
    "Get List of Consumption Measurements": "[ConsumptionMeasurement]",
    "Get consumption measurement by Id": "ConsumptionMeasurement",
}
# The document's sample for updating a measurement shows a meter; the sandbox answers with
# the measurement it updated, and marks that choice as inferred.
CORRECTED_RESPONSES = {"Update consumption measurement": "ConsumptionMeasurement"}
# List responses whose rows the sample collapses: (title, list key) -> row model.
LIST_ROWS = {("Get List of Properties", "rows"): "Property", ("Get all units of a property", "rows"): "Unit"}
# Request bodies whose `id` the server gives ("our internal id, so only in response"): the
# contract marks it `readOnly`, and a client's value is ignored.
SERVER_IDENTIFIED = {"Create bulk Consumption Measurements", "Update consumption measurement"}
# Request fields the operation's text limits beyond their type: (title, field) -> what the
# contract adds. Hook subscribers are https endpoints unless the server is told otherwise.
HTTPS_URL = delivery_url_pattern(https_only=True)
TEXT_LIMITS: dict[tuple[str, str], JsonSchema] = {
    ("Create a new webhook subscription", "hookUrl"): {"pattern": HTTPS_URL, "x-inferred": True},
}


def operation_from(
    source: RedocOperation, method: str, path: str, printed: bool, tag: str, refs: set[str]
) -> Operation:
    """The operation a titled block documents, at the method and path the table gives it."""
    operation = Operation(
        method=method,
        path=path,
        operation_id=camel_identifier(source.title),
        summary=source.title,
        tags=[tag],
        inferred=not printed,
        description=short_description(source.description),
        deprecated="deprecated" in source.title.lower(),
    )
    if source.title in ("Get access token", "Refresh access token"):
        operation.security = []
    for location in ("path", "query", "header"):
        operation.parameters.extend(_parameter(item, location) for item in source.parameters.get(location, []))
    if source.body_content_type:
        operation.request_bodies.append(_request_body(source, refs))
        if source.title in SERVER_IDENTIFIED:
            _mark_identifier_read_only(operation.request_bodies[-1].schema)
        for (title, name), limits in TEXT_LIMITS.items():
            if title == source.title:
                operation.request_bodies[-1].schema["properties"][name].update(limits)
    operation.responses = _success_responses(source, method, refs) + _error_responses(operation)
    return operation


def _parameter(item: Field, location: str) -> Parameter:
    parameter = field_parameter(item, location)
    parameter.example = _parameter_example(item)
    if parameter.schema.get("type") == "array" and location == "query":
        parameter.explode = True
    return parameter


def _parameter_example(item: Field) -> Any:
    """`Example: 11`, or in query-string form `status=OPEN&status=INPROGRESS`."""
    if item.example is None:
        return None
    text = item.example
    pairs = [part.split("=", 1) for part in text.split("&")] if "=" in text else None
    values: list[Any] = [value for key, value in pairs if key == item.name] if pairs else [text]
    if item.type_line.startswith("integer"):
        values = [int(value) for value in values]
    return values if item.type_line.startswith("Array") else values[0]


def _request_body(source: RedocOperation, refs: set[str]) -> RequestBody:
    content_type = source.body_content_type or "application/json"
    fields = list(source.body_fields)
    sample = source.request_samples[0].value if source.request_samples else None
    if fields and fields[0].type_line == "Array ()" and fields[0].name is None:
        schema: JsonSchema = {"type": "array", "items": object_schema(fields[1:], refs)}
    elif len(fields) == 1 and fields[0].name is None:
        schema = field_schema(fields[0], refs)
        if schema.get("format") == "binary":
            schema["minLength"] = 1  # a file has content: an empty body is refused
    else:
        name_unnamed_fields(fields, list(sample) if isinstance(sample, dict) else [])
        schema = object_schema(fields, refs)
    return RequestBody(content_type=content_type, schema=schema, example=_useful_example(sample))


def _mark_identifier_read_only(schema: JsonSchema) -> None:
    target = schema.get("items", schema)
    target["properties"]["id"]["readOnly"] = True


def _useful_example(sample: Any) -> Any:
    """Samples whose collapsed parts were lost say nothing an example should claim."""
    if sample in ({}, [], [{}]):
        return None
    return sample


def _success_responses(source: RedocOperation, method: str, refs: set[str]) -> list[Response]:
    title = source.title
    model = CORRECTED_RESPONSES.get(title) or RESPONSE_MODELS.get(title)
    sample = source.response_samples[0].value if source.response_samples else None
    headers = []
    if title == "Create a new webhook subscription":
        headers.append(Header("Location", {"type": "string"}, "URL that deletes the subscription", required=True))
    if model is not None:
        schema = _model_reference(model)
    elif sample is not None:
        schema = schema_from_sample(sample)
        for (list_title, key), row in LIST_ROWS.items():
            if list_title == title:
                schema["properties"][key]["items"] = {"$ref": f"#/components/schemas/{row}"}
    else:
        return [Response(status=204, description="No Content", inferred=True)]
    return [
        Response(
            status=200,
            description="OK",
            schema=schema,
            example=_useful_example(sample) if title not in CORRECTED_RESPONSES else None,
            headers=headers,
            inferred=True,
        )
    ]


def _model_reference(model: str) -> JsonSchema:
    if model.startswith("["):
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{model[1:-1]}"}}
    return {"$ref": f"#/components/schemas/{model}"}


def _error_responses(operation: Operation) -> list[Response]:
    statuses = [400, 401]
    if "{" in operation.path:
        statuses.append(404)
    if operation.path == "/files":
        statuses.append(413)
    return error_responses(statuses)
