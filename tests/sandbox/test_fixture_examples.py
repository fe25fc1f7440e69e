"""The example fixtures load, and their objects read back through the APIs."""

from __future__ import annotations

from pathlib import Path

from tests.http_sandbox import AFOSTO, RELAY, casavi_headers, sandbox_client

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


async def test_examples_load_at_start_up():
    async with sandbox_client(fixtures=sorted(EXAMPLES.glob("*.yaml")), no_demo_data=True) as client:
        headers = await casavi_headers(client)
        units = (await client.get("/casavi/properties/P-00451/units", headers=headers)).json()
        assert units["rows"][0]["contracts"][0]["contactIds"] == ["C-0000312"]
        assert (await client.get("/casavi/tickets/20131", headers=headers)).json()["title"] == "Broken water pipe"
        assert [c["name"] for c in (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()] == ["Webshop"]
        assert (await client.get("/relay/orders/301", headers=RELAY)).json()["fields"][0]["name"] == "floor"
        messages = await client.get("/messages/api/v3/case-messages", params={
            "accessToken": "demo-provider-token", "guid": "6f1d0c3e-2b4a-4d5e-9f80-1a2b3c4d5e6f"})
        assert messages.status_code == 200 and messages.json() == []
        # The next order gets the number after the loaded ones.
        created = await client.post("/relay/orders", files=[("order", (None, '{"title": "x"}', "application/json"))], headers=RELAY)
        assert created.json()["id"] == 302
