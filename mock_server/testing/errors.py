"""What the test helpers raise when the sandbox does not do what they asked."""

from __future__ import annotations


class SandboxError(RuntimeError):
    """The sandbox did not do what a test helper asked (an admin call failed, it did not start)."""
