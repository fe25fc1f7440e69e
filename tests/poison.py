"""Poison then trigger: hostile values stored in the fields vendor code reads, then the code
that reads them driven (listeners, background work, searches, exports, reads).

`HOSTILE` is the corpus: wrong types, numbers at the edges of what JSON holds, odd URLs,
unicode, nested objects where text is expected, empty text. `Watch` sends every request
of a test and holds each answer to what the sandbox promises:

- no answer is a server error (5xx);
- every answer of an API conforms to its contract (status, content type, body), checked
  with the engine's own contract checks (`proxy.drift.ContractChecks`);
- a write answered with an error leaves the stored objects and the queued work as they
  were (the state export's `data` and `tasks`; sequence counters may move);
- nothing the sandbox does in the background logs an error (a listener or a task step
  that raised, even when the answer hid it);
- the state export can be imported again and gives the same objects and queued work.

`Watch.each` hands a test the values one at a time, on the API as it started, and
imports the state export after each. Problems are collected, each labelled with its value,
not raised one by one, so a failing test lists everything each value broke;
`Watch.assert_clean()` ends each test. JSON bodies go out with every non-ASCII character
escaped (surrogate pairs for emoji), as many clients write them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, AsyncIterator
from urllib.parse import unquote, urlsplit

import httpx

from mock_server.proxy.drift import UNDOCUMENTED_FIELD, ContractChecks

BIG_INTEGER = int("9" * 400)
# (name, value): every value a JSON body can carry that vendor code might not expect.
HOSTILE: list[tuple[str, Any]] = [
    ("int", 5),
    ("bool", True),
    ("null", None),
    ("empty", ""),
    ("list", ["a", 1]),
    ("object", {"a": {"b": 1}}),
    ("1e308", 1e308),
    ("-1e308", -1e308),
    ("5e-324", 5e-324),
    ("400-digits", BIG_INTEGER),
    ("-400-digits", -BIG_INTEGER),
    ("4.0", 4.0),
    ("unicode", "\U0001f600 \u202e\u0000 e\u0301 \ud7ff"),
    ("long-text", "x" * 5000),
]
# Odd URLs for fields that name where something is sent.
HOSTILE_URLS: list[tuple[str, Any]] = [
    ("port-not-a-number", "http://u:p@127.0.0.1:abc/x"),
    ("port-out-of-range", "http://u:p@127.0.0.1:99999/x"),
    ("port-zero", "http://u:p@127.0.0.1:0/x"),
    ("bracket", "http://127.0.0.1:[x"),
    ("ipv6-open", "http://u:p@[::1/x"),
    ("no-host", "http:///x"),
    ("not-a-url", "not a url"),
    ("spaces", "http://127.0.0.1/a b"),
]

MOUNTS = {"casavi": "/casavi", "afosto": "/afosto", "relay": "/relay", "messages": "/messages"}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Watch:
    """Sends a test's requests through one in-process sandbox and records what went wrong,
    each problem labelled with the hostile value it followed."""

    client: httpx.AsyncClient
    caplog: Any
    problems: list[str] = field(default_factory=list)
    label: str = ""
    _checks: dict[str, ContractChecks] = field(default_factory=dict)
    _logs_seen: int = 0

    def __post_init__(self) -> None:
        self.caplog.set_level(logging.ERROR)

    @property
    def app(self) -> Any:
        return self.client.app  # type: ignore[attr-defined]

    def problem(self, text: str) -> None:
        self.problems.append(f"[{self.label}] {text}" if self.label else text)

    async def each(self, cases: list[tuple[str, Any]], api: str, fixtures: dict[str, Any] | None = None) -> AsyncIterator[Any]:
        """Every hostile value in turn, each on the API as it started (reset in between, then
        ``fixtures`` loaded), so what one value broke is not blamed on the next."""
        for name, value in cases:
            response = await self.client.post("/__admin/reset", params={"api": api})
            assert response.status_code == 200, response.text
            if fixtures is not None:
                response = await self.client.post("/__admin/fixtures", json=fixtures)
                assert response.status_code == 200, response.text
            self.label = name
            yield value
            self._collect_logs()
            await self.export_round_trip()
        self.label = ""

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; its answer checked as the module's docstring says. A `json` body is
        sent with every non-ASCII character escaped (`\\ud83d\\ude00`), as many clients write it."""
        method = method.upper()
        if "json" in kwargs:
            body = kwargs.pop("json")
            kwargs["content"] = json.dumps(body, ensure_ascii=True).encode("ascii")
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "content-type": "application/json"}
        before = await self.stored() if method in WRITES else None
        response = await self.client.request(method, url, **kwargs)
        described = f"{method} {unquote(url.split('?')[0])} -> {response.status_code}"
        if response.status_code >= 500:
            self.problem(f"server error: {described}: {response.text[:300]}")
        api = self._api_of(url)
        if api is not None:
            for difference in self._differences(api, method, url, response):
                self.problem(f"answer does not conform: {described}: {difference}")
        if before is not None and response.status_code >= 400:
            after = await self.stored()
            if after != before:
                self.problem(f"stored although answered with an error: {described}: {_changed(before, after)}")
        return response

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.call("DELETE", url, **kwargs)

    async def stored(self) -> dict[str, Any]:
        """The stored objects and queued work of every API (what a failed write must not change)."""
        response = await self.client.get("/__admin/state")
        if response.status_code != 200:
            self.problem(f"state export failed: {response.status_code}: {response.text[:300]}")
            return {}
        return _kept(response.json())

    async def run_jobs(self, api: str | None = None) -> None:
        """Finish queued background work now (and hand over webhook deliveries)."""
        response = await self.client.post("/__admin/jobs/run", params={"api": api} if api else None)
        if response.status_code != 200:
            self.problem(f"POST /__admin/jobs/run -> {response.status_code}: {response.text[:300]}")

    async def export_round_trip(self) -> None:
        """The state export imports again and exports the same."""
        exported = await self.client.get("/__admin/state")
        if exported.status_code != 200:
            self.problem(f"state export failed: {exported.status_code}: {exported.text[:300]}")
            return
        try:
            imported = await self.client.put(
                "/__admin/state", content=exported.content, headers={"content-type": "application/json"}
            )
        except Exception as error:  # an error the admin API let escape
            self.problem(f"state import of the export raised {type(error).__name__}: {error}")
            return
        if imported.status_code != 200:
            self.problem(f"state import of the export answered {imported.status_code}: {imported.text[:300]}")
            return
        again = await self.stored()
        if again != _kept(exported.json()):
            self.problem(f"state export -> import -> export differs: {_changed(_kept(exported.json()), again)}")

    def assert_clean(self) -> None:
        """Every problem seen, and every error the sandbox logged, fail the test."""
        self._collect_logs()
        assert not self.problems, "\n".join(dict.fromkeys(self.problems))

    def _collect_logs(self) -> None:
        records = self.caplog.records
        for record in records[self._logs_seen:]:
            if record.levelno >= logging.ERROR and record.name.startswith("mock_server"):
                where = f" ({record.exc_info[0].__name__}: {record.exc_info[1]})" if record.exc_info else ""
                self.problem(f"logged an error: {record.getMessage()}{where}")
        self._logs_seen = len(records)

    # --- contract checks ------------------------------------------------------------------

    def _api_of(self, url: str) -> str | None:
        path = urlsplit(url).path
        for api, mount in MOUNTS.items():
            if path == mount or path.startswith(mount + "/"):
                return api
        return None

    def _differences(self, api: str, method: str, url: str, response: httpx.Response) -> list[str]:
        runtime = self.app.sandbox.apis[api].runtime
        checks = self._checks.get(api)
        if checks is None:
            checks = self._checks[api] = ContractChecks(runtime.contract)
        path = urlsplit(url).path[len(MOUNTS[api]):]
        segments = [unquote(segment) for segment in path.strip("/").split("/")] if path.strip("/") else []
        match = runtime.contract.router.match_segments(segments, method)
        operation = match.methods.get(method) if match else None
        if operation is None:
            return []  # an unknown path or method: its 404 / 405 is the API's, not an operation's
        found = checks.response_differences(operation, response.status_code, response.headers.get("content-type", ""), response.content)
        # Free-form objects (`metadata`, `config`) echo what was stored, which the contract allows.
        return [difference.describe() for difference in found if difference.kind != UNDOCUMENTED_FIELD]


def _kept(export: dict[str, Any]) -> dict[str, Any]:
    """What a state export says is stored: each API's objects and queued work (sequence
    counters left out: a refused write may use up a number, as databases do)."""
    return {
        api: {"data": _without_empty(section.get("data") or {}), "tasks": section.get("tasks")}
        for api, section in export.items()
    }


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Accounts' collections that hold objects (a collection merely looked at holds none)."""
    return {account: {path: objects for path, objects in collections.items() if objects not in ([], None)}
            for account, collections in data.items()}


def _changed(before: Any, after: Any, where: str = "") -> str:
    """Where two exports first differ, briefly."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in dict.fromkeys([*before, *after]):
            if before.get(key) != after.get(key):
                return _changed(before.get(key), after.get(key), f"{where}/{key}")
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after)):
            if old != new:
                return _changed(old, new, f"{where}[{index}]")
    return f"{where or '/'}: {json.dumps(before, default=str)[:120]} -> {json.dumps(after, default=str)[:120]}"
