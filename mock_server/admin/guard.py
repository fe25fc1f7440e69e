"""Which requests the admin API answers.

The admin API reads every credential and can replace the whole state, and a sandbox
usually runs next to a developer's browser. A web page can send requests to
127.0.0.1 but cannot choose their `Host` and `Origin` headers nor, without asking
first, their content type. So:

- with an admin token, a request needs `Authorization: Bearer <token>`;
- without one, a request must be addressed to a loopback name (`localhost`,
  `127.0.0.1`, `[::1]`), to the configured host or to an IP address (the sandbox's own
  on a network, from a container or another machine): a page that rebinds its own name
  to the sandbox's address still sends its own name (DNS rebinding), and no page can
  make a name of an address;
- a write (any method but GET and HEAD) from another origin is refused, and a write
  that carries a body must declare it as JSON or YAML, which a page cannot do without
  a CORS preflight the sandbox never grants.

`GET /health` stays open (container health checks); the contracts are public documents
and skip the host check. The inspector's page and its files (`GET /ui`, `/ui/...`) hold
no data and a browser cannot send a token when it opens a page: they skip the token but
keep the host check, whether or not a token is set.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

READS = frozenset({"GET", "HEAD"})
DOCUMENT_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
# Addresses that bind every interface: they name no host a request could be addressed to.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


@dataclass(frozen=True)
class AdminRefusal:
    """Why an admin request is not answered."""

    status: int
    message: str


def check_admin_request(
    scope: dict[str, Any], path: str, admin_token: str | None, configured_host: str
) -> AdminRefusal | None:
    """None when the request may reach the admin API, else the refusal to answer with.

    ``path`` is the path below `/__admin` (`/health`, `/state`, ...).
    """
    method = scope["method"].upper()
    if path == "/health" and method in READS:
        return None
    headers = _headers(scope)
    if (path == "/ui" or path.startswith("/ui/")) and method in READS:
        return _foreign_host(headers, configured_host, "the inspector is served to requests")
    if admin_token is not None:
        if not bearer_matches(headers.get(b"authorization"), admin_token):
            return AdminRefusal(401, "the admin API needs 'Authorization: Bearer <admin token>'")
    elif not (path.startswith("/contracts/") and method in READS):
        refusal = _foreign_host(headers, configured_host, "the admin API answers requests")
        if refusal is not None:
            return AdminRefusal(refusal.status, refusal.message + "; set --admin-token to reach it under other names")
    if method in READS:
        return None
    origin = headers.get(b"origin")
    if origin is not None and not _same_origin(origin, headers.get(b"host"), scope.get("scheme", "http")):
        return AdminRefusal(403, f"the admin API refuses writes from another origin ({origin.decode('latin-1')})")
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
    if content_type:
        if not (content_type in DOCUMENT_TYPES or content_type.endswith(("+json", "+yaml"))):
            return AdminRefusal(415, f"send admin documents as application/json or application/yaml, not {content_type}")
    elif _announces_body(headers):
        return AdminRefusal(415, "a body sent to the admin API needs Content-Type application/json or application/yaml")
    return None


def _foreign_host(headers: dict[bytes, bytes], configured_host: str, what: str) -> AdminRefusal | None:
    """The refusal of a request addressed to a name other than a loopback one or the
    configured host (a page that rebound its own name to this server), else None."""
    host = _host_name(headers.get(b"host"))
    configured = _host_name(configured_host.encode())
    if host is None or is_loopback(host) or _is_address(host):
        return None
    if host != configured or configured in WILDCARD_HOSTS:
        return AdminRefusal(
            403, f"{what} addressed to localhost, an IP address or {configured_host} only (this one names {host!r})"
        )
    return None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """`localhost`, `*.localhost`, 127.0.0.0/8 and ::1."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _headers(scope: dict[str, Any]) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope["headers"]}


def bearer_matches(value: bytes | None, token: str) -> bool:
    """Whether an `Authorization` header value is `Bearer <token>`: compared in constant
    time, on bytes, so any header value compares without error."""
    if value is None:
        return False
    scheme, _, given = value.strip().partition(b" ")
    return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), token.encode("utf-8"))


def _host_name(value: bytes | None) -> str | None:
    """The name a Host header addresses, without port, lower-case (`[::1]:8080` -> `::1`)."""
    if value is None:
        return None
    text = value.decode("latin-1").strip().lower().rstrip(".")
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    if text.count(":") == 1:
        text = text.split(":")[0]
    return text


def _same_origin(origin: bytes, host: bytes | None, scheme: str) -> bool:
    if host is None:
        return False
    own = f"{scheme}://{host.decode('latin-1').strip().lower()}"
    given = origin.decode("latin-1").strip().lower()
    return given == own or given in (own.removesuffix(":80"), own.removesuffix(":443"))


def _announces_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    return (length is not None and length.strip() not in (b"", b"0")) or b"transfer-encoding" in headers
