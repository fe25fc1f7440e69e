"""Shared fixtures: where the vendor documents and the committed contracts are."""

from __future__ import annotations

import os
from pathlib import Path

# Loaded before pytester's inline runs, which unload the modules first loaded inside them:
# a second httpcore loaded later raises errors the first httpx no longer recognises.
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest
import yaml

# pytester runs small downstream projects that use the sandbox's pytest plugin;
# tests.http_sandbox gives every test the `client` fixture (the sandbox behind httpx).
pytest_plugins = ["pytester", "tests.http_sandbox"]

REPO = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = REPO / "contracts"


def _docs_dir() -> Path:
    configured = os.environ.get("MOCK_SERVER_DOCS")
    return Path(configured) if configured else REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def docs_dir() -> Path:
    """The vendor documents; tests that read them skip where they are not present."""
    path = _docs_dir()
    if not path.is_dir():
        pytest.skip(f"vendor documents not found at {path} (set MOCK_SERVER_DOCS)")
    return path


@pytest.fixture(scope="session")
def documents(docs_dir: Path) -> dict[str, str]:
    from mock_server.contracts import identify_documents

    return identify_documents(docs_dir)


@pytest.fixture(scope="session")
def committed() -> dict[str, dict]:
    """The committed contracts, parsed."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {
        name: yaml.load((CONTRACTS_DIR / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)
        for name in ("casavi", "afosto", "relay", "messages")
    }


def operations_of(document: dict) -> dict[tuple[str, str], dict]:
    """(METHOD, path) -> operation object."""
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    }


@pytest.fixture(autouse=True)
def _webhooks_stay_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests deliver webhooks to receivers on 127.0.0.1 only: a delivery to any other host
    (a URL a test or schemathesis made up) is recorded as refused and never sent."""
    from urllib.parse import urlsplit

    from mock_server.engine.background.outbox import WebhookClient

    send = WebhookClient.post

    async def loopback_only(self, url: str, body: bytes, headers: dict, timeout: float):
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            return None, None, f"not sent: the test suite delivers to this machine only, not to {host!r}"
        return await send(self, url, body, headers, timeout)

    monkeypatch.setattr(WebhookClient, "post", loopback_only)
