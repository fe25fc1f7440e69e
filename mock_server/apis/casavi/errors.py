"""casavi's error shape (inferred: the document prints none)."""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError, reason


class CasaviErrorShape:
    """`{statusCode, error, message}`."""

    def render(self, error: ApiError, reference: str) -> Any:
        return {"statusCode": error.status, "error": reason(error.status), "message": error.message}
