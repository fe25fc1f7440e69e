"""The responses of one Afosto operation, from its status lines, samples and headers."""

from __future__ import annotations

from ..model import Header, JsonSchema, Response
from ..prose import short_description
from ..samples import LeafRule, schema_from_sample
from .components import ERROR_REF
from .listing import Listing, reason_phrase
from .printed_types import BINARY, real_example, spec_schema

OCTET_STREAM = "application/octet-stream"
# Printed under a status line ("type" / "<type>") when the response is a bare type.
PRINTED_TYPE_SCHEMAS: dict[str, JsonSchema] = {
    "object": {"type": "object"},
    "object[]": {"type": "array", "items": {"type": "object"}},
    "string[]": {"type": "array", "items": {"type": "string"}},
}
# Media named in the wording of a response that prints neither sample, type nor content type.
MEDIA_IN_WORDING = {"MP4": "video/mp4", "PDF": "application/pdf"}


def _orphan_code(listing: Listing, codes: list[int]) -> int | None:
    """The status an orphan description belongs to: the first one printed without its line."""
    if listing.orphan_status_description is None:
        return None
    return next((code for code in codes if code not in listing.statuses), None)


def listing_responses(listing: Listing, leaf: LeafRule, notes: list[str]) -> tuple[list[Response], bool]:
    """The responses of a listing, and whether one of them is a documented guess."""
    codes = sorted(set(listing.statuses) | set(listing.response_samples) | set(listing.response_headers))
    orphan_code = _orphan_code(listing, codes)
    if listing.orphan_status_description is not None and orphan_code is None:
        notes.append(f"{listing.method} {listing.path}: text before the status lines belongs to no status")
    responses: list[Response] = []
    guessed = False
    for code in codes:
        status = listing.statuses.get(code)
        printed = status.description if status else None
        if code == orphan_code:
            printed = listing.orphan_status_description
        reason = status.reason if status else listing.block_reasons.get(code) or reason_phrase(code) or "Response"
        description = short_description(printed) or reason
        if code >= 400:
            responses.append(Response(code, description, schema=dict(ERROR_REF)))
            continue
        response, is_guess = _success_response(listing, code, description, leaf, notes)
        responses.append(response)
        guessed = guessed or is_guess
    return responses, guessed


def _success_response(
    listing: Listing, code: int, description: str, leaf: LeafRule, notes: list[str]
) -> tuple[Response, bool]:
    """A 1xx-3xx response: its body (if any) in the fitting content type, and whether it is a guess."""
    printed_headers = listing.response_headers.get(code, [])
    media_header = next((header for header in printed_headers if header.name.lower() == "content-type"), None)
    headers = [
        Header(header.name, spec_schema(header.spec), header.description)
        for header in printed_headers
        if header is not media_header  # OpenAPI ignores a Content-Type header; it names the media type
    ]
    response = Response(code, description, headers=headers)
    sample = listing.response_samples.get(code)
    has_sample = code in listing.response_samples
    status = listing.statuses.get(code)
    printed_type = status.printed_type if status else None
    if code == 204 or 300 <= code < 400:
        if has_sample:
            notes.append(f"{listing.method} {listing.path}: the {code} sample is dropped (no body)")
        return response, False
    binary_media = (media_header.description if media_header else None) or _binary_content_type(listing)
    if sample == "file" or printed_type == "file":
        response.content_type, response.schema = binary_media or OCTET_STREAM, dict(BINARY)
    elif has_sample:
        response.schema = schema_from_sample(sample, leaf)
        response.example = real_example(sample)
    elif printed_type in PRINTED_TYPE_SCHEMAS:
        response.schema = dict(PRINTED_TYPE_SCHEMAS[printed_type])
    elif binary_media:
        response.content_type, response.schema = binary_media, dict(BINARY)
    elif printed_headers:
        pass  # only headers are documented: a response without a body
    else:
        response.content_type, response.schema = _media_in_wording(listing, description), dict(BINARY)
        notes.append(f"{listing.method} {listing.path}: {code} prints no body; guessed {response.content_type}")
        return response, True
    return response, False


def _binary_content_type(listing: Listing) -> str | None:
    """The response content type the listing prints when it is not JSON (``image/png``)."""
    printed = listing.response_content_types
    if printed and not any(content_type.endswith("json") for content_type in printed):
        return printed[0]
    return None


def _media_in_wording(listing: Listing, description: str) -> str:
    wording = f"{description} {listing.description or ''}".split()
    return next((media for word, media in MEDIA_IN_WORDING.items() if word in wording), OCTET_STREAM)

