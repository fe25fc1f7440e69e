"""The inspector is as safe as the admin API: a page of another origin can neither read
nor write it (with and without an admin token, and under a rebound DNS name), nor frame
it; the token travels in the fragment and leaves the address bar."""

from __future__ import annotations

import json
import secrets
import time
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.browser.conftest import REBOUND_HOST
from tests.browser.inspector import AFOSTO, Running, sandbox, serious_accessibility_violations
from tests.live import live_server

TOKEN = secrets.token_urlsafe(16)
RULE = {"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 404}}


async def _elsewhere(request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><html lang='en'><title>Another site</title><p>another site</p></html>")


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    """A plain page on another port of 127.0.0.1: another origin, as any web page is."""
    with live_server(Starlette(routes=[Route("/", _elsewhere)])) as url:
        yield url


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with sandbox([], tmp_path_factory.mktemp("token"), token=TOKEN) as running:
        yield running


# Run in the other origin's page: each read and write a hostile page could try, and
# what came of it ("refused" when the browser kept the answer from the page).
ATTEMPTS = """
async ([admin, token, rule]) => {
  const outcome = async (request) => {
    try {
      const answer = await request();
      if (answer.type === 'opaque') return 'sent blind';
      return `read ${answer.status}: ${(await answer.text()).slice(0, 80)}`;
    } catch (error) {
      return 'refused';
    }
  };
  const bearer = token ? {Authorization: `Bearer ${token}`} : {};
  return {
    readJournal: await outcome(() => fetch(`${admin}/requests`, {headers: bearer})),
    readState: await outcome(() => fetch(`${admin}/state`)),
    readStream: await outcome(() => fetch(`${admin}/events`, {headers: bearer})),
    readPage: await outcome(() => fetch(`${admin}/ui`)),
    addRuleAsJson: await outcome(() => fetch(`${admin}/overrides`, {method: 'POST', headers: {'Content-Type': 'application/json', ...bearer}, body: JSON.stringify(rule)})),
    addRuleBlind: await outcome(() => fetch(`${admin}/overrides`, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: JSON.stringify(rule)})),
    resetBlind: await outcome(() => fetch(`${admin}/reset`, {method: 'POST', mode: 'no-cors'})),
    clearJournalBlind: await outcome(() => fetch(`${admin}/requests`, {method: 'DELETE', mode: 'no-cors'})),
    clearRules: await outcome(() => fetch(`${admin}/overrides`, {method: 'DELETE', headers: bearer})),
  };
}
"""


def _attack(page: Page, other_origin: str, target: Running, token: str | None) -> dict[str, str]:
    page.goto(other_origin)
    expect(page.locator("p")).to_have_text("another site")
    return page.evaluate(ATTEMPTS, [f"{target.url}/__admin", token, RULE])


def _plant(target: Running) -> str:
    """A rule and a journal entry the attack must leave where they are; the rule's id."""
    target.reset()
    added = target.client.post("/__admin/overrides", json={**RULE, "path": "/cat/channels/kept"})
    assert added.status_code == 201, added.text
    assert target.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200
    return added.json()["id"]


def _untouched(target: Running, rule: str) -> None:
    rules = target.client.get("/__admin/overrides").json()["overrides"]
    assert [kept["id"] for kept in rules] == [rule]
    assert target.client.get("/__admin/requests").json()["count"] >= 1


@pytest.mark.parametrize("mode", ["no token", "admin token"])
def test_a_page_of_another_origin_can_neither_read_nor_write(page: Page, other_origin: str, server: Running, guarded: Running, mode: str):
    target = guarded if mode == "admin token" else server
    rule = _plant(target)
    # Even a page that somehow knew the token gets nothing: the preflight is never granted.
    outcomes = _attack(page, other_origin, target, TOKEN if mode == "admin token" else None)
    assert {name: result for name, result in outcomes.items() if result not in ("refused", "sent blind")} == {}
    assert outcomes["readJournal"] == outcomes["readState"] == outcomes["readStream"] == "refused"
    assert outcomes["addRuleAsJson"] == outcomes["clearRules"] == "refused"
    _untouched(target, rule)


def test_the_inspector_cannot_be_framed_by_another_origin(page: Page, page_problems: list[str], other_origin: str, server: Running):
    page.goto(other_origin)
    page.evaluate("url => { const frame = document.createElement('iframe'); frame.src = url; document.body.append(frame); }", f"{server.url}/__admin/ui")
    page.wait_for_function("() => document.querySelector('iframe') !== null")
    deadline = time.monotonic() + 15
    while not any("frame-ancestors" in problem for problem in page_problems) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    refused = [problem for problem in page_problems if "frame-ancestors 'none'" in problem]
    assert refused, page_problems
    page_problems.clear()  # the refusal is what this test wants
    framed = [frame for frame in page.frames if frame is not page.main_frame]
    assert framed and all(frame.locator("#connection").count() == 0 for frame in framed)
    answer = server.client.get("/__admin/ui")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_rebound_dns_name_gets_no_data(page: Page, server: Running):
    rule = _plant(server)
    port = server.url.rsplit(":", 1)[1]
    page.goto(f"http://{REBOUND_HOST}:{port}/")  # any page the rebound site serves from the sandbox's port
    outcomes = page.evaluate(
        """async (rule) => ({
          journal: (await fetch('/__admin/requests')).status,
          events: (await fetch('/__admin/events')).status,
          addRule: (await fetch('/__admin/overrides', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(rule)})).status,
          reset: (await fetch('/__admin/reset', {method: 'POST'})).status,
        })""",
        RULE,
    )
    assert outcomes == {"journal": 403, "events": 403, "addRule": 403, "reset": 403}
    _untouched(server, rule)


def test_token_mode_takes_the_token_from_the_fragment_and_out_of_the_address_bar(page: Page, guarded: Running):
    guarded.reset()
    page.goto(f"{guarded.url}/__admin/ui#requests")
    expect(page.locator("#admin-token")).to_be_visible()
    expect(page.locator("#connection")).not_to_have_attribute("data-state", "live")
    assert serious_accessibility_violations(page) == []

    page.goto(f"{guarded.url}/__admin/ui#token={TOKEN}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert TOKEN not in page.url
    assert page.evaluate("sessionStorage.getItem('mock-server-inspector-token')") == TOKEN
    assert TOKEN not in json.dumps(page.evaluate("[location.href, document.referrer, history.length && history.state]"))

    page.goto(f"{guarded.url}/__admin/ui#requests")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert guarded.client.get("/afosto/cat/channels", headers=AFOSTO).status_code == 200
    expect(page.locator("tbody tr", has_text="/cat/channels")).to_have_count(1)
    assert TOKEN not in page.url
