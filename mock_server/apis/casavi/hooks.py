"""casavi REST hook subscriptions: `POST /hooks` and `DELETE /hooks/{hookId}`.

A subscription is stored in the account's `/hooks` collection (`{id, eventName,
hookUrl}`), so it is per account, exported with the state and forgotten on reset. The
generic behaviour creates it (an integer id, a `Location` header naming the URL that
deletes it) and deletes it (404 for an unknown or another account's hook); this module
only checks the URL first (the contract says https; a server that allows http serves a
contract that says so). Deliveries are made by `events.py`.
"""

from __future__ import annotations

from typing import Any

from ...engine import jsonio
from ...engine.background.delivery_urls import delivery_url_problem
from ...engine.behaviour.generic import generic_handler
from ...engine.errors import ApiError, Problem
from ...engine.http.requests import IncomingRequest
from ...engine.vendor import Call, Reply
from .collection_paths import HOOKS


def hook_url_problem(url: str, allow_http: bool) -> str | None:
    """Why ``url`` cannot receive hook calls, or None when it can (the engine's check of a
    URL that can be delivered to, with https only unless the server allows http)."""
    if not allow_http and isinstance(url, str) and url[:7].lower() == "http://":
        return (
            "must be an https URL; to receive hooks over plain http (a local receiver), start the server "
            "with --allow-http-hooks or MOCK_SERVER_ALLOW_HTTP_HOOKS=1"
        )
    problem = delivery_url_problem(url, ("https", "http") if allow_http else ("https",))
    return f"{problem}, e.g. https://example.com/casavi-hooks" if problem is not None else None


def allow_http_hook_urls(document: dict[str, Any]) -> None:
    """The served contract's hook URL takes http:// as well (`--allow-http-hooks`)."""
    schema = document["paths"][HOOKS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    hook_url = schema["properties"]["hookUrl"]
    pattern = hook_url.get("pattern", "")
    if pattern.startswith("^https://"):
        hook_url["pattern"] = "^https?://" + pattern.removeprefix("^https://")
    else:
        hook_url.pop("pattern", None)


def refuse_unusable_hook_url(incoming: IncomingRequest, allow_http: bool) -> None:
    """Checked before the contract: a URL that cannot receive hooks gets the module's
    explanation (how to allow http), which says more than the contract's pattern."""
    try:
        body = jsonio.loads(incoming.body)
    except ValueError:
        return
    url = body.get("hookUrl") if isinstance(body, dict) else None
    problem = hook_url_problem(url, allow_http) if isinstance(url, str) else None
    if problem is not None:
        raise ApiError(400, problems=[Problem("body", ("hookUrl",), "invalid", problem)])


def create_hook(call: Call) -> Reply:
    """Subscribe a URL to one event; only https URLs unless the server allows http."""
    problem = hook_url_problem(str(call.body.get("hookUrl", "")), call.vendor.settings.allow_http_hooks)
    if problem is not None:
        raise ApiError(400, problems=[Problem("body", ("hookUrl",), "invalid", problem)])
    return generic_handler(call)
