"""Parser of the Afosto API reference (a text rendering of a Swagger 2 document).

The document prints every operation as a block::

    <headings>                  group and tag headings, only where they change
    <title>
    METHOD /path
    <description>
    <body name, flattened body model lines>       ignored: the request sample says the same
    name: type [enum, values] [default]           a parameter: its location on the next line,
    in path|query|header|formData                 then a blank line and its description
    undefined | Request Content-Types: ... | Request Example + JSON sample
    NNN Reason + description [+ "type" / "<type>" artefact lines]
    Response Content-Types: ...
    Response Example (NNN Reason) + JSON sample | Response Headers (NNN Reason) + entries

and ends with a "Schema Definitions" section, one sample per model, which resolves the
``"#/definitions/<Model>"`` strings printed where a model repeats inside a sample.

Samples hold type placeholders (``"string (uuid)"``, ``"integer"``) instead of values;
`printed_types` reads them.
"""

from __future__ import annotations

import copy
from typing import Any

from ..model import ApiContract
from .components import ERROR_MODEL, model_schemas
from .document import read_document
from .listing import Listing
from .operations import assign_operation_ids, merge_duplicates, operation_from, tag_names_of
from .paths import repair_paths
from .printed_types import leaf_rule

NAME = "afosto"
DESCRIPTION = "Sandbox fake of the Afosto commerce, content, logistics, warehouse and IAM API."
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
DEFAULT_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def _samples(listing: Listing) -> list[Any]:
    return [listing.request_sample, *listing.response_samples.values()]


def parse_afosto_with_notes(text: str) -> tuple[ApiContract, list[str]]:
    """The contract, and notes on what the document left open and how it was read."""
    notes: list[str] = []
    document = read_document(text)
    merged = merge_duplicates(document.listings, notes)
    samples = [sample for listing in document.listings for sample in _samples(listing)]
    schemas = model_schemas(document, samples, notes)
    leaf = leaf_rule(set(schemas) - {ERROR_MODEL})
    tag_names = tag_names_of(merged)
    operations = [operation_from(operation, tag_names, leaf, notes) for operation in merged]
    repair_paths(operations, notes)
    assign_operation_ids(operations)
    tags = list(dict.fromkeys(tag_names[(listing.group, listing.heading)] for listing in document.listings))
    contract = ApiContract(
        name=NAME,
        title=document.title,
        version=document.version,
        description=DESCRIPTION,
        security_schemes=copy.deepcopy(SECURITY_SCHEMES),
        default_security=copy.deepcopy(DEFAULT_SECURITY),
        operations=operations,
        schemas=schemas,
        tags=tags,
    )
    return contract, notes


def parse_afosto(text: str) -> ApiContract:
    """The Afosto contract read from the text of its API reference."""
    return parse_afosto_with_notes(text)[0]
