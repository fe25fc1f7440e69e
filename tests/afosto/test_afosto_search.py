"""Afosto instant search over HTTP: indexes, documents, settings, proxies, and search in
the documented JSON form and in the form the vendor's JavaScript client uses."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

from mock_server.apis.afosto.criteria import as_number
from mock_server.apis.afosto.instant_search import number_stats
from tests.http_sandbox import AFOSTO

OTHER = {"Authorization": "Bearer other-afosto-token"}
VENDOR = "application/vnd.instantsearch+json"
PRODUCTS = [
    {"reference": "p1", "title": "Blue Shirt", "sub": "cotton", "metadata": {"name": "Blue Shirt"}, "filters": {"brand": "Acme", "price": 19, "colour": ["blue"]}},
    {"reference": "p2", "title": "Red shirt", "sub": "linen", "metadata": {"name": "Red shirt"}, "filters": {"brand": "Globex", "price": 25, "colour": ["red"]}},
    {"reference": "p3", "title": "Shirt dress", "sub": "summer", "metadata": {"name": "Shirt dress"}, "filters": {"brand": "Acme", "price": 45, "colour": ["blue", "white"]}},
    {"reference": "p4", "title": "Wool socks", "sub": "winter", "metadata": {"name": "Wool socks"}, "filters": {"brand": "Acme", "price": 9, "colour": ["grey"]}},
    {"reference": "p5", "title": "Linen trousers", "sub": "summer", "metadata": {"name": "Linen trousers"}, "filters": {"brand": "Initech", "price": 60, "colour": ["white"]}},
]
PAGES = [
    {"reference": "pg1", "title": "Shirt care", "sub": "how to wash a shirt"},
    {"reference": "pg2", "title": "Returns", "sub": "send it back"},
]


async def _run_jobs(client) -> None:
    assert (await client.post("/__admin/jobs/run")).status_code == 200


async def _index(client, name: str, documents: list[dict], headers=AFOSTO) -> str:
    created = await client.post("/afosto/cnt/instant/indexes", json={"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    index_id = created.json()["id"]
    put = await client.put(f"/afosto/cnt/instant/indexes/{index_id}/documents", json=documents, headers=headers)
    assert put.status_code == 204, put.text
    await _run_jobs(client)
    return index_id


async def _shop(client, key: str = "shop") -> tuple[str, str]:
    products = await _index(client, "products", PRODUCTS)
    pages = await _index(client, "pages", PAGES)
    proxy = {"key": key, "indexes": [{"index_id": products, "alias": "products"}, {"index_id": pages, "alias": "pages"}]}
    created = await client.post("/afosto/cnt/instant/proxies", json=proxy, headers=AFOSTO)
    assert created.status_code == 201, created.text
    return products, pages


async def _search_index(client, index_id: str, body: dict, headers=AFOSTO) -> dict:
    response = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/search", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _references(answer: dict) -> list[str]:
    return [hit["reference"] for result in answer["results"] for hit in result["hits"]]


async def test_documents_are_found_by_every_word_without_regard_to_case(client):
    products = await _index(client, "products", PRODUCTS)
    assert _references(await _search_index(client, products, {"q": "SHIRT"})) == ["p1", "p2", "p3"]
    assert _references(await _search_index(client, products, {"q": "shirt blue"})) == ["p1", "p3"]  # filters are text too
    assert _references(await _search_index(client, products, {"q": "summer linen"})) == ["p5"]
    assert _references(await _search_index(client, products, {"q": "shirt velvet"})) == []
    everything = await _search_index(client, products, {})
    assert _references(everything) == ["p1", "p2", "p3", "p4", "p5"]
    result = everything["results"][0]
    assert result["id"] == products and result["count"] == 5
    assert result["hits"][0] == {k: v for k, v in PRODUCTS[0].items()}
    assert everything["count"] == 5 and everything["q"] == "" and everything["offset"] == 0 and everything["limit"] == 10


async def test_filters_facets_and_paging(client):
    products = await _index(client, "products", PRODUCTS)
    acme = await _search_index(client, products, {"filters": [{"key": "brand", "operator": "in", "values": ["acme"]}]})
    assert _references(acme) == ["p1", "p3", "p4"]
    cheap = {"filters": [{"key": "price", "operator": "gte", "values": ["10"]}, {"key": "price", "operator": "lte", "values": ["45"]}]}
    assert _references(await _search_index(client, products, cheap)) == ["p1", "p2", "p3"]
    between = {"filters": [{"key": "price", "operator": "between", "values": ["20", "60"]}]}
    assert _references(await _search_index(client, products, between)) == ["p2", "p3", "p5"]
    not_acme = {"filters": [{"key": "brand", "operator": "not_in", "values": ["Acme", "Globex"]}]}
    assert _references(await _search_index(client, products, not_acme)) == ["p5"]
    white = {"filters": [{"key": "colour", "operator": "in", "values": ["white"]}], "facets": ["brand", "colour"]}
    answer = await _search_index(client, products, white)
    assert _references(answer) == ["p3", "p5"]
    assert answer["results"][0]["facets"] == [
        {"key": "brand", "buckets": [{"value": "Acme", "count": "1"}, {"value": "Initech", "count": "1"}]},
        {"key": "colour", "buckets": [{"value": "white", "count": "2"}, {"value": "blue", "count": "1"}]},
    ]
    response = await client.post(
        f"/afosto/cnt/instant/indexes/{products}/search", json={"q": "", "offset": 1, "limit": 2}, headers=AFOSTO
    )
    assert _references(response.json()) == ["p2", "p3"]
    assert response.json()["count"] == 5 and response.json()["results"][0]["count"] == 5
    assert response.headers["x-page-size"] == "2" and response.headers["x-count"] == "5"
    bad = await client.post(f"/afosto/cnt/instant/indexes/{products}/search",
                            json={"filters": [{"key": "price", "operator": "about", "values": ["1"]}]}, headers=AFOSTO)
    assert bad.status_code == 400 and bad.json()["errors"]["invalid value"] == ["filters[0].operator"]
    not_number = await client.post(f"/afosto/cnt/instant/indexes/{products}/search",
                                   json={"filters": [{"key": "price", "operator": "gte", "values": ["ten"]}]}, headers=AFOSTO)
    # The contract says which values each operator takes: the answer names the value that is no number.
    assert not_number.status_code == 400 and not_number.json()["errors"]["invalid value"] == ["filters[0].values[0]"]
    too_few = await client.post(f"/afosto/cnt/instant/indexes/{products}/search",
                                json={"filters": [{"key": "price", "operator": "between", "values": ["1"]}]}, headers=AFOSTO)
    assert too_few.status_code == 400 and too_few.json()["message"] == 'body field "filters[0].values" must hold at least 2 item(s)'


async def test_documents_upsert_by_reference_and_deleted_or_cleared_ones_are_gone(client):
    products = await _index(client, "products", PRODUCTS)
    path = f"/afosto/cnt/instant/indexes/{products}"
    await client.put(f"{path}/documents", json=[{"reference": "p1", "title": "Green Shirt"}, {"reference": "p9", "title": "Hat"}], headers=AFOSTO)
    before = await _search_index(client, products, {"q": "green"})
    assert _references(before) == []  # an update is applied in the background
    updates = (await client.get(f"{path}/updates", headers=AFOSTO)).json()
    assert [(u["updateId"], u["status"], u["type"]) for u in updates] == [
        (1, "processed", {"name": "DocumentsAddition", "number": 5}),
        (2, "enqueued", {"name": "DocumentsAddition", "number": 2}),
    ]
    await _run_jobs(client)
    found = await _search_index(client, products, {"q": "green"})
    assert found["results"][0]["hits"][0]["sub"] == "cotton"  # merged into the stored document
    assert (await client.get(f"{path}/updates/2", headers=AFOSTO)).json()["status"] == "processed"
    assert (await _search_index(client, products, {}))["count"] == 6

    assert (await client.post(f"{path}/documents/delete", json=["p1", "p2"], headers=AFOSTO)).status_code == 204
    await _run_jobs(client)
    assert _references(await _search_index(client, products, {"q": "shirt"})) == ["p3"]
    assert (await client.delete(f"{path}/documents", headers=AFOSTO)).status_code == 204
    await _run_jobs(client)
    assert (await _search_index(client, products, {}))["count"] == 0
    assert [u["type"]["name"] for u in (await client.get(f"{path}/updates", headers=AFOSTO)).json()][-2:] == [
        "DocumentsDeletion", "ClearAll"]
    missing = await client.put("/afosto/cnt/instant/indexes/nope/documents", json=PRODUCTS, headers=AFOSTO)
    assert missing.status_code == 404
    no_reference = await client.put(f"{path}/documents", json=[{"title": "x"}], headers=AFOSTO)
    assert no_reference.status_code == 400 and no_reference.json()["errors"]["required"] == ["[0].reference"]


async def test_settings_are_honoured(client):
    products = await _index(client, "products", PRODUCTS)
    path = f"/afosto/cnt/instant/indexes/{products}/settings"
    defaults = (await client.get(path, headers=AFOSTO)).json()
    assert defaults["search_fields"] == [] and defaults["filters"] == []
    settings = {
        "stop_words": ["the"], "synonyms": {"tee": ["shirt"]}, "filters": [{"type": "STRING", "key": "brand"}],
        "search_fields": ["title"], "facet_fields": ["brand"], "display_fields": ["title"],
    }
    assert (await client.post(path, params={"sync": "1"}, json=settings, headers=AFOSTO)).status_code == 204
    stored = (await client.get(path, headers=AFOSTO)).json()
    assert stored["search_fields"] == ["title"] and stored["filters"] == [{"type": "STRING", "key": "brand"}]
    assert _references(await _search_index(client, products, {"q": "the tee"})) == ["p1", "p2", "p3"]
    assert _references(await _search_index(client, products, {"q": "cotton"})) == []  # `sub` is not searched now
    hits = (await _search_index(client, products, {"q": "socks"}))["results"][0]["hits"]
    assert hits == [{"reference": "p4", "title": "Wool socks"}]
    refused = await client.post(f"/afosto/cnt/instant/indexes/{products}/search",
                                json={"filters": [{"key": "price", "operator": "gte", "values": ["1"]}]}, headers=AFOSTO)
    assert refused.status_code == 400 and "not filterable" in refused.json()["message"]
    faceted = await _search_index(client, products, {"facets": ["brand", "price"]})
    assert [facet["key"] for facet in faceted["results"][0]["facets"]] == ["brand"]
    assert (await client.delete(path, headers=AFOSTO)).status_code == 204
    await _run_jobs(client)
    assert _references(await _search_index(client, products, {"q": "cotton"})) == ["p1"]


async def test_proxies_keep_their_key_and_search_follows_them(client):
    products, pages = await _shop(client)
    proxy = await client.get("/afosto/cnt/instant/proxies/shop", headers=AFOSTO)
    assert proxy.status_code == 200 and proxy.json()["key"] == "shop"
    assert [entry["alias"] for entry in proxy.json()["indexes"]] == ["products", "pages"]
    response = await client.post("/afosto/cnt/instant/search/shop", json={"q": "shirt"})  # no token: public
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [(result["id"], result["count"]) for result in answer["results"]] == [(products, 3), (pages, 1)]
    assert answer["count"] == 4 and response.headers["x-count"] == "4"
    assert response.headers["access-control-allow-origin"] == "*"
    only_pages = (await client.post("/afosto/cnt/instant/search/shop", json={"q": "shirt", "indices": ["pages"]})).json()
    assert [result["id"] for result in only_pages["results"]] == [pages]
    unknown_alias = await client.post("/afosto/cnt/instant/search/shop", json={"indices": ["blog"]})
    assert unknown_alias.status_code == 400 and "products, pages" in unknown_alias.json()["message"]
    assert (await client.post("/afosto/cnt/instant/search/nope", json={})).status_code == 404
    taken = await client.post("/afosto/cnt/instant/proxies", json={"key": "shop", "indexes": []}, headers=OTHER)
    assert taken.status_code == 409 and "taken" in taken.json()["message"]
    again = await client.post("/afosto/cnt/instant/proxies", json={"key": "shop", "indexes": []}, headers=AFOSTO)
    assert again.status_code == 409
    spaced = await client.post("/afosto/cnt/instant/proxies", json={"key": "my shop", "indexes": []}, headers=AFOSTO)
    assert spaced.status_code == 400 and spaced.json()["errors"]["invalid value"] == ["key"]


async def test_the_javascript_clients_request_gets_the_answer_it_reads(client):
    await _shop(client)
    body = {"data": [
        {"facets": ["brand", "price"], "filters": [{"key": "brand", "operator": "in", "values": ["Acme"]},
                                                   {"key": "price", "operator": "gte", "values": ["10"]}],
         "indices": ["products"], "q": "shirt", "threshold": 1, "session_id": "s", "user_id": "u",
         "__queryID": "q-1", "limit": 1, "offset": 1},
        {"facets": [], "filters": [], "indices": ["pages"], "q": "shirt", "threshold": 1, "session_id": "s",
         "user_id": "u", "__queryID": "q-2", "limit": 10, "offset": None},
    ]}
    response = await client.post(
        "/afosto/cnt/instant/search/shop",
        content=json.dumps(body).encode(),
        headers={"Accept": VENDOR, "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == VENDOR
    answers = response.json()
    assert [answer["__queryID"] for answer in answers] == ["q-1", "q-2"]
    first = answers[0]["results"]
    assert len(first) == 1 and first[0]["id"] == "products"
    assert first[0]["count"] == 2 and [hit["reference"] for hit in first[0]["hits"]] == ["p3"]
    assert first[0]["hits"][0]["objectID"] == "p3"
    assert first[0]["facets"] == {"brand": {"Acme": 2}, "price": {"19": 1, "45": 1}}
    assert first[0]["facets_stats"] == {"price": {"min": 19, "max": 45, "avg": 32, "sum": 64}}
    second = answers[1]["results"]
    assert [(result["id"], result["count"], result["facets"], result["facets_stats"]) for result in second] == [("pages", 1, {}, {})]
    # The documented JSON answer stays for a JSON client; several queries need the vendor type.
    one = await client.post("/afosto/cnt/instant/search/shop", json={"data": body["data"][:1]})
    assert one.status_code == 200 and one.json()["count"] == 2
    several = await client.post("/afosto/cnt/instant/search/shop", json=body)
    assert several.status_code == 400 and VENDOR in several.json()["message"]
    not_json = await client.post("/afosto/cnt/instant/search/shop", content=b"data=1", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["message"]
    wrong = await client.post("/afosto/cnt/instant/search/shop", json={"data": [{"limit": "ten"}]}, headers={"Accept": VENDOR})
    assert wrong.status_code == 400 and wrong.json()["errors"]["invalid value"] == ["data[0].limit"]


async def test_accept_is_a_preference_the_answer_follows(client):
    products, _ = await _shop(client)
    search = f"/afosto/cnt/instant/indexes/{products}/search"
    for accept in ("*/*", "application/json", "application/*", "text/html, */*;q=0.8", "AAA",
                   f"{VENDOR};q=0, application/json", f"application/json, {VENDOR};q=0.5"):
        answer = await client.post(search, json={"q": "shirt"}, headers={**AFOSTO, "Accept": accept})
        assert answer.status_code == 200, (accept, answer.text)
        assert answer.headers["content-type"] == "application/json" and answer.json()["count"] == 3, accept
    for accept in (VENDOR, f"{VENDOR}, application/json;q=0.9", f"application/json;q=0.5, {VENDOR}"):
        answer = await client.post(search, json={"data": [{"q": "shirt"}]}, headers={**AFOSTO, "Accept": accept})
        assert answer.status_code == 200 and answer.headers["content-type"] == VENDOR, accept
        assert answer.json()[0]["results"][0]["count"] == 3


async def test_the_settings_call_names_the_aliases(client):
    products, pages = await _shop(client)
    response = await client.get("/afosto/cnt/instant/search/shop/settings")
    assert response.status_code == 200, response.text
    indexes = response.json()["data"]["indexes"]
    assert [(entry["alias"], entry["index_id"], entry["name"]) for entry in indexes] == [
        ("products", products, "products"), ("pages", pages, "pages")]
    assert (await client.get("/afosto/cnt/instant/search/nope/settings")).status_code == 404


async def test_a_proxy_names_only_indexes_of_its_own_account(client):
    foreign = await _index(client, "theirs", PAGES, headers=OTHER)
    refused = await client.post("/afosto/cnt/instant/proxies",
                                json={"key": "mine", "indexes": [{"index_id": foreign, "alias": "x"}]}, headers=AFOSTO)
    assert refused.status_code == 404 and refused.json()["errors"]["invalid value"] == ["indexes[0].index_id"]
    created = await client.post("/afosto/cnt/instant/proxies",
                                json={"key": "theirs", "indexes": [{"index_id": foreign, "alias": "x"}]}, headers=OTHER)
    assert created.status_code == 201
    found = (await client.post("/afosto/cnt/instant/search/theirs", json={"q": "returns"})).json()
    assert _references(found) == ["pg2"]  # the key names the other account, and only its data


def _strict_json(text: str):
    """JSON as the standard reads it: no Infinity or NaN."""
    def refuse(constant: str):
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


async def _vendor_search(client, index_id: str, query: dict) -> dict:
    response = await client.post(f"/afosto/cnt/instant/indexes/{index_id}/search", json={"data": [query]},
                                 headers={**AFOSTO, "Accept": VENDOR})
    assert response.status_code == 200, response.text
    (answer,) = _strict_json(response.text)
    (result,) = answer["results"]
    return result


BIG = 10**400  # an integer JSON holds exactly, far beyond a double


async def test_a_sum_beyond_a_double_is_answered_as_the_exact_integer(client):
    huge = [{"reference": f"h{number}", "filters": {"price": 1e308}} for number in (1, 2)]
    products = await _index(client, "huge", huge)
    result = await _vendor_search(client, products, {"facets": ["price"]})
    assert result["facets"] == {"price": {str(int(1e308)): 2}}
    stats = result["facets_stats"]["price"]
    assert stats["sum"] == 2 * int(1e308) and stats["min"] == stats["max"] == stats["avg"] == int(1e308)
    assert result["count"] == 2


async def test_big_integers_are_compared_summed_and_faceted_exactly(client):
    documents = [
        {"reference": "a", "filters": {"price": BIG}},
        {"reference": "b", "filters": {"price": BIG + 1}},
        {"reference": "c", "filters": {"price": 2.5}},
    ]
    products = await _index(client, "big", documents)
    above = {"filters": [{"key": "price", "operator": "gt", "values": [str(BIG)]}]}
    assert _references(await _search_index(client, products, above)) == ["b"]
    below_a_double = {"filters": [{"key": "price", "operator": "lt", "values": ["1e308"]}]}
    assert _references(await _search_index(client, products, below_a_double)) == ["c"]
    equal = {"filters": [{"key": "price", "operator": "eq", "values": [str(BIG + 1)]}]}
    assert _references(await _search_index(client, products, equal)) == ["b"]
    between = {"filters": [{"key": "price", "operator": "between", "values": ["2", str(BIG)]}]}
    assert _references(await _search_index(client, products, between)) == ["a", "c"]
    result = await _vendor_search(client, products, {"facets": ["price"]})
    assert result["facets"]["price"] == {str(BIG): 1, str(BIG + 1): 1, "2.5": 1}
    stats = result["facets_stats"]["price"]
    assert (stats["min"], stats["max"]) == (2.5, BIG + 1)
    # Beyond a double, the exact sum and average rounded to the nearest integer.
    exact_sum = 2 * BIG + 1 + Fraction(5, 2)
    assert isinstance(stats["sum"], int) and abs(stats["sum"] - exact_sum) <= Fraction(1, 2)
    assert isinstance(stats["avg"], int) and abs(stats["avg"] - exact_sum / 3) <= Fraction(1, 2)


async def test_numbers_in_search_conditions_read_as_json_numbers(client):
    products = await _index(client, "numbers", [{"reference": "x", "filters": {"price": 4}}, {"reference": "y", "filters": {"price": 4.5}}])
    as_float = {"filters": [{"key": "price", "operator": "eq", "values": ["4.0"]}]}
    assert _references(await _search_index(client, products, as_float)) == ["x"]  # 4.0 is the number 4
    beyond_a_double = {"filters": [{"key": "price", "operator": "lt", "values": ["1e400"]}]}
    assert _references(await _search_index(client, products, beyond_a_double)) == ["x", "y"]
    for bound in ("NaN", "Infinity", "0x10", "1_000", "\u0663"):  # no JSON number
        refused = await client.post(f"/afosto/cnt/instant/indexes/{products}/search",
                                    json={"filters": [{"key": "price", "operator": "gt", "values": [bound]}]}, headers=AFOSTO)
        assert refused.status_code == 400, (bound, refused.text)
        assert refused.json()["errors"]["invalid value"][0].startswith("filters[0]"), refused.text


def test_numbers_read_exactly_and_stats_stay_json():
    assert as_number(str(BIG)) == BIG and as_number("9" * 5000) == Decimal("9" * 5000)
    assert as_number("4.0") == 4 and as_number("1e400") == Decimal("1e400") > BIG // 10
    assert [as_number(text) for text in ("NaN", "inf", "1_0", "", "0x1", True, None)] == [None] * 7
    # A sum that passes beyond a double on its way is still exact.
    stats = number_stats([1e308, 1e308, -1e308])
    assert (stats["min"], stats["max"], stats["sum"]) == (-int(1e308), int(1e308), int(1e308))
    assert stats["avg"] == int(1e308 / 3)
    assert number_stats([19, 25]) == {"min": 19, "max": 25, "avg": 22, "sum": 44}
    assert number_stats([1, 2.5]) == {"min": 1, "max": 2.5, "avg": 1.75, "sum": 3.5}
    assert number_stats([BIG, 1.5])["sum"] == BIG + 2  # the exact BIG + 1.5, rounded to the nearest integer
