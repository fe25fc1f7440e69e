"""The documentation's examples of scripted answers do what their pages say, beyond
running (the documentation test runs them as written): the retry example's client really
retries and gives up when the failures outlast its attempts, and the scenario file's
rules load in order and act."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import yaml

from tests.http_sandbox import AFOSTO, sandbox_client

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _block(page: str, heading: str, language: str, index: int = 0) -> str:
    """The ``index``th code block in ``language`` under a heading of a documentation page."""
    text = (DOCS / page).read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[: section.find("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)[index]


async def test_the_retry_example_passes_and_its_client_really_retries(async_sandbox):
    namespace: dict = {}
    exec(compile(_block("pytest-plugin.md", "## Async tests", "python"), "docs/pytest-plugin.md", "exec"), namespace)
    await namespace["test_order_creation_survives_two_503s"](async_sandbox)
    # The example's client code gives up when the failures outlast its attempts.
    await async_sandbox.reset()
    await async_sandbox.override(api="afosto", method="POST", path="/odr/orders", times=3, response={"status": 503})
    try:
        await namespace["create_order"](async_sandbox.afosto, {"type": "order"})
    except httpx.HTTPStatusError as error:
        assert error.response.status_code == 503
    else:
        raise AssertionError("three 503s should exhaust three attempts")
    assert [call["status"] for call in await async_sandbox.requests(operation="createOrder")] == [503, 503, 503]


async def test_the_scenario_file_with_rules_loads():
    document = yaml.safe_load(_block("contract-testing.md", "## Scripted answers and faults", "yaml"))
    async with sandbox_client() as client:
        answer = await client.post("/__admin/fixtures", json=document)
        assert answer.status_code == 200, answer.text
        rules = (await client.get("/__admin/overrides")).json()["overrides"]
        assert [rule.get("fault") or rule.get("operation") or rule["path"] for rule in rules] == ["/odr/orders", "listChannels", "drop"]
        assert (await client.post("/afosto/odr/orders", headers=AFOSTO, json={})).status_code == 503
