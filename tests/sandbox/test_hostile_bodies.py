"""Bodies that used to poison a collection: after each, lists and the state export still answer.

Written as the attack: a body the old parser accepted (NaN, a lone surrogate, next to a
long number that switched parsers), nesting deep enough to break the answer, undecodable
multipart text, uploads kept as bytes. Each is refused with a 400 in the API's shape (or
stored as plain JSON), and the API's list and `GET /__admin/state` answer 200 afterwards.
"""

from __future__ import annotations

import base64

import json

import pytest

from mock_server.engine import jsonio
from tests.http_sandbox import AFOSTO, GUID, RELAY, casavi_headers
from tests.shapes import assert_api_error, message_of

LONG = b"12345678901234567890123"  # beyond 64 bits: the old parser fell back to the standard library


async def _targets(client) -> dict[str, dict]:
    """Per API: where to create an object with a JSON body, the fields it needs, and its list."""
    casavi = await casavi_headers(client)
    return {
        "casavi": {"url": "/casavi/tickets", "headers": casavi, "prefix": b'"id": "T-77", "title": "t", "propertyId": "P-00001", ',
                   "list": "/casavi/tickets"},
        "afosto": {"url": "/afosto/cat/channels", "headers": AFOSTO, "prefix": b'"name": "x", ', "list": "/afosto/cat/channels"},
        "relay": {"url": "/relay/customers", "headers": RELAY, "prefix": b'"casaviAccountId": 1, "customer": {"name": "x"}, ',
                  "list": "/relay/customers"},
        "messages": {"url": "/messages/api/v3/case-messages/create?accessToken=demo-partner-token", "headers": {},
                     "prefix": b'"guid": "' + GUID.encode() + b'", "type": "reminder", ',
                     "list": f"/messages/api/v3/case-messages?accessToken=demo-partner-token&guid={GUID}"},
    }


POISON = {
    "lone high surrogate": (b'"note": "a\\ud800b", "n": ' + LONG, "surrogate"),
    "lone low surrogate": (b'"note": "\\udc00", "n": ' + LONG, "surrogate"),
    "NaN": (b'"note": NaN, "n": ' + LONG, "NaN and Infinity are not JSON numbers at line 1 column"),
    "Infinity": (b'"note": -Infinity', "NaN and Infinity are not JSON numbers at line 1 column"),
    "a float beyond a double": (b'"note": 1e999', "too large"),
    "nesting of 65 levels": (b'"note": ' + b"[" * 64 + b"]" * 64, "nesting deeper than 64 levels"),
    "nesting of 600 levels": (b'"note": ' + b"[" * 599 + b"]" * 599, "nesting deeper than 64 levels"),
    "invalid UTF-8": (b'"note": "\xff\xfe"', "invalid UTF-8 at line 1 column"),
}


@pytest.mark.parametrize("api", ["casavi", "afosto", "relay", "messages"])
async def test_poisonous_json_is_refused_with_its_position_and_nothing_breaks(client, api):
    target = (await _targets(client))[api]
    assert (await client.get(target["list"], headers=target["headers"])).status_code == 200  # demo objects made on first use
    before = (await client.get("/__admin/state")).json()
    for name, (fields, reason) in POISON.items():
        body = b"{" + target["prefix"] + fields + b"}"
        response = await client.post(target["url"], content=body, headers={**target["headers"], "content-type": "application/json"})
        error = assert_api_error(api, response, 400)
        assert reason in message_of(error), (name, error)
        listed = await client.get(target["list"], headers=target["headers"])
        assert listed.status_code == 200, (name, listed.text)
    exported = await client.get("/__admin/state")
    assert exported.status_code == 200
    assert exported.json() == before


async def test_integers_of_any_length_are_kept_exactly(client):
    big = 123456789012345678901234567890
    huge = int("9" * 400)
    body = b'{"name": "Exact", "externalRef": ' + str(big).encode() + b', "other": ' + str(huge).encode() + b"}"
    created = await client.post("/afosto/cat/channels", content=body, headers={**AFOSTO, "content-type": "application/json"})
    assert created.status_code == 200, created.text
    stored = next(
        item for item in (await client.get("/__admin/state")).json()["afosto"]["data"]["demo"]["/cat/channels"]
        if item["id"] == created.json()["id"]
    )
    assert stored["externalRef"] == big and stored["other"] == huge
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200


