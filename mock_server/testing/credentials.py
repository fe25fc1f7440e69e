"""The demo accounts' credentials and the httpx client options that authenticate with them
the way each vendor documents it."""

from __future__ import annotations

from typing import Any, Generator

import httpx

from .errors import SandboxError

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "casavi": {"key": "demo-key", "secret": "demo-secret"},
    "afosto": {"token": "demo-afosto-token"},
    "relay": {"api_key": "demo-relay-key"},
    "messages": {"token": "demo-partner-token"},
}


class CasaviLogin(httpx.Auth):
    """casavi's login: `POST /authenticate {key, secret}` once, then the `token` header.

    A rejected token (expired, or forgotten by a reset) is replaced by a new login and
    the request sent once more. Requests that carry their own `token` header, and the
    authenticate calls themselves, go out as they are.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(self, base_url: str, key: str, secret: str) -> None:
        self.login_url = f"{base_url}/authenticate"
        self.credentials = {"key": key, "secret": secret}
        self.token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "token" in request.headers or request.url.path.rstrip("/").endswith(("/authenticate", "/authenticate/refresh")):
            yield request
            return
        fresh = self.token is None
        if fresh:
            self.token = yield from self._log_in()
        request.headers["token"] = self.token or ""
        response = yield request
        if response.status_code == 401 and not fresh:
            self.token = yield from self._log_in()
            request.headers["token"] = self.token
            yield request

    def _log_in(self) -> Generator[httpx.Request, httpx.Response, str]:
        response = yield httpx.Request("POST", self.login_url, json=self.credentials)
        if response.status_code != 200:
            raise SandboxError(f"casavi login as {self.credentials['key']!r} answered {response.status_code}: {response.text[:300]}")
        return response.json()["token"]


def client_options(api: str, base_url: str, credentials: dict[str, str] | None) -> dict[str, Any]:
    """httpx client arguments that authenticate as `credentials` (None: no credentials)."""
    options: dict[str, Any] = {"base_url": base_url}
    if credentials is None:
        return options
    expected = set(DEMO_CREDENTIALS[api])
    if set(credentials) != expected:
        raise TypeError(f"{api} credentials are {', '.join(sorted(expected))}; got {', '.join(sorted(credentials)) or 'none'}")
    if api == "casavi":
        options["auth"] = CasaviLogin(base_url, credentials["key"], credentials["secret"])
    elif api == "afosto":
        options["headers"] = {"Authorization": f"Bearer {credentials['token']}"}
    elif api == "relay":
        options["headers"] = {"Authorization": f"Bearer {credentials['api_key']}"}
    elif api == "messages":
        options["params"] = {"accessToken": credentials["token"]}
    return options
