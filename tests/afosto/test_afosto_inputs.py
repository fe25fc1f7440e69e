"""What the Afosto module reads from a request is checked when it comes in: a value of
the wrong type or shape is a 400 naming the field, in the contract too, and never a 500
in the call that reads it later (a search, a delivery, a background task)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mock_server.apis.afosto.instant_search import PROXY_KEY
from tests.http_sandbox import AFOSTO

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "afosto.yaml"


def _invalid(response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["errors"]["invalid value"] + response.json()["errors"]["required"] == [field], response.text


async def _index(client, documents: list[dict]) -> str:
    index_id = (await client.post("/afosto/cnt/instant/indexes", json={"name": "products"}, headers=AFOSTO)).json()["id"]
    put = await client.put(f"/afosto/cnt/instant/indexes/{index_id}/documents", json=documents, headers=AFOSTO)
    assert put.status_code == 204, put.text
    assert (await client.post("/__admin/jobs/run")).status_code == 200
    return index_id


@pytest.fixture(scope="module")
def paths() -> dict:
    return yaml.load(CONTRACT.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["paths"]


def _body(paths: dict, method: str, path: str) -> dict:
    return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]


# --- index settings: the fields search reads -----------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [
    ("distinct_field", {"a": 1}), ("distinct_field", 5), ("distinct_field", ["brand"]), ("distinct_field", ""),
    ("facet_fields", "brand"), ("search_fields", [1]), ("display_fields", {"title": True}),
    ("synonyms", {"shirt": "tee"}), ("filters", [{"type": "string"}]), ("filters", [{"key": ""}]),
])
async def test_index_settings_hold_the_shapes_search_reads(client, name, value):
    index_id = await _index(client, [{"reference": "p1", "title": "Shirt", "filters": {"brand": "Acme"}}])
    refused = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/settings?sync=1", json={name: value}, headers=AFOSTO)
    assert refused.status_code == 400, refused.text
    (named,) = refused.json()["errors"]["invalid value"] + refused.json()["errors"]["required"]
    assert re.split(r"[.\[]", named)[0] == name  # the field, or the part of it that is wrong
    searched = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/search", json={"q": "shirt", "facets": ["*"]}, headers=AFOSTO)
    assert searched.status_code == 200 and searched.json()["count"] == 1


async def test_a_distinct_field_that_is_a_field_name_keeps_one_document_per_value(client):
    documents = [{"reference": f"p{n}", "title": "Shirt", "filters": {"brand": "Acme"}} for n in (1, 2)]
    index_id = await _index(client, documents)
    for distinct in ("brand", None):
        changed = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/settings?sync=1",
                                    json={"distinct_field": distinct}, headers=AFOSTO)
        assert changed.status_code == 204, changed.text
        found = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/search", json={}, headers=AFOSTO)
        assert found.json()["count"] == (1 if distinct else 2)


def test_the_contract_describes_the_settings_search_reads(paths):
    settings = _body(paths, "post", "/cnt/instant/indexes/{id}/settings")["properties"]
    assert settings["distinct_field"] == {"type": "string", "minLength": 1, "nullable": True, "x-inferred": True}
    for name in ("facet_fields", "search_fields", "display_fields"):
        assert settings[name]["items"] == {"type": "string"} and settings[name]["x-inferred"] is True
    assert settings["synonyms"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert settings["filters"]["items"]["required"] == ["key"] and settings["filters"]["items"]["properties"]["key"]["minLength"] == 1


# --- search queries and documents -----------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("offset", -1), ("limit", 1001), ("limit", -1)])
async def test_search_paging_stays_within_what_the_contract_says(client, paths, field, value):
    index_id = await _index(client, [{"reference": "p1"}])
    _invalid(await client.post(f"/afosto/cnt/instant/indexes/{index_id}/search", json={field: value}, headers=AFOSTO), field)
    for path in ("/cnt/instant/indexes/{id}/search", "/cnt/instant/search/{id}"):
        documented = _body(paths, "post", path)["properties"]
        assert (documented["offset"]["minimum"], documented["limit"]["minimum"], documented["limit"]["maximum"]) == (0, 0, 1000)


@pytest.mark.parametrize("document", [{"title": "no reference"}, {"reference": ""}, {"reference": 5}, {"reference": {"a": 1}}])
async def test_a_document_needs_its_reference(client, document):
    index_id = (await client.post("/afosto/cnt/instant/indexes", json={"name": "i"}, headers=AFOSTO)).json()["id"]
    _invalid(await client.put(f"/afosto/cnt/instant/indexes/{index_id}/documents", json=[document], headers=AFOSTO), "[0].reference")


# --- contact search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"ids": 5}, "ids"), ({"ids": "abc"}, "ids"), ({"ids": [{"id": 1}]}, "ids[0]"),
    ({"emails": 5}, "emails"), ({"emails": [5]}, "emails[0]"),
])
async def test_contact_search_lists_are_lists_of_texts(client, paths, body, field):
    _invalid(await client.post("/afosto/rel/contacts", json=body, headers=AFOSTO), field)
    documented = _body(paths, "post", "/rel/contacts")["properties"]
    assert documented["ids"]["items"] == {"type": "string"} and documented["emails"]["items"] == {"type": "string"}


async def test_contact_search_by_ids_and_emails(client):
    jo = (await client.put("/afosto/rel/contacts", json={"email": "jo@example.com"}, headers=AFOSTO)).json()
    found = await client.post("/afosto/rel/contacts", json={"ids": [jo["id"]], "emails": ["JO@example.com"]}, headers=AFOSTO)
    assert [contact["id"] for contact in found.json()] == [jo["id"]]


# --- datasets: rows and files ----------------------------------------------------------------------


async def _uploaded(client, name: str, content: bytes, mime: str) -> str:
    signature = (await client.post("/afosto/cnt/files/signature", json={}, headers=AFOSTO)).json()["signature"]
    uploaded = await client.post(f"/afosto/cnt/files/upload/{signature}", files={"file": (name, content, mime)}, headers=AFOSTO)
    assert uploaded.status_code == 200, uploaded.text
    return uploaded.json()[0]["id"]


async def test_a_file_the_csv_reader_cannot_read_is_refused_naming_the_file(client):
    dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()["id"]
    for content in (b"a\n" + b"x" * 200_000 + b"\n", b'a\n"' + b"x" * 200_000):
        file_id = await _uploaded(client, "rows.csv", content, "text/csv")
        refused = await client.post(f"/afosto/cnt/datasets/{dataset}/attach", json={"file_id": file_id}, headers=AFOSTO)
        _invalid(refused, "file_id")
        assert "CSV" in refused.json()["message"]
    lines = await client.get(f"/afosto/cnt/datasets/{dataset}/lines", headers=AFOSTO)
    assert lines.json() == []


async def test_a_dataset_row_needs_its_data(client, paths):
    dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()["id"]
    _invalid(await client.post(f"/afosto/cnt/datasets/{dataset}/upload", json=[{}], headers=AFOSTO), "[0].data")
    assert _body(paths, "post", "/cnt/datasets/{id}/upload")["items"]["required"] == ["data"]


async def test_a_dataset_reads_the_file_its_body_names_and_the_contract_requires_it(client, paths):
    dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()["id"]
    for body in ({}, {"file_id": ""}):
        _invalid(await client.post(f"/afosto/cnt/datasets/{dataset}/attach", json=body, headers=AFOSTO), "file_id")
    attach = paths["/cnt/datasets/{id}/attach"]["post"]["requestBody"]
    assert attach["required"] is True
    assert attach["content"]["application/json"]["schema"]["required"] == ["file_id"]
    assert attach["content"]["application/json"]["schema"]["properties"]["file_id"]["minLength"] == 1


async def test_a_file_whose_bytes_the_sandbox_never_had_is_a_conflict_not_a_bad_request(client, paths):
    dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()["id"]
    demo_file = (await client.get("/afosto/cnt/files", headers=AFOSTO)).json()[0]["id"]
    refused = await client.post(f"/afosto/cnt/datasets/{dataset}/attach", json={"file_id": demo_file}, headers=AFOSTO)
    assert refused.status_code == 409 and "holds no content" in refused.json()["message"], refused.text
    assert "409" in paths["/cnt/datasets/{id}/attach"]["post"]["responses"]


async def test_an_upload_needs_its_file_part_and_the_contract_requires_it(client, paths):
    signature = (await client.post("/afosto/cnt/files/signature", json={}, headers=AFOSTO)).json()["signature"]
    without = await client.post(f"/afosto/cnt/files/upload/{signature}", files={"other": ("a.txt", b"x")}, headers=AFOSTO)
    _invalid(without, "file")
    upload = paths["/cnt/files/upload/{signature}"]["post"]["requestBody"]
    assert upload["required"] is True
    assert upload["content"]["multipart/form-data"]["schema"]["required"] == ["file"]


# --- proxies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["my shop", "a/b", "a?b", "a#b", "100%", "tab\there", " ", "x" * 201, "\u2028"])
async def test_a_proxy_key_is_one_plain_path_segment(client, paths, key):
    _invalid(await client.post("/afosto/cnt/instant/proxies", json={"key": key}, headers=AFOSTO), "key")
    assert _body(paths, "post", "/cnt/instant/proxies")["properties"]["key"]["pattern"] == PROXY_KEY.pattern
    assert re.fullmatch(PROXY_KEY.pattern, "shop-\u00e9t\u00e9_1")


# --- webhook subscriptions stored by a fixture -------------------------------------------------------


@pytest.mark.parametrize("events", [5, "channel.created", [["channel.created"]], None])
async def test_a_stored_subscription_of_another_shape_neither_breaks_writes_nor_updates(client, events):
    stored = {"id": 7, "events": events, "endpoint": "https://example.com/h", "secret": "s"}
    loaded = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": {"/mes/webhooks/subscriptions": [stored]}}}})
    assert loaded.status_code == 200, loaded.text
    assert (await client.post("/afosto/cat/channels", json={"name": "Shop"}, headers=AFOSTO)).status_code == 200
    assert (await client.get("/afosto/mes/webhooks/messages", headers=AFOSTO)).json() == []
    changed = await client.put("/afosto/mes/webhooks/subscriptions/7", json={"delivery_rate": 2}, headers=AFOSTO)
    problems = changed.json()["errors"]["invalid value"] + changed.json()["errors"]["required"]
    assert changed.status_code == 400 and problems[0].startswith("events"), changed.text
    fixed = await client.put("/afosto/mes/webhooks/subscriptions/7", json={"events": ["channel.created"]}, headers=AFOSTO)
    assert fixed.status_code == 200, fixed.text
