"""Afosto operations from their listings: duplicate listings merged, tags named,
parameters and request bodies read, operation ids assigned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..model import JsonSchema, Operation, Parameter, RequestBody
from ..prose import camel_identifier, short_description
from ..samples import LeafRule, schema_from_sample
from .listing import Listing, PrintedParameter
from .printed_types import real_example, spec_schema
from .responses import listing_responses

JSON_TYPE = "application/json"
MULTIPART = "multipart/form-data"


@dataclass
class Merged:
    """One operation and every listing of it."""

    listing: Listing
    listings: list[Listing]


def merge_duplicates(listings: list[Listing], notes: list[str]) -> list[Merged]:
    """One entry per method and path; where listings of it differ, the first is kept (noted)."""
    merged: dict[tuple[str, str], Merged] = {}
    for listing in listings:
        key = (listing.method, listing.path)
        if key not in merged:
            merged[key] = Merged(listing, [listing])
            continue
        first = merged[key].listing
        if first.content() != listing.content():
            differing = sorted(k for k, v in first.content().items() if listing.content()[k] != v)
            notes.append(
                f"{listing.method} {listing.path}: listings at lines {first.line} and {listing.line}"
                f" differ in {differing}; the first is kept"
            )
        merged[key].listings.append(listing)
    return list(merged.values())


def tag_names_of(merged: list[Merged]) -> dict[tuple[str | None, str], str]:
    """The tag of each (group, heading).

    A heading is its own tag, unless two sections with that heading list the same
    operation (Content/Proxy and Meilisearch/Proxy): then every section with that heading
    is told apart by its group, "Content / Proxy".
    """
    shared_headings = {
        listing.heading
        for operation in merged
        for listing in operation.listings[1:]
        if listing.heading == operation.listing.heading and listing.group != operation.listing.group
    }
    names: dict[tuple[str | None, str], str] = {}
    for operation in merged:
        for listing in operation.listings:
            key = (listing.group, listing.heading)
            qualified = listing.heading in shared_headings and listing.group
            names[key] = f"{listing.group} / {listing.heading}" if qualified else listing.heading
    return names


def operation_from(
    operation: Merged, tag_names: dict[tuple[str | None, str], str], leaf: LeafRule, notes: list[str]
) -> Operation:
    """The operation its first listing prints, tagged as each of its listings is."""
    listing = operation.listing
    tags: list[str] = []
    for each in operation.listings:
        tag = tag_names[(each.group, each.heading)]
        if tag not in tags:
            tags.append(tag)
    if len(operation.listings) > len(tags):
        notes.append(f"{listing.method} {listing.path}: listed {len(operation.listings)} times under {tags}")
    for text in listing.unplaced_text:
        notes.append(f"{listing.method} {listing.path}: unplaced text after the status lines: {text[:40]!r}")
    responses, guessed = listing_responses(listing, leaf, notes)
    return Operation(
        method=listing.method,
        path=listing.path,
        operation_id="",
        summary=listing.title,
        tags=tags,
        parameters=[_parameter(printed) for printed in listing.parameters if printed.location != "formData"],
        request_bodies=_request_bodies(listing, leaf),
        # The document marks nothing required, bodies included.
        body_required=False,
        responses=responses,
        description=short_description(listing.description),
        inferred=guessed,
    )


def assign_operation_ids(operations: list[Operation]) -> None:
    """camelCase titles; colliding ones add their tag, then their path, then their method."""
    refinements: list[Callable[[Operation], str]] = [
        lambda operation: camel_identifier(operation.summary),
        lambda operation: camel_identifier(f"{operation.summary} {operation.tags[0]}"),
        lambda operation: camel_identifier(f"{operation.summary} {operation.path}"),
        lambda operation: camel_identifier(f"{operation.summary} {operation.method.lower()} {operation.path}"),
    ]
    ids = {id(operation): refinements[0](operation) for operation in operations}
    for refine in refinements[1:]:
        counts = Counter(ids.values())
        for operation in operations:
            if counts[ids[id(operation)]] > 1:
                ids[id(operation)] = refine(operation)
    if len(set(ids.values())) != len(operations):
        raise ValueError("operation ids are not unique")
    for operation in operations:
        operation.operation_id = ids[id(operation)]


def _parameter(printed: PrintedParameter) -> Parameter:
    # The `Accept` and `Authorization` header parameters are kept: OpenAPI says to ignore
    # them, but openapi-spec-validator and schemathesis accept them.
    return Parameter(
        name=printed.name,
        location=printed.location,
        schema=spec_schema(printed.spec),
        required=printed.location == "path",
        description=short_description(printed.description),
    )


def _request_bodies(listing: Listing, leaf: LeafRule) -> list[RequestBody]:
    bodies: list[RequestBody] = []
    if listing.has_request_sample:
        sample = listing.request_sample
        content_type = listing.request_content_type or JSON_TYPE
        bodies.append(RequestBody(content_type, schema_from_sample(sample, leaf), example=real_example(sample)))
    form_fields = [parameter for parameter in listing.parameters if parameter.location == "formData"]
    if form_fields:
        properties: dict[str, JsonSchema] = {}
        for form_field in form_fields:
            properties[form_field.name] = spec_schema(form_field.spec)
            if description := short_description(form_field.description):
                properties[form_field.name]["description"] = description
        bodies.append(RequestBody(MULTIPART, {"type": "object", "properties": properties}))
    return bodies

