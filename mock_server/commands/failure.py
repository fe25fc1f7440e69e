"""How a subcommand reports a problem that stops it."""

from __future__ import annotations

import sys


def fail(problem: object, status: int = 2) -> int:
    """Report a problem that stops the command as one line on stderr; returns ``status``."""
    print(f"mock-server: {' '.join(str(problem).split())}", file=sys.stderr)
    return status
