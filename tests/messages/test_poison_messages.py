"""Case messages, poison then trigger: hostile values in every field the module's code
reads (a message's texts, its parent, when it was declared; the ids a confirmation
names), then the code that reads them driven: the case's message list for both of its
accounts, the confirmation, and the state export. See poison.py for what every answer is
held to."""

from __future__ import annotations

from typing import Any

from tests.http_sandbox import GUID, sandbox_client
from tests.poison import HOSTILE, Watch

CREATE = "/messages/api/v3/case-messages/create?accessToken=demo-partner-token"
CONFIRM = "/messages/api/v3/case-messages/confirm?accessToken=demo-provider-token"
LISTS = [f"/messages/api/v3/case-messages?accessToken={token}&guid={GUID}" for token in ("demo-partner-token", "demo-provider-token")]
TEXTS = ("content", "externalId", "userEmail", "userName")


def _message(**fields: Any) -> dict[str, Any]:
    return {"guid": GUID, "type": "serviceComment", "content": "Hello", **fields}


async def test_messages_with_any_values_are_listed_and_confirmed(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "messages"):
            first = (await watch.post(CREATE, json=_message())).json()["id"]
            for body in (*(_message(**{name: value}) for name in TEXTS), _message(parentMessageId=value),
                         _message(declaredAt=value), _message(type=value), {**_message(), "guid": value}):
                await watch.post(CREATE, json=body)
            # The parent and the confirmation name the first message by the same JSON number written as a float.
            reply = await watch.post(CREATE, json=_message(parentMessageId=float(first)))
            if reply.status_code != 200:
                watch.problem(f"a reply to message {first} naming it as {float(first)} was refused: {reply.text[:160]}")
            confirmed = (await watch.post(CONFIRM, json=[float(first)])).json()
            if any(error.get("id") == first for error in confirmed.get("errors", [])):
                watch.problem(f"confirming message {first} as {float(first)} answered {confirmed['errors']}")
            await watch.post(CONFIRM, json=[value])
            await watch.post(CONFIRM, json=[first + 1, value])
            for url in LISTS:
                listed = (await watch.get(url)).json()
                shown = next((message for message in listed if message.get("id") == first), {}) if isinstance(listed, list) else {}
                if shown.get("confirmedAt") is None:
                    watch.problem(f"message {first} is not confirmed after its confirmation (list: {str(shown)[:160]})")
        watch.assert_clean()
