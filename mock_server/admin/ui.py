"""`/__admin/ui`: the inspector, a page that shows what the sandbox knows as it happens.

Its files are package data (`mock_server/admin/inspector/`: HTML, CSS and JavaScript
modules, no build step, nothing fetched from elsewhere), served as they are with a strict
Content-Security-Policy. Only files inside that folder are served, and only the kinds it
holds. The page and its files hold no data: the guard serves them without the admin token
(a browser cannot send one when it opens a page) but with its host check; everything the
page shows it reads from the admin API, which needs the token.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import Response

from .errors import AdminError

FOLDER = "inspector"
INDEX = "index.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def page(request: Request) -> Response:
    """GET: the inspector's page."""
    return _file_answer((INDEX,))


async def asset(request: Request) -> Response:
    """GET: one of the page's files (`app.js`, `panels/requests.js`, `inspector.css`, ...)."""
    name = request.path_params["asset"]
    if name == "":
        return _file_answer((INDEX,))
    return _file_answer(tuple(name.split("/")))


def _file_answer(segments: tuple[str, ...]) -> Response:
    content = _read(segments)
    if content is None:
        raise AdminError(404, f"the inspector has no file {'/'.join(segments)!r}")
    content_type = CONTENT_TYPES[_suffix(segments[-1])]
    return Response(content, headers={**PAGE_HEADERS, "Content-Type": content_type})


@lru_cache(maxsize=64)
def _read(segments: tuple[str, ...]) -> bytes | None:
    """A file of the inspector's folder, or None: only plain names (no `..`, no hidden
    files, no separators inside a name) of the kinds served, that are files there."""
    if not segments or any(not _plain(segment) for segment in segments):
        return None
    if _suffix(segments[-1]) not in CONTENT_TYPES:
        return None
    found: Traversable = files(__package__).joinpath(FOLDER, *segments)
    return found.read_bytes() if found.is_file() else None


def _plain(segment: str) -> bool:
    return bool(segment) and not segment.startswith(".") and not any(mark in segment for mark in ("\\", "\0", ":"))


def _suffix(name: str) -> str:
    return name[name.rfind("."):].lower() if "." in name else ""
