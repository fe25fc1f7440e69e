"""Reading a running sandbox's (or proxy's) admin API from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from ..admin.front import ADMIN_PREFIX


class CommandError(Exception):
    """A command cannot do its work; the message says why (exit status 2)."""


def add_connection_flags(parser: argparse.ArgumentParser, what: str = "sandbox") -> None:
    """`--url` and `--admin-token`."""
    parser.add_argument(
        "--url", metavar="URL", default="http://127.0.0.1:8080",
        help=f"base URL of the running {what} (default http://127.0.0.1:8080)",
    )
    parser.add_argument("--admin-token", metavar="TOKEN", help="bearer token, when the admin API is protected")


def fetch_json(url: str, call: str, params: dict[str, str] | None = None, token: str | None = None) -> Any:
    """GET `URL/__admin/<call>` as JSON; CommandError when it cannot be read."""
    import httpx  # only here: `mock-server serve` should not pay for loading it at start-up

    address = url.rstrip("/") + ADMIN_PREFIX + call
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(address, params=params, headers=headers, timeout=30)
    except httpx.HTTPError as error:
        raise CommandError(f"cannot reach {address}: {error}") from None
    if response.status_code != 200:
        detail = response.text[:300]
        raise CommandError(f"{address} answered {response.status_code}: {detail}")
    try:
        return response.json()
    except ValueError:
        raise CommandError(f"{address} did not answer JSON") from None


def table(headers: list[str], rows: list[list[Any]], indent: str = "") -> str:
    """Rows in aligned columns under a header line."""
    texts = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in texts) for column in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in texts]
    return "\n".join(indent + line for line in lines)
