"""What the committed Afosto contract holds beyond the document, for the sandbox's rules:
conflicts where a rule refuses a request, the instant-search media type and text body,
public proxy search and the settings call its client makes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mock_server.apis.afosto.conflicts import conflict_routes

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "afosto.yaml"
VENDOR = "application/vnd.instantsearch+json"


@pytest.fixture(scope="module")
def paths() -> dict:
    return yaml.load(CONTRACT.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["paths"]


def test_conflicts_are_documented_where_a_rule_refuses_a_request(paths):
    routes = [(method.upper(), path) for path, item in paths.items() for method in item if method != "parameters"]
    rules = conflict_routes(routes)
    assert ("PUT", "/cnt/batches/{id}/confirm") in rules and ("DELETE", "/spl/hubs/{id}") in rules
    for method, path in rules:
        response = paths[path][method.lower()]["responses"]["409"]
        assert response["x-inferred"] is True and response["description"].startswith("Conflict: ")


def test_both_search_operations_answer_the_instant_search_media_type(paths):
    for path in ("/cnt/instant/search/{id}", "/cnt/instant/indexes/{id}/search"):
        content = paths[path]["post"]["responses"]["200"]["content"]
        assert list(content) == ["application/json", VENDOR]
        answer = content[VENDOR]["schema"]["items"]["properties"]
        assert set(answer) == {"__queryID", "results"}
        assert set(answer["results"]["items"]["properties"]) == {"id", "count", "hits", "facets", "facets_stats"}


def test_proxy_search_is_public_and_takes_the_clients_text_body(paths):
    search = paths["/cnt/instant/search/{id}"]["post"]
    assert search["security"] == []
    text = search["requestBody"]["content"]["text/plain"]["schema"]
    assert text["properties"]["data"]["items"]["properties"]["__queryID"] == {"type": "string"}
    assert text["properties"]["data"]["items"]["properties"]["offset"] == {"type": "integer", "nullable": True}
    settings = paths["/cnt/instant/search/{id}/settings"]["get"]
    assert settings["operationId"] == "getProxySearchSettings" and settings["security"] == [] and settings["x-inferred"] is True
    assert settings["responses"]["200"]["content"]["application/json"]["schema"]["required"] == ["data"]
