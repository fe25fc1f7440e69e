"""The requests panel in Chromium against a real sandbox: live rows, the detail by
keyboard with credentials masked, filters in the address, hostile input shown as text."""

from __future__ import annotations

import json
import re
import time
import uuid

from playwright.sync_api import Page, expect

from tests.browser.inspector import AFOSTO, Running, open_inspector

# What the spec allows between a call and its row in an open inspector.
LIVE_WITHIN_S = 1.0


def test_a_call_shows_within_one_second_and_its_detail_opens_by_keyboard_with_credentials_masked(page: Page, server: Running):
    open_inspector(page, server.url, "#requests")
    probe = f"/cat/channels/{uuid.uuid4()}"
    called_at = time.monotonic()
    assert server.client.get(f"/afosto{probe}", headers=AFOSTO).status_code == 404
    row = page.locator("tbody tr", has_text=probe)
    row.wait_for()
    assert time.monotonic() - called_at < LIVE_WITHIN_S
    sequence = row.get_attribute("data-sequence")
    expect(row).to_contain_text("404 Not Found")
    expect(row).to_contain_text("afosto")

    page.locator("#filter-note").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('tbody tr') !== null"):
            break
    else:
        raise AssertionError("no row of the table is reached with Tab")
    assert page.evaluate("document.activeElement.closest('tr').dataset.sequence") == sequence
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text(f"Request {sequence}")
    expect(page).to_have_url(f"{server.url}/__admin/ui#requests/{sequence}")
    expect(page.get_by_role("row", name="authorization Bearer ***")).to_be_visible()
    assert "demo-afosto-token" not in page.content()
    expect(page.locator("main")).to_contain_text(probe)


def test_filters_narrow_the_list_and_survive_a_reload(page: Page, server: Running):
    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200
    assert server.client.get("/afosto/cat/channels/no-such-channel", headers=AFOSTO).status_code == 404
    assert server.client.get("/relay/orders", headers={"Authorization": "Bearer demo-relay-key"}).status_code == 200
    open_inspector(page, server.url, "#requests")
    expect(page.locator("tbody tr")).to_have_count(3)

    page.select_option("#filter-api", "afosto")
    page.fill("#filter-status", "404")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("location.hash.includes('api=afosto') && location.hash.includes('status=404')")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("/cat/channels/no-such-channel")

    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    # The badge shows the connection; the live region says it to screen readers only.
    expect(page.locator("#live-region")).to_have_text("Live")
    expect(page.locator("#live-region")).to_have_class(re.compile(r"\bvisually-hidden\b"))
    expect(page.locator("#filter-api")).to_have_value("afosto")
    expect(page.locator("#filter-status")).to_have_value("404")
    expect(page.locator("tbody tr")).to_have_count(1)
    # A call the filters leave out stays out of the live list; one they let in comes.
    assert server.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200
    assert server.client.get("/afosto/cat/channels/another-missing-one", headers=AFOSTO).status_code == 404
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("another-missing-one")
    assert page.locator("tbody tr td:nth-child(6)").all_text_contents() == ["404 Not Found"] * 2


HOSTILE_PATH = "/afosto/<img src=x onerror=\"alert('path');window.__owned=1\">"
HOSTILE_QUERY = "q=<script>alert('query');window.__owned=1</script>"
HOSTILE_HEADER = "<b onmouseover=alert(1)>bold</b>"
HOSTILE_NAME = "<script>alert('body');window.__owned=1</script><img src=x onerror=\"window.__owned=1\">"


def _detail(page: Page, sequence: int) -> None:
    page.locator(f'tr[data-sequence="{sequence}"] a').first.press("Enter")
    expect(page.locator("h1")).to_have_text(f"Request {sequence}")
    expect(page.get_by_role("heading", name="Response body")).to_be_visible()


def _nothing_ran(page: Page) -> None:
    assert page.locator("main img, main script, main b").count() == 0
    page.wait_for_timeout(300)  # an image's error handler or a script would have run by now
    assert page.evaluate("window.__owned") is None


def test_a_hostile_path_query_header_and_body_stay_inert_text(page: Page, server: Running):
    open_inspector(page, server.url, "#requests")
    server.client.get(f"{HOSTILE_PATH}?{HOSTILE_QUERY}", headers={**AFOSTO, "X-Probe": HOSTILE_HEADER})
    probe = server.latest()
    created = server.client.post("/afosto/cat/channels", json={"name": HOSTILE_NAME}, headers=AFOSTO)
    assert created.status_code in (200, 201), created.text
    stored = server.latest()

    row = page.locator(f'tr[data-sequence="{probe}"]')
    expect(row).to_contain_text("<img src=x onerror=\"alert('path');window.__owned=1\">")
    expect(page.locator(f'tr[data-sequence="{stored}"]')).to_contain_text("/cat/channels")
    _nothing_ran(page)

    _detail(page, probe)
    main = page.locator("main")
    expect(main).to_contain_text("<script>alert('query');window.__owned=1</script>")
    expect(main).to_contain_text(HOSTILE_HEADER)
    _nothing_ran(page)

    page.get_by_role("link", name="← All requests").click()
    _detail(page, stored)
    expect(page.get_by_role("region", name="Request body")).to_contain_text(json.dumps(HOSTILE_NAME))
    expect(page.get_by_role("region", name="Response body")).to_contain_text(json.dumps(HOSTILE_NAME))
    _nothing_ran(page)
