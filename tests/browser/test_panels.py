"""The inspector's panels in Chromium against a real sandbox: override rules, webhook
deliveries and their attempts, background tasks, stored state and coverage, each
changed through the API or the page and seen on the other side."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.inspector import AFOSTO, Running, open_inspector
from tests.receiver import Receiver


def fired(page: Page, rule: str):
    return page.locator(f'tr[data-rule="{rule}"] td:nth-child(6)')


def test_an_override_added_on_the_page_fires_and_removing_it_removes_it_from_the_api(page: Page, server: Running):
    open_inspector(page, server.url, "#overrides")
    rule_text = {"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 404}}
    page.fill("#rule-json", json.dumps(rule_text))
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator("tr[data-rule]")).to_have_count(1)
    (rule,) = server.client.get("/__admin/overrides").json()["overrides"]
    assert (rule["method"], rule["path"], rule["fired"]) == ("GET", "/cat/channels", 0)
    expect(fired(page, rule["id"])).to_have_text("0")

    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 404
    expect(fired(page, rule["id"])).to_have_text("1")
    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 404
    expect(fired(page, rule["id"])).to_have_text("2")

    page.get_by_role("button", name=f"Remove rule {rule['id']}").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove the rule").click()
    expect(page.locator(f'tr[data-rule="{rule["id"]}"]')).to_have_count(0)
    assert server.client.get(f"/__admin/overrides/{rule['id']}").status_code == 404
    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200


def test_a_rule_the_server_refuses_shows_its_own_message(page: Page, server: Running):
    open_inspector(page, server.url, "#overrides")
    page.fill("#rule-json", json.dumps({"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 418}}))
    page.get_by_role("button", name="Add rule").click()
    refused = server.client.post("/__admin/overrides", json={"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 418}})
    assert refused.status_code == 400
    expect(page.locator("#rule-error")).to_contain_text(refused.json()["error"])
    expect(page.locator("#rule-json")).to_have_attribute("aria-invalid", "true")
    assert server.client.get("/__admin/overrides").json()["count"] == 0


def test_a_webhook_answered_500_then_200_shows_both_attempts_and_send_again_adds_one(page: Page, server: Running):
    with Receiver(statuses=[500, 200]) as receiver:
        open_inspector(page, server.url, "#webhooks")
        subscribed = server.client.post(
            "/afosto/mes/webhooks/subscriptions", json={"events": ["order.created"], "endpoint": f"{receiver.url}/hooks"}, headers=AFOSTO
        )
        assert subscribed.status_code == 200, subscribed.text
        assert server.client.post("/afosto/odr/orders", json={"number": "B-1"}, headers=AFOSTO).status_code in (200, 201)

        row = page.locator("tr[data-id]")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-status", "delivered")
        expect(row.locator("td").nth(4)).to_have_text("2")  # attempts
        expect(row).to_contain_text("order.created")
        expect(row).to_contain_text("200 OK")
        assert [request.path for request in receiver.wait_for(2)] == ["/hooks", "/hooks"]

        row.get_by_role("link").press("Enter")
        attempts = page.get_by_role("table", name="2 attempts, oldest first")
        expect(attempts.locator("tbody tr")).to_have_count(2)
        expect(attempts.locator("tbody tr").nth(0)).to_contain_text("500 Internal Server Error")
        expect(attempts.locator("tbody tr").nth(1)).to_contain_text("200 OK")
        expect(page.locator("main dl")).to_contain_text("delivered")

        page.get_by_role("button", name="Send again").click()
        receiver.wait_for(3)
        after = page.get_by_role("table", name="3 attempts, oldest first")
        expect(after.locator("tbody tr")).to_have_count(3)
        expect(after.locator("tbody tr").nth(2)).to_contain_text("200 OK")
        (delivery,) = server.client.get("/__admin/webhooks").json()["deliveries"]
        assert [attempt["statusCode"] for attempt in delivery["attempts"]] == [500, 200, 200]


def _progress(page: Page, task: str) -> float:
    return float(page.locator(f'tr[data-task="{task}"] progress').evaluate("element => element.value"))


def test_a_casavi_import_shows_its_progress_moving_and_finish_all_now_completes_it(page: Page, server: Running):
    open_inspector(page, server.url, "#tasks")
    contacts = [{"id": f"C-B{number}", "lastName": f"Browser {number}"} for number in range(12)]
    answer = server.client.post("/casavi/import", json={"contacts": contacts}, headers=server.casavi_headers())
    assert answer.status_code == 200, answer.text
    task = f"casavi {answer.json()['jobId']}"
    row = page.locator(f'tr[data-task="{task}"]')
    expect(row).to_be_visible()

    page.wait_for_function(
        "selector => { const bar = document.querySelector(selector); return bar && bar.value > 0 && bar.value < 1; }",
        arg=f'tr[data-task="{task}"] progress',
    )
    first = _progress(page, task)
    page.wait_for_function(  # a later step, still short of the end
        "([selector, before]) => { const bar = document.querySelector(selector); return bar && bar.value > before && bar.value < 1; }",
        arg=[f'tr[data-task="{task}"] progress', first],
    )
    expect(row).to_have_attribute("data-status", "running")

    page.get_by_role("button", name="Finish all now").click()
    expect(page.locator("#live-region")).to_contain_text("Background work finished")
    expect(page.locator("#live-region")).not_to_have_class(re.compile(r"\bvisually-hidden\b"))  # what an action did shows
    expect(row).to_have_attribute("data-status", "completed")
    expect(row).to_contain_text("completed")
    assert _progress(page, task) == 1
    (listed,) = server.client.get("/__admin/tasks").json()["tasks"]
    assert listed["status"] == "completed" and listed["progress"] == 1


def test_a_ticket_created_through_the_api_appears_in_its_collection_and_goes_when_deleted(page: Page, server: Running):
    headers = server.casavi_headers()
    open_inspector(page, server.url, "#state/casavi/demo/tickets")
    expect(page.locator("h1")).to_have_text("Collection /tickets")
    created = server.client.post(
        "/casavi/tickets", json={"id": "T-BROWSER", "title": "Seen in the browser", "propertyId": "P-00001"}, headers=headers
    )
    assert created.status_code in (200, 201), created.text
    row = page.locator('tr[data-key="T-BROWSER"]')
    expect(row).to_contain_text("Seen in the browser")
    expect(row).to_contain_text("created by api")

    assert server.client.delete("/casavi/tickets/T-BROWSER", headers=headers).status_code in (200, 204)
    expect(row).to_contain_text("deleted by api")
    expect(row).to_have_count(0)
    page.reload()
    expect(page.locator("h1")).to_have_text("Collection /tickets")
    expect(page.locator("main table")).to_be_visible()
    expect(page.locator('tr[data-key="T-BROWSER"]')).to_have_count(0)


def test_calling_a_never_called_operation_changes_coverage(page: Page, server: Running):
    report = server.client.get("/__admin/coverage").json()["afosto"]
    operation = next(
        name for name, seen in report["byOperation"].items() if seen["method"] == "GET" and seen["path"] == "/cat/channels"
    )
    assert operation in report["neverCalled"]
    open_inspector(page, server.url, "#coverage?api=afosto&show=never")
    summary = page.get_by_role("table", name="Coverage per API").get_by_role("row").filter(has_text="afosto")
    expect(summary).to_contain_text(f"0 of {report['operations']}")
    never = page.locator("section", has=page.locator("#coverage-afosto"))
    expect(never.get_by_role("link", name=f"Requests of {operation}", exact=True)).to_be_visible()

    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200
    expect(summary).to_contain_text(f"1 of {report['operations']}")
    expect(never.get_by_role("link", name=f"Requests of {operation}", exact=True)).to_have_count(0)
    page.select_option("#coverage-show", "called")
    called = never.get_by_role("row").filter(has=page.get_by_role("link", name=f"Requests of {operation}", exact=True))
    expect(called).to_contain_text("200 ×1")
