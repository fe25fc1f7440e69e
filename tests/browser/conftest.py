"""Browser tests of the inspector (`/__admin/ui`): Debian's Chromium driven by Playwright
against real `mock-server serve` and `mock-server proxy` processes on 127.0.0.1.

The folder skips, saying why, where Playwright is not installed or no Chromium is found.
`MOCK_SERVER_CHROMIUM` names the browser to use; otherwise the first of `chromium`,
`chromium-browser`, `google-chrome` and `google-chrome-stable` on the PATH. Playwright
never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from tests.browser.inspector import Running

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A name that resolves to 127.0.0.1 inside the browser only: a page served under it stands
# for a site whose DNS name was rebound to the sandbox's address.
REBOUND_HOST = "rebound.test"


def find_chromium() -> str | None:
    """The Chromium to drive: MOCK_SERVER_CHROMIUM, else one found on the PATH."""
    configured = os.environ.get("MOCK_SERVER_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:
    CHROMIUM = None
    NO_BROWSER = "Playwright is not installed: pip install -e '.[test,browser]'"
else:
    CHROMIUM = find_chromium()
    NO_BROWSER = (
        None if CHROMIUM else "no Chromium found (apt-get install -y chromium, or set MOCK_SERVER_CHROMIUM to a Chromium binary)"
    )
    # Waits are generous (a busy machine); the one timing the spec sets is asserted where it is tested.
    WAIT_MS = 15_000
    expect.set_options(timeout=WAIT_MS)


class _WithoutBrowser(pytest.Module):
    """A test module of this folder where no browser can run: skipped, saying why, unimported."""

    def collect(self):
        pytest.skip(NO_BROWSER)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if NO_BROWSER and module_path.name.startswith("test_"):
        return _WithoutBrowser.from_parent(parent, path=module_path)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests start servers in subprocesses: they are `slow` (CI runs them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests; each test gets its own context (no shared
    storage). Playwright's synchronous API runs an event loop in this thread while it is
    open, so it ends with this folder's tests: the tests after them run their own loops."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--host-resolver-rules=MAP {REBOUND_HOST} 127.0.0.1",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page_problems() -> list[str]:
    """What went wrong in the test's page: uncaught errors, CSP refusals, native dialogs.
    A test that provokes one on purpose takes it out of this list."""
    return []


@pytest.fixture
def page(browser: Browser, page_problems: list[str]) -> Iterator[Page]:
    """A fresh tab; the test fails if the page throws, the CSP refuses something or a
    native dialog (alert, confirm) opens."""
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    opened.on("pageerror", lambda error: page_problems.append(f"uncaught: {error}"))
    opened.on(
        "console",
        lambda message: page_problems.append(f"console: {message.text}")
        if message.type == "error" and "Content Security Policy" in message.text
        else None,
    )
    opened.on("dialog", lambda dialog: page_problems.append(f"a native dialog opened: {dialog.message}") or dialog.dismiss())
    yield opened
    context.close()
    assert not page_problems, page_problems


@pytest.fixture(scope="package")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One `mock-server serve` for the modules that reset it before each test: background
    steps take JOB_DELAY_S each (progress can be watched), http webhook URLs are taken."""
    from tests.browser.inspector import JOB_DELAY_S, sandbox

    arguments = ["--job-delay", str(JOB_DELAY_S), "--allow-http-hooks"]
    with sandbox(arguments, tmp_path_factory.mktemp("shared-sandbox")) as running:
        yield running


@pytest.fixture
def server(shared: Running) -> Running:
    """The shared sandbox, reset first: each test starts from what a new one shows."""
    shared.reset()
    return shared
