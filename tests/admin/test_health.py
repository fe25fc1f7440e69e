"""`GET /__admin/health` as the inspector reads it: server, panels, version, settings."""

from __future__ import annotations

from mock_server import __version__

from .conftest import admin_client

TOKEN = "sekret-admin-token"


async def test_health_names_the_server_its_panels_version_and_settings():
    async with admin_client(seed=7, job_delay=0.5, chaos=0.25) as client:
        answer = (await client.get("/__admin/health")).json()
    assert answer["server"] == "sandbox"
    assert answer["panels"] == ["overview", "requests", "state", "tasks", "webhooks", "coverage", "overrides"]
    assert answer["version"] == __version__  # the package's own, whatever the distribution is named
    assert answer["settings"] == {
        "seed": 7, "jobDelay": 0.5, "webhookTimeout": 5.0, "webhookAttempts": 4, "chaos": 0.25,
        "frozenTime": "2026-01-02T03:04:05.678Z", "adminToken": False, "allowHttpHooks": False, "tokenTtl": 3600,
    }
    assert set(answer["apis"]) == {"casavi", "afosto", "relay", "messages"}


async def test_with_a_token_health_stays_open_but_shows_settings_only_to_the_token():
    async with admin_client(admin_token=TOKEN) as client:
        open_answer = await client.get("/__admin/health")
        wrong = await client.get("/__admin/health", headers={"Authorization": "Bearer nope"})
        allowed = await client.get("/__admin/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert open_answer.status_code == 200 and "settings" not in open_answer.json()
    assert open_answer.json()["panels"][0] == "overview"
    assert "settings" not in wrong.json()
    assert allowed.json()["settings"]["adminToken"] is True
    assert TOKEN not in allowed.text
