"""The URLs webhooks are delivered to: the one check of whether a URL can be delivered to,
and the credentials a URL carries, sent as a Basic `Authorization` header instead."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote, urlsplit, urlunsplit

DELIVERY_SCHEMES = ("http", "https")
MAX_PORT = 65535
_USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
# What a delivery URL may not hold, as a regular-expression character range read alike by
# Python, JSON Schema's dialects and the HTTP clients: control characters (C0, DEL, C1)
# and every kind of space, spelled out (`\s` differs between regex dialects).
URL_REFUSED_CHARACTERS = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_REFUSED_CHARACTER = re.compile(f"[{URL_REFUSED_CHARACTERS}]")


def delivery_url_problem(url: str, schemes: tuple[str, ...] = DELIVERY_SCHEMES) -> str | None:
    """Why a webhook cannot be delivered to ``url``, or None when it can: an absolute URL
    with one of ``schemes``, a host, a port from 1 to 65535 where it names one, and no
    spaces or control characters."""
    if not isinstance(url, str) or not url or _REFUSED_CHARACTER.search(url):
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in schemes:
        return "must be an absolute " + " or ".join(f"{scheme}://" for scheme in schemes) + " URL"
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return f"must name a port from 1 to {MAX_PORT} after the host (or none)"
    if not host:
        return "must name a host"
    if port == 0:
        return f"must name a port from 1 to {MAX_PORT} after the host (or none)"
    return None


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`https://user:pass@host/x` -> (`https://host/x`, (user, pass)); raises ValueError for a
    URL that `delivery_url_problem` refuses for its host or port."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, (unquote(parts.username or ""), unquote(parts.password or ""))


def without_user_info(url: str) -> str:
    """The URL without anything before an `@` in its authority, read as text (for showing a
    URL that cannot be parsed without showing its credentials)."""
    return _USER_INFO.sub(r"\1", url)


def basic_authorization(credentials: tuple[str, str]) -> str:
    """The `Authorization` header value of a user and password: `Basic <base64>`."""
    token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
    return f"Basic {token}"
