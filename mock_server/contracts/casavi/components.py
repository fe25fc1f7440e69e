"""The casavi contract's shared schemas: the models its samples and model sections print,
completed where the document collapses or omits them (imports, job results, errors)."""

from __future__ import annotations

import copy
from typing import Any

from ..model import JsonSchema
from ..redoc import (
    Field,
    RedocOperation,
    collect_json_text,
    field_schema,
    object_schema,
    parse_bulleted_json,
    read_field_line,
    type_line_schema,
)
from ..samples import schema_from_sample

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
# Collapsed nested arrays of sampled models: (model, property) -> item model.
NESTED_ROWS = {
    ("Property", "responsibilities"): "Responsibility",
    ("Unit", "contracts"): "Contract",
    ("Ticket", "tasks"): "Task",
    ("Ticket", "attachmentDetails"): "AttachmentDetail",
    ("Task", "attachmentDetails"): "AttachmentDetail",
    ("Document", "sharedWith"): None,
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


def component_schemas(lines: list[str], parsed: dict[str, RedocOperation]) -> dict[str, JsonSchema]:
    """Every shared model, by name, from the parsed operations (by title) and the model sections."""
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

