"""Afosto's documented error model."""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError


class AfostoErrorShape:
    """`{code, message, reference, errors: {"invalid value": [...], "required": [...]}}`."""

    def render(self, error: ApiError, reference: str) -> Any:
        required = [problem.field for problem in error.problems if problem.kind == "required"]
        invalid = [problem.field for problem in error.problems if problem.kind != "required"]
        return {
            "code": error.status,
            "message": error.message,
            "reference": reference,
            "errors": {"invalid value": invalid, "required": required},
        }
