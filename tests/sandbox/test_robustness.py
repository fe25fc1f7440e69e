"""Hostile input on every operation: always a 4xx or 2xx answer in the API's shape, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.http_sandbox import AFOSTO, RELAY, casavi_headers, sandbox_client

WEIRD_SEGMENTS = ["%00", "..", "x" * 300, "%F0%9F%92%A9", "-1", "1e309"]
BODIES = [
    (b"{", "application/json"),
    (b"[1, 2", "application/json"),
    (b'{"a": ' + b"9" * 400 + b"}", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
    (b"not a form", "multipart/form-data"),
    (b"a=%ZZ&b", "application/x-www-form-urlencoded"),
    (b"null", "application/json"),
    (b'"text"', "application/json"),
]


def _path(template: str, segment: str) -> str:
    parts = [segment if part.startswith("{") else part for part in template.split("/")]
    return "/".join(parts)


@pytest.mark.parametrize("api", ["casavi", "afosto", "relay", "messages"])
async def test_no_input_produces_a_server_error(api):
    async with sandbox_client() as client:
        headers = {
            "casavi": await casavi_headers(client),
            "afosto": AFOSTO,
            "relay": RELAY,
            "messages": {},
        }[api]
        query = "?accessToken=demo-partner-token&page=%FF&guid=x&x-page=-5" if api == "messages" else "?page=%FF&status=%00&q=" + "a" * 50
        operations = client.app.sandbox.runtimes[api].contract.operations.values()
        for operation in operations:
            mount = f"/{api}"
            for segment in WEIRD_SEGMENTS[:2] if "{" in operation.path else [""]:
                url = mount + _path(operation.path, segment) + query
                for body, content_type in BODIES:
                    response = await client.request(
                        operation.method, url, content=body,
                        headers={**headers, "content-type": content_type, "x-page": "zero", "x-page-size": "-3"},
                    )
                    assert response.status_code < 500, (operation.method, url, body, response.text)
                    if "json" in response.headers.get("content-type", "json"):
                        json.loads(response.content or b"null")
        for segment in WEIRD_SEGMENTS:
            response = await client.get(f"/{api}/{segment}/{segment}", headers=headers)
            assert response.status_code in (404, 405), response.text


@pytest.mark.parametrize(
    ("path", "headers", "name"),
    [
        ("/afosto/wms/locations", AFOSTO, "deleted_at"),  # an integer
        ("/afosto/wms/schedules", AFOSTO, "hop_id"),  # any text
    ],
)
async def test_a_parameter_of_one_value_given_several_times_is_refused_naming_it(path, headers, name):
    async with sandbox_client() as client:
        once = await client.get(path, params={name: "5"}, headers=headers)
        assert once.status_code == 200, once.text
        for values in (["5", "7"], ["not a number", "5"], ["5", "5", "5"]):
            answer = await client.get(path, params=[(name, value) for value in values], headers=headers)
            assert answer.status_code == 400, (values, answer.text)
            assert f'query parameter "{name}" takes one value, not {len(values)}' in answer.json()["message"]


async def test_casavi_names_a_repeated_paging_parameter_in_its_own_error_shape():
    async with sandbox_client() as client:
        headers = await casavi_headers(client)
        answer = await client.get("/casavi/contacts", params=[("page", "1"), ("page", "2")], headers=headers)
        assert answer.status_code == 400
        assert answer.json()["message"] == 'query parameter "page" takes one value, not 2'
        assert (await client.get("/casavi/contacts", params={"page": "1"}, headers=headers)).status_code == 200
