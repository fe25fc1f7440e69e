"""The README's examples of scripted answers run as written."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.http_sandbox import AFOSTO, sandbox_client

README = Path(__file__).resolve().parents[2] / "README.md"


def _block(heading: str, language: str, index: int = 0) -> str:
    """The ``index``th code block in ``language`` under a README heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[: section.find("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)[index]


async def test_the_retry_example_passes_and_its_client_really_retries():
    namespace: dict = {}
    exec(compile(_block("### A retry test against scripted 503s", "python"), "README.md", "exec"), namespace)
    await namespace["test_order_creation_survives_two_503s"]()
    # The example's client code gives up when the failures outlast its attempts.
    async with sandbox_client() as client:
        rule = {"api": "afosto", "method": "POST", "path": "/odr/orders", "times": 3, "response": {"status": 503}}
        await client.post("/__admin/overrides", json=rule)
        try:
            await namespace["create_order"](client, {"type": "order"})
        except namespace["httpx"].HTTPStatusError as error:
            assert error.response.status_code == 503
        else:
            raise AssertionError("three 503s should exhaust three attempts")


async def test_the_fixture_example_with_rules_loads():
    document = yaml.safe_load(_block("### A retry test against scripted 503s", "yaml"))
    async with sandbox_client() as client:
        answer = await client.post("/__admin/fixtures", json=document)
        assert answer.status_code == 200, answer.text
        rules = (await client.get("/__admin/overrides")).json()["overrides"]
        assert [rule.get("fault") or rule.get("operation") or rule["path"] for rule in rules] == ["/odr/orders", "listChannels", "drop"]
        assert (await client.post("/afosto/odr/orders", headers=AFOSTO, json={})).status_code == 503