async def test_a_body_at_the_nesting_limit_is_accepted_and_answered(client):
    body = b'{"name": "deep", "note": ' + b"[" * 63 + b"]" * 63 + b"}"
    created = await client.post("/afosto/cat/channels", content=body, headers={**AFOSTO, "content-type": "application/json"})
    assert created.status_code == 200, created.text
    assert (await client.get(f"/afosto/cat/channels/{created.json()['id']}", headers=AFOSTO)).status_code == 200
    assert (await client.get("/__admin/state")).status_code == 200


def _order(text: bytes, content_type: str = "application/json") -> list:
    return [("order", (None, text, content_type))]


def _multipart(*parts: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body from raw parts (headers and content), as a client might send it."""
    body = b"".join(b"--b0undary\r\n" + part + b"\r\n" for part in parts) + b"--b0undary--\r\n"
    return body, {"content-type": "multipart/form-data; boundary=b0undary"}


async def test_undecodable_multipart_text_is_refused(client):
    assert (await client.get("/relay/orders", headers=RELAY)).status_code == 200
    before = (await client.get("/__admin/state")).json()
    attacks = [
        (_order(b'{"title": "caf\xe9"}'), "order", "is not valid UTF-8 text (byte 14)"),
        (_order(b'{"title": "a\\ud800"}'), "order", "no low surrogate in string at line 1 column"),
        (_order(b'{"title": NaN}'), "order", "NaN and Infinity"),
    ]
    for parts, field, reason in attacks:
        response = await client.post("/relay/orders", files=parts, headers=RELAY)
        error = assert_api_error("relay", response, 400)
        assert reason in message_of(error), error
    body, content_type = _multipart(
        b'Content-Disposition: form-data; name="order"\r\nContent-Type: application/json\r\n\r\n{"title": "x"}',
        b'Content-Disposition: form-data; name="files"; filename="\xff.txt"\r\nContent-Type: text/plain\r\n\r\ndata',
    )
    response = await client.post("/relay/orders", content=body, headers={**RELAY, **content_type})
    assert "the file name of 'files' is not valid UTF-8" in message_of(assert_api_error("relay", response, 400))
    order_id = (await client.post("/relay/orders", files=_order(b'{"title": "t"}'), headers=RELAY)).json()["id"]
    comment = await client.post(f"/relay/orders/{order_id}/comments", files=[("text", (None, b"\xc3\x28")), ("authorName", (None, b"Ann"))],
                                headers=RELAY)
    assert "form field \"text\" is not valid UTF-8 text" in message_of(assert_api_error("relay", comment, 400))
    assert (await client.get("/relay/orders", headers=RELAY)).status_code == 200
    after = (await client.get("/__admin/state")).json()
    assert len(after["relay"]["data"]["demo"]["/orders"]) == len(before["relay"]["data"]["demo"]["/orders"]) + 1


async def test_a_part_whose_name_holds_a_nul_is_a_part_the_operation_does_not_take(client):
    order_id = (await client.post("/relay/orders", files=_order(b'{"title": "t"}'), headers=RELAY)).json()["id"]
    body, content_type = _multipart(
        b'Content-Disposition: form-data; name="a\x00b"\r\n\r\n{}',
        b'Content-Disposition: form-data; name="text"\r\n\r\nOn my way',
        b'Content-Disposition: form-data; name="authorName"\r\n\r\nAnn',
    )
    comment = await client.post(f"/relay/orders/{order_id}/comments", content=body, headers={**RELAY, **content_type})
    assert comment.status_code == 200, comment.text
    order = (await client.get(f"/relay/orders/{order_id}", headers=RELAY)).json()
    assert [c["text"] for c in order["comments"]] == ["On my way"]
    # A file name is kept and shown: a NUL there is still refused.
    body, content_type = _multipart(
        b'Content-Disposition: form-data; name="order"\r\nContent-Type: application/json\r\n\r\n{"title": "x"}',
        b'Content-Disposition: form-data; name="files"; filename="a\x00.txt"\r\nContent-Type: text/plain\r\n\r\ndata',
    )
    response = await client.post("/relay/orders", content=body, headers={**RELAY, **content_type})
    assert "holds a NUL character" in message_of(assert_api_error("relay", response, 400))


async def test_a_part_in_a_declared_charset_is_read_in_it(client):
    parts = [("order", (None, '{"title": "Café"}'.encode("latin-1"), "application/json; charset=latin-1"))]
    response = await client.post("/relay/orders", files=parts, headers=RELAY)
    assert response.status_code == 200, response.text
    order = (await client.get(f"/relay/orders/{response.json()['id']}", headers=RELAY)).json()
    assert order["title"] == "Café"


async def test_uploaded_bytes_are_described_never_stored(client):
    signature = (await client.post("/afosto/cnt/files/signature", json={"path": "/"}, headers=AFOSTO)).json()["signature"]
    upload = await client.post(f"/afosto/cnt/files/upload/{signature}", files={"file": ("a.txt", b"\x00\xff" * 100, "text/plain")},
                               headers=AFOSTO)
    assert upload.status_code == 200, upload.text
    headers = await casavi_headers(client)
    raw = await client.post("/casavi/files", content=b"\x00\xff" * 100,
                            headers={**headers, "content-type": "application/octet-stream", "x-filename": "a.bin"})
    assert raw.status_code == 200, raw.text
    state = await client.get("/__admin/state")
    assert state.status_code == 200, state.text
    # Afosto keeps an uploaded file's bytes (a dataset may read it), as base64 text.
    (afosto_file,) = [item for item in state.json()["afosto"]["data"]["demo"]["/cnt/files"] if item.get("filename") == "a.txt"]
    assert afosto_file["metadata"]["size"] == 200 and base64.b64decode(afosto_file["content"]) == b"\x00\xff" * 100
    # casavi keeps what its reads show: name, type and size.
    (casavi_file,) = state.json()["casavi"]["data"]["demo"]["/files"]
    assert casavi_file["size"] == 200 and casavi_file["contentType"] == "application/octet-stream"


async def test_every_stored_object_can_be_sent_back(client):
    """Valid but unusual input of every kind, then every object of every store is written as JSON."""
    headers = await casavi_headers(client)
    json_type = {"content-type": "application/json"}
    writes = [
        ("/afosto/cat/channels", AFOSTO, json.dumps({"name": "😀 \u2028 \\ \" \x00 é", "n": 2**70, "f": 1.5e308}).encode()),
        ("/afosto/cat/channels", AFOSTO, b'{"name": "pair \\ud83d\\ude00", "deep": ' + b"[" * 60 + b"]" * 60 + b"}"),
        ("/casavi/tickets", headers, json.dumps({"id": "T-\u00e9", "title": "\u0000", "propertyId": "P-00001"}).encode()),
        ("/relay/customers", RELAY, json.dumps({"casaviAccountId": 2**65, "customer": {"name": "x" * 5000}}).encode()),
    ]
    for url, auth, body in writes:
        response = await client.post(url, content=body, headers={**auth, **json_type})
        assert response.status_code < 500, response.text
    await client.post("/relay/orders", files=_order('{"title": "ü"}'.encode()) + [("files", ("ü.txt", b"\xff", "text/plain"))], headers=RELAY)
    await client.post("/afosto/cnt/files/upload/sig-2", files={"file": ("b.bin", b"\xff" * 10, "application/octet-stream")}, headers=AFOSTO)
    await client.post("/casavi/files", content=b"\xff", headers={**headers, "content-type": "image/png", "x-filename": "x.png"})
    count = 0
    for api in client.app.sandbox.apis.values():
        for account in api.runtime.store.accounts.values():
            for collection in account.collections.values():
                for record in collection.values():
                    jsonio.dumps(record)  # raises NotJson for anything that could not be sent back
                    count += 1
    assert count > 10
    exported = await client.get("/__admin/state")
    assert exported.status_code == 200
    assert (await client.put("/__admin/state", json=exported.json())).status_code == 200
    assert (await client.get("/__admin/state")).json() == exported.json()
