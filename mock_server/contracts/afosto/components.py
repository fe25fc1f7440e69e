"""The Afosto contract's shared schemas: the Error model and every model a sample names."""

from __future__ import annotations

from typing import Any

from ..model import JsonSchema
from ..samples import schema_from_sample
from .document import Document
from .printed_types import leaf_rule, models_referenced

ERROR_MODEL = "Error"
ERROR_REF: JsonSchema = {"$ref": f"#/components/schemas/{ERROR_MODEL}"}


def model_schemas(document: Document, samples: list[Any], notes: list[str]) -> dict[str, JsonSchema]:
    """The Error model and every model a sample refers to, directly or through other models."""
    wanted: set[str] = set()
    pending = set().union(*(models_referenced(sample) for sample in samples))
    while pending:
        model = pending.pop()
        if model in wanted or model not in document.model_samples:
            if model not in document.model_samples:
                notes.append(f"model {model} is referred to but not defined; read as an object")
            continue
        wanted.add(model)
        pending |= models_referenced(document.model_samples[model])
    leaf = leaf_rule(wanted)
    schemas = {ERROR_MODEL: _error_schema(document, notes)}
    for model in sorted(wanted):
        schemas[model] = schema_from_sample(document.model_samples[model], leaf)
    return schemas


def _error_schema(document: Document, notes: list[str]) -> JsonSchema:
    error_samples = [
        (listing, code, sample)
        for listing in document.listings
        for code, sample in listing.response_samples.items()
        if code >= 400
    ]
    printed = document.model_samples.get(ERROR_MODEL)
    if printed is None:
        printed = error_samples[0][2]
    for listing, code, sample in error_samples:
        if sample == [printed]:
            notes.append(f"{listing.method} {listing.path}: the {code} sample is a list of errors; Error kept")
        elif sample != printed:
            notes.append(f"{listing.method} {listing.path}: the {code} sample differs from the Error model")
    # The arrays hold "property1": names of properties, strings.
    return schema_from_sample(printed, leaf_rule(()))

