"""The validating proxy's inspector in Chromium: `mock-server proxy` in front of a real
sandbox shows the requests, the coverage and the drift from the contract."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.inspector import Running, open_inspector, proxy, sandbox, serious_accessibility_violations, settled, show_route


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with sandbox(["--api", "casavi"], tmp_path_factory.mktemp("upstream")) as running:
        yield running


@pytest.fixture(scope="module")
def proxied(upstream: Running, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with proxy("casavi", upstream.url, tmp_path_factory.mktemp("proxy")) as running:
        client = running.client
        token = client.post("/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()["token"]
        assert client.get("/contacts", headers={"token": token}).status_code == 200
        client.get("/tickets", headers={"token": token}, params={"page": "first"})  # page is an integer: drift
        yield running


def test_the_proxy_page_offers_its_panels_only(page: Page, proxied: Running):
    open_inspector(page, proxied.url, "")
    links = page.get_by_role("navigation", name="Panels").get_by_role("link")
    expect(links).to_have_text(["Requests", "Coverage", "Drift"])


def test_the_proxy_page_shows_requests_coverage_and_drift(page: Page, proxied: Running):
    journal = proxied.client.get("/__admin/requests").json()["requests"]
    open_inspector(page, proxied.url, "#requests")
    expect(page.locator("tbody tr")).to_have_count(len(journal))
    tickets = page.locator("tbody tr", has_text="/tickets")
    expect(tickets).to_contain_text("getListOfTickets")
    expect(tickets.get_by_role("link", name="drift (1)")).to_be_visible()

    page.get_by_role("link", name="Coverage").click()
    expect(page.locator("h1")).to_have_text("Coverage")
    summary = page.get_by_role("table", name="Coverage per API").get_by_role("row").filter(has_text="casavi")
    operations = proxied.client.get("/__admin/coverage").json()["casavi"]["operations"]
    expect(summary).to_contain_text(f"3 of {operations}")

    tickets_link = page.get_by_role("link", name="Drift")
    tickets_link.click()
    expect(page.locator("h1")).to_have_text("Drift")
    section = page.locator("section", has=page.get_by_role("heading", name="GET /tickets"))
    difference = section.get_by_role("row").filter(has_text="query.page")
    expect(difference).to_contain_text("request")
    expect(difference).to_contain_text("wrong type")
    expect(difference).to_contain_text("integer")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_the_proxy_panels(page: Page, proxied: Running, scheme: str):
    page.emulate_media(color_scheme=scheme)
    sequence = proxied.latest()
    found = {}
    open_inspector(page, proxied.url, "#requests")
    views = [("#requests", "Requests", "/tickets"), (f"#requests/{sequence}", f"Request {sequence}", "Response body"),
             ("#coverage", "Coverage", "getListOfTickets"), ("#drift", "Drift", "wrong type")]
    for route, title, shown in views:
        show_route(page, route)
        expect(page.locator("main h1")).to_have_text(title)
        expect(page.locator("main")).to_contain_text(shown)
        settled(page)
        found[route] = serious_accessibility_violations(page)
    assert {route: problems for route, problems in found.items() if problems} == {}
