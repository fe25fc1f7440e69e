"""The casavi manager API v1 document (Redoc text) read into an ApiContract.

The document names its operations but mostly omits methods and paths; the binding choice
for each is the table below (the project's paths specification). Responses print no
status codes, so success codes are inferred (200 with a body, 204 without) and the error
responses use the inferred casavi error shape; both carry ``x-inferred``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .redoc import (
    Field,
    RedocOperation,
    collect_json_text,
    field_schema,
    locate_operations,
    name_unnamed_fields,
    object_schema,
    parse_bulleted_json,
    parse_operation,
    read_field_line,
    type_line_schema,
)
from .model import ApiContract, Header, JsonSchema, Operation, Parameter, RequestBody, Response
from .prose import camel_identifier, short_description
from .samples import schema_from_sample
from .urls import delivery_url_pattern

# title in the document | method | path | whether the document prints method and path
OPERATIONS = """
Get access token|POST|/authenticate|printed
Refresh access token|POST|/authenticate/refresh|
Import|POST|/import|printed
Information about a job|GET|/jobs/{jobId}|printed
Get List of Properties|GET|/properties|
Get property by Id|GET|/properties/{propertyId}|
Get all units of a property|GET|/properties/{propertyId}/units|printed
Get unit by id|GET|/units/{unitId}|
Get List of Contacts|GET|/contacts|
Get contact by Id|GET|/contacts/{contactId}|
Get list of Tickets|GET|/tickets|
Create a new ticket|POST|/tickets|
Get a ticket by ID|GET|/tickets/{ticketId}|
Update an existing ticket|PUT|/tickets/{ticketId}|
Delete a ticket|DELETE|/tickets/{ticketId}|
Create ticket survey|POST|/tickets/{ticketId}/surveys|
Get ticket activities (deprecated)|GET|/tickets/{ticketId}/activities|
Get comments of a ticket|GET|/tickets/{ticketId}/comments|
Comment ticket|POST|/tickets/{ticketId}/comments|
Update ticket comment|PUT|/tickets/{ticketId}/comments/{commentId}|
Create order / task|POST|/tickets/{ticketId}/tasks|printed
Get a task by ID|GET|/tickets/{ticketId}/tasks/{taskId}|printed
Update ticket task|PUT|/tickets/{ticketId}/tasks/{taskId}|
Delete ticket task|DELETE|/tickets/{ticketId}/tasks/{taskId}|
File upload|POST|/files|printed
Create a new webhook subscription|POST|/hooks|
Delete webhook subscription by hook id|DELETE|/hooks/{hookId}|
Upload a new document or change an existing one|POST|/documents|
Get information about a document|GET|/documents/{documentId}|
Create content (post)|POST|/posts|
Retrieve a post|GET|/posts/{postId}|
Update a post|PUT|/posts/{postId}|
Delete a post|DELETE|/posts/{postId}|
Create a new appointment|POST|/appointments|
Get List of staff members|GET|/staff|
Create a new staff member|POST|/staff|
Get staff members by ID|GET|/staff/{contactId}|
Get List of Consumption Resources|GET|/consumptions/resources|
Create Consumption Resource|POST|/consumptions/resources|
Get consumption resource by Id|GET|/consumptions/resources/{resourceId}|
Update consumption resource|PUT|/consumptions/resources/{resourceId}|
Deletes a consumption resource|DELETE|/consumptions/resources/{resourceId}|
Get List of Meters by unit|GET|/units/{unitId}/meters|
Create Meter for unit|POST|/units/{unitId}/meters|
Get List of Meters by community|GET|/communities/{communityId}/meters|
Create Meter for community|POST|/communities/{communityId}/meters|
Get List of Meters|GET|/consumptions/meters|
Get consumption meter by Id|GET|/consumptions/meters/{meterId}|
Update consumption meter|PUT|/consumptions/meters/{meterId}|
Deletes a consumption meter|DELETE|/consumptions/meters/{meterId}|
Get List of Consumption Measurements by meter|GET|/consumptions/meters/{meterId}/measurements|
Get List of Consumption Measurements|GET|/consumptions/measurements|
Create bulk Consumption Measurements|POST|/consumptions/measurements|
Get consumption measurement by Id|GET|/consumptions/measurements/{measurementId}|
Update consumption measurement|PUT|/consumptions/measurements/{measurementId}|
Deletes a consumption measurement|DELETE|/consumptions/measurements/{measurementId}|
"""

# The document's tag headings, in order.
TAGS = [
    "Authentication", "Import", "Properties", "Units", "Contacts", "Tickets", "Ticket comments", "Tasks",
    "Files", "REST Hooks", "Documents", "Posts", "Appointments", "Staff", "Consumptions",
]

# Response models: component name -> title of the operation whose response sample shows it.
SAMPLED_MODELS = {
    "AccessToken": "Get access token",
    "Job": "Information about a job",
    "Property": "Get property by Id",
    "Unit": "Get unit by id",
    "Contact": "Get contact by Id",
    "Task": "Get a task by ID",
    "Document": "Get information about a document",
    "Post": "Retrieve a post",
    "StaffMember": "Get staff members by ID",
    "ConsumptionResource": "Get consumption resource by Id",
    "ConsumptionMeter": "Get consumption meter by Id",
    "ConsumptionMeasurement": "Get consumption measurement by Id",
}
# Models the document names without printing their fields.
OPAQUE_MODELS = [
    "AttachmentDetail", "Choice", "SharedWithProperty", "SharedWithUnit", "SharedWithContact", "SharedWithContract",
]
# Models printed as their own sections: component name -> section heading.
PRINTED_MODELS = {
    "Ticket": "The ticket model",
    "HookEvent": "REST hook event model",
    "ContactCreatedPayload": "Payload of contact_created",
    "ContactUpdatedPayload": "Payload of contact_updated",
    "ContactArchivedPayload": "Payload of contact_archived",
    "ContractEnddateUpdatedPayload": "Payload of contract_enddate_updated",
    "DocumentDownloadedPayload": "Payload of document_downloaded",
}

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
# Collapsed nested arrays of sampled models: (model, property) -> item model.
NESTED_ROWS = {
    ("Property", "responsibilities"): "Responsibility",
    ("Unit", "contracts"): "Contract",
    ("Ticket", "tasks"): "Task",
    ("Ticket", "attachmentDetails"): "AttachmentDetail",
    ("Task", "attachmentDetails"): "AttachmentDetail",
    ("Document", "sharedWith"): None,
}
# Request bodies whose `id` the server gives ("our internal id, so only in response"): the
# contract marks it `readOnly`, and a client's value is ignored.
SERVER_IDENTIFIED = {"Create bulk Consumption Measurements", "Update consumption measurement"}
# Request fields the operation's text limits beyond their type: (title, field) -> what the
# contract adds. Hook subscribers are https endpoints unless the server is told otherwise.
HTTPS_URL = delivery_url_pattern(https_only=True)
TEXT_LIMITS: dict[tuple[str, str], JsonSchema] = {
    ("Create a new webhook subscription", "hookUrl"): {"pattern": HTTPS_URL, "x-inferred": True},
}
# Fields that record an event are null until it happens.
EVENT_TIMESTAMPS = {"closedAt", "acceptedAt", "declinedAt", "completedAt", "firstDownloadAt"}
# Fields the changelog adds to models whose samples predate them.
CHANGELOG_FIELDS = {
    "Contact": {"appLink": {"type": "string"}},
    "Property": {"appLink": {"type": "string"}},
    "Unit": {"appLink": {"type": "string"}},
}

ERROR_SCHEMA: JsonSchema = {
    "type": "object",
    "x-inferred": True,
    "required": ["statusCode", "error", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
    },
}


def parse_casavi(text: str) -> ApiContract:
    """Build the casavi contract from the document text."""
    lines = text.splitlines()
    rows = [line.split("|") for line in OPERATIONS.strip().splitlines()]
    titles = [row[0] for row in rows]
    starts = locate_operations(lines, titles)
    end_of_reference = next(i for i, line in enumerate(lines) if line.strip() == "Changelog")
    ends = starts[1:] + [end_of_reference]
    parsed = {title: parse_operation(title, lines, s, e) for title, s, e in zip(titles, starts, ends)}

    schemas = _components(lines, parsed)
    refs = set(schemas)
    tag_lines = _tag_positions(lines)
    operations = [
        _operation(parsed[title], method, path, printed == "printed", _tag_at(tag_lines, parsed[title].line), refs)
        for title, method, path, printed in rows
    ]
    return ApiContract(
        name="casavi",
        title="casavi manager API",
        version=_version(lines),
        description="Property management: master data import, tickets, documents, consumptions.",
        security_schemes={"token": {"type": "apiKey", "in": "header", "name": "token"}},
        default_security=[{"token": []}],
        operations=operations,
        schemas=schemas,
        tags=TAGS,
    )


def _version(lines: list[str]) -> str:
    match = re.search(r"\(([\d.]+)\)", lines[0])
    return match.group(1) if match else "1"


def _tag_positions(lines: list[str]) -> list[tuple[int, str]]:
    found = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() in TAGS]
    missing = set(TAGS) - {name for _, name in found}
    if missing:
        raise ValueError(f"tag headings not found: {sorted(missing)}")
    return found


def _tag_at(tag_lines: list[tuple[int, str]], line: int) -> str:
    return [name for i, name in tag_lines if i < line][-1]


# --- components ---------------------------------------------------------------------


def _components(lines: list[str], parsed: dict[str, RedocOperation]) -> dict[str, JsonSchema]:
    schemas: dict[str, JsonSchema] = {}
    names = set(SAMPLED_MODELS) | set(PRINTED_MODELS) | set(OPAQUE_MODELS) | {
        "PropertyImport", "UnitImport", "Contract", "Responsibility", "Error",
    }
    for name in OPAQUE_MODELS:
        schemas[name] = {"type": "object"}
    for name, title in SAMPLED_MODELS.items():
        samples = [s.value for s in parsed[title].response_samples if isinstance(s.value, dict)]
        schemas[name] = schema_from_sample(samples[0])
    for name, heading in PRINTED_MODELS.items():
        fields, sample = _model_section(lines, heading)
        schema = object_schema(fields, names)
        if isinstance(sample, dict):
            _add_missing_properties(schema, schema_from_sample(sample))
        schemas[name] = schema
    # The ticket responses print fields the ticket model section lacks.
    _add_missing_properties(schemas["Ticket"], schema_from_sample(parsed["Get a ticket by ID"].response_samples[0].value))
    _add_missing_properties(schemas["Task"], schema_from_sample(parsed["Create order / task"].response_samples[0].value))
    for (model, prop), item in NESTED_ROWS.items():
        target = schemas[model]["properties"][prop]
        if item is None:
            target["items"] = type_line_schema(_document_shared_with(parsed), names)["items"]
        else:
            target["items"] = {"$ref": f"#/components/schemas/{item}"}
    for model, extra in CHANGELOG_FIELDS.items():
        schemas[model]["properties"].update(copy.deepcopy(extra))
    _enrich_from_request_fields(schemas, parsed)
    _mark_event_timestamps(schemas)
    schemas.update(_import_models(schemas))
    schemas["Job"]["properties"]["results"] = _job_results_schema()
    schemas["Error"] = ERROR_SCHEMA
    return {name: schemas[name] for name in sorted(schemas)}


def _document_shared_with(parsed: dict[str, RedocOperation]) -> str:
    fields = parsed["Upload a new document or change an existing one"].body_fields
    return next(f.type_line for f in fields if f.type_line.startswith("Array of SharedWith"))


def _model_section(lines: list[str], heading: str) -> tuple[list[Field], Any]:
    """Field list and sample of a model printed under its own heading."""
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    fields: list[Field] = []
    i = start + 1
    while not lines[i].startswith(("{", "[")):
        if lines[i].strip():
            i = read_field_line(fields, lines, i, len(lines))
        else:
            i += 1
    text, _ = collect_json_text(lines, i, len(lines))
    return fields, parse_bulleted_json(text)


def _add_missing_properties(schema: JsonSchema, other: JsonSchema) -> None:
    properties = schema.setdefault("properties", {})
    for key, value in other.get("properties", {}).items():
        properties.setdefault(key, value)


def _enrich_from_request_fields(schemas: dict[str, JsonSchema], parsed: dict[str, RedocOperation]) -> None:
    """Response models take enums and formats the request field lists state for the same field."""
    sources = {
        "Task": "Create order / task",
        "StaffMember": "Create a new staff member",
        "Post": "Create content (post)",
        "ConsumptionMeasurement": "Update consumption measurement",
    }
    for model, title in sources.items():
        properties = schemas[model]["properties"]
        for item in parsed[title].body_fields:
            if item.name not in properties:
                continue
            stated = field_schema(item, set())
            target = properties[item.name]
            if stated.get("type") != target.get("type"):
                continue
            for key in ("enum", "format", "default"):
                if key in stated:
                    target[key] = stated[key]


def _mark_event_timestamps(schemas: dict[str, JsonSchema]) -> None:
    for schema in schemas.values():
        for name, prop in schema.get("properties", {}).items():
            if name in EVENT_TIMESTAMPS:
                prop["nullable"] = True


def _pick(schema: JsonSchema, keys: list[str]) -> dict[str, JsonSchema]:
    return {key: copy.deepcopy(schema["properties"][key]) for key in keys if key in schema["properties"]}


# An imported record's reference id names it in paths: never empty.
REFERENCE_ID: JsonSchema = {"minLength": 1, "x-inferred": True}


def _import_models(schemas: dict[str, JsonSchema]) -> dict[str, JsonSchema]:
    """The import models the document collapses, as the paths specification decides."""
    property_keys = ["id", "name", "note", "country", "city", "postalCode", "number", "addresses", "customFields"]
    unit_keys = [
        "id", "number", "name", "note", "area", "floor", "rooms", "mscNumber", "address", "purpose",
        "votingShare", "propertyMscNumber", "customFields",
    ]
    contact = copy.deepcopy(schemas["Contact"])
    contact["required"] = ["id"]
    contact["properties"]["id"].update(REFERENCE_ID)
    return {
        "Contact": {**contact, "x-inferred": True},
        "PropertyImport": {
            "type": "object",
            "x-inferred": True,
            "required": ["id"],
            "properties": {
                **_pick(schemas["Property"], property_keys),
                "id": {"type": "string", **REFERENCE_ID},
                "units": {"type": "array", "items": {"$ref": "#/components/schemas/UnitImport"}},
                # A property's responsibilities, as a read shows them: kept as imported.
                "responsibilities": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Responsibility"}, "x-inferred": True,
                },
            },
        },
        "UnitImport": {
            "type": "object",
            "x-inferred": True,
            "required": ["id"],
            "properties": {
                **_pick(schemas["Unit"], unit_keys),
                "id": {"type": "string", **REFERENCE_ID},
                "contracts": {"type": "array", "items": {"$ref": "#/components/schemas/Contract"}},
            },
        },
        "Contract": {
            "type": "object",
            "x-inferred": True,
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "description": "Contract number", **REFERENCE_ID},
                "type": {"type": "string", "enum": ["owner", "renter", "resident"]},
                "contactIds": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "startAt": {"type": "string", "format": "date", "nullable": True},
                "endAt": {"type": "string", "format": "date", "nullable": True},
            },
        },
        "Responsibility": {
            "type": "object",
            "x-inferred": True,
            "required": ["propertyId", "contactId"],
            "properties": {
                "propertyId": {"type": "string"},
                "contactId": {"type": "string"},
                "role": {"type": "string"},
            },
        },
    }


def _job_results_schema() -> JsonSchema:
    counts = {
        "type": "object",
        "properties": {key: {"type": "integer", "minimum": 0} for key in ("created", "updated", "failed")},
    }
    kinds = ["contacts", "properties", "units", "contracts", "responsibilities", "documents"]
    return {
        "type": "object",
        "x-inferred": True,
        "properties": {
            **{kind: copy.deepcopy(counts) for kind in kinds},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": kinds},
                        "id": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }


# --- operations ---------------------------------------------------------------------


def _operation(
    source: RedocOperation, method: str, path: str, printed: bool, tag: str, refs: set[str]
) -> Operation:
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
    schema = field_schema(item, set())
    schema.pop("description", None)
    parameter = Parameter(
        name=item.name or "",
        location=location,
        schema=schema,
        required=item.required or location == "path",
        description=short_description(item.description),
        example=_parameter_example(item),
    )
    if schema.get("type") == "array" and location == "query":
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
    return [
        Response(status=status, description="", schema={"$ref": "#/components/schemas/Error"}, inferred=True)
        for status in statuses
    ]
