"""The casavi manager API v1 document (Redoc text) read into an ApiContract.

The document names its operations but mostly omits methods and paths; the binding choice
for each is the table below (the project's paths specification). Responses print no
status codes, so success codes are inferred (200 with a body, 204 without) and the error
responses use the inferred casavi error shape; both carry ``x-inferred``.
"""

from __future__ import annotations

import re

from ..model import ApiContract
from ..redoc import parse_operations, tag_at, tag_positions
from .components import component_schemas
from .operations import operation_from

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


def parse_casavi(text: str) -> ApiContract:
    """Build the casavi contract from the document text."""
    lines = text.splitlines()
    rows = [line.split("|") for line in OPERATIONS.strip().splitlines()]
    end_of_reference = next(i for i, line in enumerate(lines) if line.strip() == "Changelog")
    parsed = {source.title: source for source in parse_operations(lines, [row[0] for row in rows], end_of_reference)}

    schemas = component_schemas(lines, parsed)
    refs = set(schemas)
    tag_lines = tag_positions(lines, TAGS)
    operations = [
        operation_from(parsed[title], method, path, printed == "printed", tag_at(tag_lines, parsed[title].line), refs)
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
