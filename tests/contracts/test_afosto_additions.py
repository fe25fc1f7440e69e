"""What the committed Afosto contract holds beyond the document, for the sandbox's rules:
conflicts where a rule refuses a request, the instant-search media type and text body,
public proxy search and the settings call its client makes, and the values its rules
accept where the document prints only a type."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis
import pytest
import yaml

from mock_server.apis.afosto.conflicts import conflict_routes
from mock_server.apis.afosto.criteria import ALIASES, OPERATORS
from mock_server.apis.afosto.webhooks import event_names
from mock_server.contracts.afosto_additions import WEBHOOK_URL
from mock_server.contracts.urls import delivery_url_pattern
from mock_server.engine.background.delivery_urls import delivery_url_problem

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


def test_accept_on_search_is_a_preference_not_a_closed_list(paths):
    for path in ("/cnt/instant/search/{id}", "/cnt/instant/indexes/{id}/search"):
        (accept,) = [p for p in paths[path]["post"]["parameters"] if p["name"] == "Accept"]
        assert accept["schema"] == {"type": "string", "default": "application/json", "x-inferred": True}
        assert VENDOR in accept["description"]


def test_proxy_search_is_public_and_takes_the_clients_text_body(paths):
    search = paths["/cnt/instant/search/{id}"]["post"]
    assert search["security"] == []
    text = search["requestBody"]["content"]["text/plain"]["schema"]
    assert text["properties"]["data"]["items"]["properties"]["__queryID"] == {"type": "string"}
    assert text["properties"]["data"]["items"]["properties"]["offset"] == {"type": "integer", "nullable": True, "minimum": 0}
    settings = paths["/cnt/instant/search/{id}/settings"]["get"]
    assert settings["operationId"] == "getProxySearchSettings" and settings["security"] == [] and settings["x-inferred"] is True
    assert settings["responses"]["200"]["content"]["application/json"]["schema"]["required"] == ["data"]


def _json_schema(paths: dict, method: str, path: str) -> dict:
    return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]


def test_conditions_name_a_known_operator_with_the_values_it_takes(paths):
    for method, path, field, values in (
        ("post", "/rel/contacts", "constraints", "value"),
        ("post", "/cnt/instant/indexes/{id}/search", "filters", "values"),
        ("post", "/cnt/instant/search/{id}", "filters", "values"),
    ):
        condition = _json_schema(paths, method, path)["properties"][field]["items"]
        assert condition["x-inferred"] is True
        assert set(condition["properties"]["operator"]["enum"]) == {*OPERATORS, *ALIASES}
        forms = {tuple(form["properties"]["operator"]["enum"]): form for form in condition["anyOf"]}
        between = next(form for operators, form in forms.items() if "between" in operators)["properties"][values]
        assert (between["minItems"], between["maxItems"]) == (2, 2) and "pattern" in between["items"]
        # Only the first form, the open one the operator defaults to, may leave the operator out.
        first = condition["anyOf"][0]
        assert "in" in first["properties"]["operator"]["enum"] and "operator" not in first["required"]
        assert all("operator" in form["required"] for form in condition["anyOf"][1:])
    text = paths["/cnt/instant/search/{id}"]["post"]["requestBody"]["content"]["text/plain"]["schema"]
    assert text["properties"]["data"]["items"]["properties"]["filters"]["items"]["anyOf"]


def test_webhook_subscriptions_take_the_catalogues_events_and_a_url(paths):
    creation = paths["/mes/webhooks/subscriptions"]["post"]
    schema = creation["requestBody"]["content"]["application/json"]["schema"]
    assert creation["requestBody"]["required"] is True and schema["required"] == ["events", "endpoint"]
    assert schema["properties"]["events"]["items"]["enum"] == event_names() and schema["properties"]["events"]["minItems"] == 1
    assert schema["properties"]["endpoint"]["pattern"] == WEBHOOK_URL
    assert change_endpoint(paths)["pattern"] == WEBHOOK_URL
    change = _json_schema(paths, "put", "/mes/webhooks/subscriptions/{id}")
    assert "required" not in change and change["properties"]["events"]["items"]["enum"] == event_names()
    trigger = _json_schema(paths, "post", "/mes/webhooks/subscriptions/{id}/trigger")
    assert trigger["required"] == ["event"] and trigger["properties"]["event"]["enum"] == event_names()


def change_endpoint(paths) -> dict:
    return _json_schema(paths, "put", "/mes/webhooks/subscriptions/{id}")["properties"]["endpoint"]


@pytest.mark.parametrize("https_only", [False, True])
def test_every_endpoint_the_contracts_take_can_be_delivered_to(https_only):
    # The same pattern describes Afosto's endpoints and casavi's hook URLs.
    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(hypothesis.strategies.from_regex(delivery_url_pattern(https_only), fullmatch=True))
    def deliverable(url):
        assert delivery_url_problem(url, ("https",) if https_only else ("http", "https")) is None

    deliverable()


# Spaces and control characters as Python (the check), JSON Schema's regex dialects and the
# HTTP clients see them: each is refused by the check and by the pattern alike.
REFUSED_CHARACTERS = ["\x00", "\t", "\x1c", " ", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\u1680", "\u2007",
                      "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"]


@pytest.mark.parametrize("https_only", [False, True])
@pytest.mark.parametrize("character", REFUSED_CHARACTERS)
def test_the_pattern_and_the_check_refuse_the_same_characters(https_only, character):
    pattern = re.compile(delivery_url_pattern(https_only))
    schemes = ("https",) if https_only else ("http", "https")
    for url in (f"https://example.com/a{character}b", f"https://example.com:8080?q={character}", f"https://u{character}:p@example.com/"):
        assert delivery_url_problem(url, schemes) is not None, repr(url)
        assert pattern.fullmatch(url) is None, repr(url)
    assert delivery_url_problem("https://example.com/caf\u00e9", schemes) is None
    assert pattern.fullmatch("https://example.com/caf\u00e9")


@pytest.mark.parametrize("url", ["http://u:p@example.invalid:abc/hook", "http://example.com:[x", "http://h:0/x", "http://h:65536"])
def test_the_endpoint_pattern_refuses_urls_that_cannot_be_delivered_to(url):
    assert delivery_url_problem(url) is not None and re.fullmatch(WEBHOOK_URL, url) is None


def test_import_mapping_entries_name_their_column(paths):
    for method, path in (("post", "/cnt/batches"), ("put", "/cnt/batches/{id}")):
        entry = _json_schema(paths, method, path)["properties"]["import"]["properties"]["mapping"]["items"]
        assert entry["required"] == ["column"] and "integer" in entry["properties"]["type"]["enum"]
