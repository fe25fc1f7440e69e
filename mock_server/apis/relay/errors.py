"""Relay's error shape (inferred: the document prints none)."""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError, reason


class RelayErrorShape:
    """`{statusCode, message, error}`; validation problems list one message each."""

    def render(self, error: ApiError, reference: str) -> Any:
        message: Any = [problem.describe() for problem in error.problems] if error.problems else error.message
        return {"statusCode": error.status, "message": message, "error": reason(error.status)}
