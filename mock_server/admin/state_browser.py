"""Browsing stored state without exporting all of it: `GET /__admin/state/<api>` (accounts
and their collections with counts), `GET /__admin/state/<api>/<account>/<collection
path>` (one collection's objects, paged) and `?key=` (one object). Reads only: looking
makes no demo data.

Each segment of the path is percent-decoded on its own, so an identifier holding a `/`
(sent as `%2F`) names one segment. Credentials in stored objects are masked as the
request journal masks them, unless `reveal=1` asks for them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..engine.state.store import AccountData, Collection, concrete_path
from ..engine.tools.journal import MASK, SECRET_HEADERS
from ..engine.vendor import ServedApi
from ..sandbox import Sandbox
from .errors import AdminError

PAGE = 50
LONGEST_PAGE = 500
# Field names whose values are credentials in any API (besides each API's own secret names).
CREDENTIAL_ENDINGS = ("secret", "password", "token", "apikey", "api_key", "credentials")
_PARAMETER = re.compile(r"{[^}]+}")
_USER_INFO = re.compile(r"^([a-z][a-z0-9+.-]*://[^/@:]*:)([^/@]*)@", re.IGNORECASE)
REVEAL = {"1": True, "true": True, "0": False, "false": False}


async def api_state(request: Request) -> JSONResponse:
    """GET: the API's accounts, each with its collections (template, concrete path, count)."""
    name, served = _api(request, request.path_params["api"])
    store = served.runtime.store
    accounts = []
    for account in served.runtime.accounts:
        data = store.accounts.get(account)
        collections = [] if data is None else [
            {"template": template, "path": concrete_path(template, parents), "count": len(collection)}
            for (template, parents), collection in data.collections.items()
        ]
        accounts.append({"name": account, "collections": collections})
    return JSONResponse({"api": name, "accounts": accounts})


async def collection_state(request: Request) -> JSONResponse:
    """GET: one collection's objects (`offset`, `limit`), or one object (`key`)."""
    api, account, segments = _segments(request)
    name, served = _api(request, api)
    data = served.runtime.store.accounts.get(account)
    if account not in served.runtime.accounts or data is None:
        raise AdminError(404, f"{name} has no account {account!r} with stored data")
    path, collection = _collection(data, segments)
    params = request.query_params
    reveal = _reveal(params.get("reveal"))
    shown = {"api": name, "account": account, "collection": path}
    key = params.get("key")
    if key is not None:
        found = collection.get(key)
        if found is None:
            raise AdminError(404, f"{path} of {account} holds no object {key!r}")
        return JSONResponse({**shown, "key": key, "object": _shown(found, served, reveal)})
    offset = _whole_number(params.get("offset"), "offset", 0)
    limit = min(_whole_number(params.get("limit"), "limit", PAGE), LONGEST_PAGE)
    if limit == 0:
        raise AdminError(400, "limit must be 1 or more")
    keys = collection.keys()[offset : offset + limit]
    objects = [{"key": key, "object": _shown(collection.get(key), served, reveal)} for key in keys]
    return JSONResponse({**shown, "count": len(collection), "offset": offset, "limit": limit, "objects": objects})


def _api(request: Request, name: str) -> tuple[str, ServedApi]:
    sandbox: Sandbox = request.app.state.sandbox
    served = sandbox.apis.get(name)
    if served is None:
        raise AdminError(404, f"unknown API {name!r}; served: {', '.join(sandbox.apis)}")
    return name, served


def _segments(request: Request) -> tuple[str, str, list[str]]:
    """API, account and the collection path's segments, each percent-decoded on its own
    (from the path as sent, so `%2F` stays inside its segment)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1").split("?", 1)[0] if raw else request.scope["path"]
    segments = [unquote(segment) for segment in path.split("/")]
    start = segments.index("state") + 1 if "state" in segments else 3
    found = segments[start:]
    if found and found[-1] == "":
        found.pop()
    if len(found) < 3:
        raise AdminError(404, "name the API, the account and the collection path: /__admin/state/<api>/<account>/<path>")
    return found[0], found[1], found[2:]


def _collection(data: AccountData, segments: list[str]) -> tuple[str, Collection]:
    """The account's collection whose concrete path has these segments."""
    for (template, parents), collection in data.collections.items():
        if _concrete_segments(template, parents) == segments:
            return concrete_path(template, parents), collection
    raise AdminError(404, f"the account holds no collection /{'/'.join(segments)} (GET /__admin/state/<api> lists them)")


def _concrete_segments(template: str, parents: tuple[str, ...]) -> list[str]:
    values = iter(parents)
    return [_PARAMETER.sub(lambda _: next(values, ""), segment) for segment in template.strip("/").split("/")]


def _reveal(value: str | None) -> bool:
    if value is None:
        return False
    if value.lower() not in REVEAL:
        raise AdminError(400, f"reveal must be 1 or 0, not {value!r}")
    return REVEAL[value.lower()]


def _whole_number(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not value.isascii() or not value.isdigit():
        raise AdminError(400, f"{name} must be a whole number, not {value!r}")
    return int(value)


def _shown(record: Any, served: ServedApi, reveal: bool) -> Any:
    return record if reveal else masked(record, served.vendor.secret_names)


def masked(value: Any, names: frozenset[str] = frozenset()) -> Any:
    """A copy of a stored object with credentials masked: the values of fields the API
    names as secret or whose names end like a credential's (`clientSecret`, `accessToken`,
    `password`), and the password of a URL (`https://user:***@host`)."""
    wanted = {name.lower() for name in names} | SECRET_HEADERS
    return _masked(value, wanted)


def _masked(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {key: MASK if item is not None and _is_secret(key, names) else _masked(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, names) for item in value]
    if isinstance(value, str) and "@" in value:
        return _USER_INFO.sub(rf"\g<1>{MASK}@", value)
    return value


def _is_secret(key: str, names: set[str]) -> bool:
    lowered = key.lower()
    return lowered in names or lowered.endswith(CREDENTIAL_ENDINGS)
