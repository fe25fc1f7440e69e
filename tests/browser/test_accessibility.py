"""axe-core on every panel of the inspector, filled with data (calls, stored objects, a
task, a delivery with two attempts, a rule), in light and dark colour schemes: no
serious or critical violation. The proxy's panels are checked in test_proxy_page.py."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.inspector import AFOSTO, Running, open_inspector, serious_accessibility_violations, settled, show_route
from tests.receiver import Receiver


@pytest.fixture(scope="module")
def filled(shared: Running) -> Iterator[dict]:
    """A sandbox with something on every panel; the ids the routes name."""
    server = shared
    server.reset()
    with Receiver(statuses=[500, 200]) as receiver:
        client = server.client
        headers = server.casavi_headers()
        assert client.post("/casavi/tickets", json={"id": "T-AXE", "title": "<b>Checked</b>", "propertyId": "P-00001"}, headers=headers).status_code in (200, 201)
        job = client.post("/casavi/import", json={"contacts": [{"id": "C-AXE", "lastName": "Axe"}]}, headers=headers).json()["jobId"]
        assert client.post("/__admin/overrides", json={"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 404}}).status_code == 201
        client.post("/afosto/mes/webhooks/subscriptions", json={"events": ["order.created"], "endpoint": f"{receiver.url}/hooks"}, headers=AFOSTO)
        client.post("/afosto/odr/orders", json={"number": "AXE-1"}, headers=AFOSTO)
        client.get("/afosto/cat/channels", headers=AFOSTO)
        receiver.wait_for(2)
        assert client.post("/__admin/jobs/run").status_code == 200
        (delivery,) = client.get("/__admin/webhooks").json()["deliveries"]
        yield {"server": server, "delivery": delivery["id"], "job": job, "request": server.latest()}


# Each view, its heading, and a text it shows once its data came.
VIEWS = [
    ("#overview", "Overview", "Served APIs"),
    ("#requests", "Requests", "/cat/channels"),
    ("#requests/{request}", "Request {request}", "Response body"),
    ("#state", "State", "/tickets"),
    ("#state/casavi", "State of casavi", "/tickets"),
    ("#state/casavi/demo/tickets", "Collection /tickets", "T-AXE"),
    ("#state/casavi/demo/tickets?key=T-AXE", "Object T-AXE", "<b>Checked</b>"),
    ("#tasks", "Tasks", "{job}"),
    ("#webhooks", "Webhooks", "order.created"),
    ("#webhooks/{delivery}", "Webhook delivery", "2 attempts, oldest first"),
    # Every operation of the smallest API, and afosto's called ones: the full list of 619
    # operations is the same table, longer (axe takes seconds over it).
    ("#coverage?api=messages", "Coverage", "(every operation)"),
    ("#coverage?api=afosto&show=called", "Coverage", "listChannels"),
    ("#overrides", "Overrides", "Override rules in evaluation order (1)"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violation_on_any_panel(page: Page, filled: dict, scheme: str):
    server: Running = filled["server"]
    page.emulate_media(color_scheme=scheme)
    found: dict[str, list[str]] = {}
    open_inspector(page, server.url, "#overview")
    for route, title, shown in VIEWS:
        show_route(page, route.format(**filled))
        expect(page.locator("main h1")).to_have_text(title.format(**filled))
        expect(page.locator("main")).to_contain_text(shown.format(**filled))
        settled(page)
        found[route] = serious_accessibility_violations(page)
    assert {route: problems for route, problems in found.items() if problems} == {}


def test_no_serious_violation_with_a_confirm_dialog_open_or_a_refused_rule(page: Page, filled: dict):
    server: Running = filled["server"]
    open_inspector(page, server.url, "#overrides")
    settled(page)
    page.get_by_role("button", name="Clear all rules…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert server.client.get("/__admin/overrides").json()["count"] == 1  # Escape cancels

    page.fill("#rule-json", "{not json")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rule-error")).not_to_be_empty()
    assert serious_accessibility_violations(page) == []
