"""What every API's error answer looks like, for tests that send hostile input."""

from __future__ import annotations

from typing import Any

import httpx

UUID_LENGTH = 36


def assert_api_error(api: str, response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """The answer is a 4xx (or ``status``) in the API's documented or inferred error shape."""
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text)
    else:
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    if api == "afosto":
        assert set(body) == {"code", "message", "reference", "errors"}, body
        assert body["code"] == response.status_code and len(body["reference"]) == UUID_LENGTH
        assert set(body["errors"]) == {"invalid value", "required"}, body
    elif api == "messages":
        assert set(body) == {"error"} and isinstance(body["error"]["message"], str), body
    elif api in ("casavi", "relay"):
        assert set(body) == {"statusCode", "error", "message"}, body
        assert body["statusCode"] == response.status_code, body
    else:
        raise AssertionError(f"unknown API {api}")
    return body


def message_of(body: dict[str, Any]) -> str:
    """The human-readable message of any API's error body."""
    message = body["error"]["message"] if isinstance(body.get("error"), dict) else body["message"]
    return " ".join(message) if isinstance(message, list) else message
