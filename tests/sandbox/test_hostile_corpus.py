"""A corpus of hostile input per API: bodies, headers, query and path values.

Every request is refused with a 4xx in the API's error shape, the server keeps
answering, and the state export is exactly what it was. The corpus runs twice: the
first pass makes the demo objects the touched collections get on first use, the second
proves that hostile input changes nothing at all.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.http_sandbox import AFOSTO, GUID, RELAY, casavi_headers
from tests.shapes import assert_api_error

HOSTILE_BODIES = [
    b"{",
    b'{"a": 1}}',
    b"\xef\xbb\xbf{}",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": "\\ud800"}',
    b'{"a": "\\ud800", "n": 12345678901234567890123}',
    b'{"a": NaN, "n": 12345678901234567890123}',
    b'{"a": "\\udfff\\ud800"}',
    b'{"a": "\xc3\x28"}',
    b'{"a": 1e400}',
    b'{"a": ' + b"9" * 5000 + b"}",
    b"[" * 65 + b"]" * 65,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b"\x00" * 16,
    b"",
]
HOSTILE_SEGMENTS = ["%00", "..", "%2e%2e%2f%2e%2e", "x" * 3000, "%F0%9F%92%A9", "%FF%FE", "%C0%AF", "-1", "1e309", "%0d%0aX-Injected:%201"]
HOSTILE_CREDENTIALS = [
    "Bearer ".encode(), "Bearer \xe9\xff".encode("latin-1"), b"Bearer " + b"A" * 8000, b"Basic Og==", b"\x7f", b"Bearer a\x00b",
]
HOSTILE_VALUES = ["%00", "%FF%FE", "NaN", "1e309", "9" * 5000, "%E2%80%AE", "'; DROP TABLE x; --", "%0d%0a", "[]", "{}"]


async def _corpus(client) -> dict[str, dict]:
    casavi = await casavi_headers(client)
    partner = "accessToken=demo-partner-token"
    return {
        "casavi": {
            "auth": casavi,
            "bodies": ("POST", "/casavi/tickets"),
            "paths": "/casavi/tickets/{}",
            "query": ("/casavi/tickets?page={}", 400),
            "credential": lambda value: ("/casavi/tickets", {"token": value}),
        },
        "afosto": {
            "auth": AFOSTO,
            "bodies": ("POST", "/afosto/cat/channels"),
            "paths": "/afosto/cat/channels/{}",
            "query": ("/afosto/cat/channels?is_deleted={}", 400),
            "credential": lambda value: ("/afosto/cat/channels", {"authorization": value}),
        },
        "relay": {
            "auth": RELAY,
            "bodies": ("POST", "/relay/customers"),
            "paths": "/relay/orders/{}",
            # Relay declares no query parameters: unknown ones are ignored, never fatal.
            "query": ("/relay/orders?status={}", 200),
            "credential": lambda value: ("/relay/orders", {"authorization": value}),
        },
        "messages": {
            "auth": {},
            "bodies": ("POST", f"/messages/api/v3/case-messages/create?{partner}"),
            "paths": "/messages/api/v3/case-messages/{}?" + partner,
            "query": (f"/messages/api/v3/case-messages?{partner}&guid={{}}", 400),
            "credential": lambda value: (f"/messages/api/v3/case-messages?guid={GUID}&accessToken={quote(value)}", {}),
        },
    }


async def _attack(client, api: str, corpus: dict) -> int:
    sent = 0
    auth = corpus["auth"]
    method, url = corpus["bodies"]
    for body in HOSTILE_BODIES:
        for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
            if not body and content_type != "application/json":
                continue  # an empty body is no body, which operations with an optional body accept
            response = await client.request(method, url, content=body, headers={**auth, "content-type": content_type})
            assert_api_error(api, response)
            sent += 1
    for segment in HOSTILE_SEGMENTS:
        for verb in ("GET", "DELETE", "PATCH"):
            response = await client.request(verb, corpus["paths"].format(segment), headers=auth)
            assert_api_error(api, response)
            sent += 1
    template, status = corpus["query"]
    for value in HOSTILE_VALUES:
        response = await client.get(template.format(value), headers=auth)
        if status == 200:
            assert response.status_code == 200, response.text
        else:
            assert_api_error(api, response, status)
        sent += 1
    for value in HOSTILE_CREDENTIALS:
        credential_url, headers = corpus["credential"](value)
        response = await client.get(credential_url, headers=headers)
        assert_api_error(api, response, 401)
        sent += 1
    return sent


@pytest.mark.parametrize("api", ["casavi", "afosto", "relay", "messages"])
async def test_hostile_input_is_refused_in_the_api_shape_and_changes_nothing(client, api):
    corpus = (await _corpus(client))[api]
    await _attack(client, api, corpus)  # first pass: demo objects of the touched collections are made
    before = (await client.get("/__admin/state")).json()
    sent = await _attack(client, api, corpus)
    assert sent > 80
    assert (await client.get("/__admin/health")).status_code == 200
    assert (await client.get("/__admin/state")).json() == before
    # The API still does its normal work afterwards.
    method, url = corpus["bodies"]
    normal = {
        "casavi": {"id": "T-normal", "title": "t", "propertyId": "P-00001"},
        "afosto": {"name": "normal"},
        "relay": {"casaviAccountId": 1, "customer": {"name": "normal"}},
        "messages": {"guid": GUID, "type": "reminder"},
    }[api]
    response = await client.request(method, url, json=normal, headers=corpus["auth"])
    assert response.status_code in (200, 201), response.text
