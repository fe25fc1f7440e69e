"""The operation walk: every operation of a contract called once with a valid request,
after the objects it needs were made through the API itself.

For each operation the walk looks up the links that supply its path parameters and the
body fields naming other objects, calls the supplying operations first (recursively,
each once, or afresh where the operation changes or removes what it names), sends the
request and expects a documented 2xx. A creation is read back by id and looked for in
its list where the contract has those operations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import httpx

from mock_server.engine.contract.collections import collection_infos
from mock_server.engine.values.fake import FakeData

from .plan import Plan, Step, Supply
from .requests import (
    Request,
    body_spec,
    body_value,
    encode_body,
    field_paths,
    parameter_value,
    put_fields,
    without_unknown_references,
)

CHANGING_KINDS = {"create_at", "replace", "update", "update_by_body", "action", "singleton_write", "delete", "delete_matching"}
CREATING_KINDS = {"create", "create_at", "upsert"}
MAX_LIST_PAGES = 20


@dataclass
class Called:
    """A call the walk made and what came back."""

    request: Request
    response: httpx.Response

    @property
    def ok(self) -> bool:
        return 200 <= self.response.status_code < 300

    def json(self) -> Any:
        try:
            return self.response.json()
        except ValueError:
            return None


@dataclass
class Outcome:
    """What became of one operation."""

    operation_id: str
    method: str
    path: str
    result: str  # reached, failing, skipped
    detail: str = ""


class WalkError(Exception):
    """An operation could not be prepared or did not answer a documented 2xx."""


# A way to get a value the contract cannot tell the walk how to make (see exceptions.py).
Provider = Callable[["Walker"], Awaitable[Any]]


@dataclass
class Access:
    """How the walk authenticates to one API."""

    headers: Callable[["Walker"], Awaitable[dict[str, str]]]
    query: dict[str, str] = field(default_factory=dict)


class Walker:
    """Walks one API's plan against a running sandbox."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        plan: Plan,
        mount: str,
        access: Access,
        parameters: dict[str, Provider],
        bodies: dict[str, Callable[["Walker", Any], Awaitable[Any]]],
        seed: int = 13,
    ) -> None:
        self.client = client
        self.plan = plan
        self.mount = mount
        self.access = access
        self.parameter_providers = parameters
        self.body_providers = bodies
        self.fake = FakeData(seed)
        self.infos = collection_infos(plan.compiled)
        self.results: dict[str, Called] = {}
        self.counter = 0
        self.preparing: list[str] = []
        self._headers: dict[str, str] | None = None

    # --- the walk -------------------------------------------------------------------------------

    async def walk(self) -> list[Outcome]:
        outcomes = []
        for step in self.plan.ordered():
            operation = step.operation
            try:
                called = await self.call(step, own=True)
                if not called.ok:
                    raise WalkError(f"answered {called.response.status_code}: {_brief(called.response.text)}")
                if called.response.status_code not in _documented_successes(step):
                    raise WalkError(f"answered {called.response.status_code}, which the contract does not document")
                if operation.kind in CREATING_KINDS:
                    await self.read_back(step, called)
            except WalkError as error:
                outcomes.append(Outcome(step.operation_id, operation.method, operation.path, "failing", str(error)))
                continue
            except _Unreachable as error:
                outcomes.append(Outcome(step.operation_id, operation.method, operation.path, "skipped", str(error)))
                continue
            outcomes.append(Outcome(step.operation_id, operation.method, operation.path, "reached"))
        return outcomes

    async def headers(self) -> dict[str, str]:
        if self._headers is None:
            self._headers = await self.access.headers(self)
        return self._headers

    # --- calling one operation ------------------------------------------------------------------

    async def call(self, step: Step, own: bool = False, fresh: bool = False) -> Called:
        """Send a valid request for ``step``; supplies are made first."""
        if step.operation_id in self.preparing:
            raise _Unreachable(f"needs itself through {' -> '.join(self.preparing)}")
        self.preparing.append(step.operation_id)
        try:
            request = await self.request_for(step, fresh=fresh or (own and step.operation.kind in CHANGING_KINDS))
        finally:
            self.preparing.pop()
        response = await self.client.request(
            request.method, self.mount + request.path, **request.httpx_arguments()
        )
        called = Called(request, response)
        if called.ok:
            self.results[step.operation_id] = called
            await self.settle()
        return called

    async def settle(self) -> None:
        """Let background work (import jobs, batch tasks) finish, as a client would wait for it."""
        await self.client.post("/__admin/jobs/run")

    async def request_for(self, step: Step, fresh: bool) -> Request:
        operation = step.operation
        self.counter += 1
        key = f"walk/{self.plan.api}/{step.operation_id}/{self.counter}"
        path_values = await self.path_values(step, fresh)
        request = Request(operation.method, _concrete(operation.path, path_values), path_values)
        request.headers.update(await self.headers())
        request.query.update(self.access.query)
        content_type_header = None
        for spec in operation.parameters:
            if spec.location == "path" or not spec.required:
                continue
            provider = self.parameter_providers.get(spec.name)
            value = await provider(self) if provider else parameter_value(self.fake, operation, spec.name, spec.location, f"{key}/{spec.name}")
            if spec.location == "query":
                request.query[spec.name] = value
            elif spec.name == "content-type":
                content_type_header = str(value)
            else:
                request.headers[spec.name] = str(value)
        spec = body_spec(operation)
        if spec is not None:
            value = await self.body_for(step, spec, key, path_values)
            encode_body(request, spec, value, content_type_header)
        return request

    async def body_for(self, step: Step, spec: Any, key: str, path_values: dict[str, Any]) -> Any:
        operation = step.operation
        provider = self.body_providers.get(step.operation_id)
        if spec.kind in ("json", "multipart", "form"):
            value = body_value(self.fake, operation, spec, key)
            value = self.fresh_identity(step, spec.schema, value)
            supplied: set[tuple[str, ...]] = set()
            for fields in await self.body_supplies(step, path_values):
                value = put_fields(value, fields)
                supplied |= field_paths(fields)
            value = without_unknown_references(value, spec.schema, supplied)
        else:
            value = None
        if provider is not None:
            value = await provider(self, value)
        return value

    def fresh_identity(self, step: Step, schema: dict[str, Any], value: Any) -> Any:
        """A creation names its new object by a key no object has yet."""
        if step.operation.kind not in CREATING_KINDS:
            return value
        info = self.infos.get(step.operation.resource or "")
        if info is None:
            return value
        items = value if isinstance(value, list) else [value]
        item_schema = schema.get("items", {}) if isinstance(value, list) else schema
        prop = item_schema.get("properties", {}).get(info.id_field)
        if prop is None or prop.get("readOnly"):
            return value
        for item in items:
            if isinstance(item, dict) and (info.id_field in item or info.id_field in item_schema.get("required", ())):
                item[info.id_field] = self.unique_value(prop)
        return value

    def unique_value(self, schema: dict[str, Any]) -> Any:
        self.counter += 1
        if schema.get("type") == "integer":
            return 900_000 + self.counter
        if schema.get("format") == "uuid":
            return self.fake.uuid(f"walk/unique/{self.counter}")
        return f"WALK-{self.counter:05d}"

    # --- supplies -------------------------------------------------------------------------------

    async def path_values(self, step: Step, fresh: bool) -> dict[str, Any]:
        """Every path parameter, from the links that supply it (else a provider, else a value
        the schema allows, for parameters that name nothing stored or a new object)."""
        needed = step.path_parameters
        values: dict[str, Any] = {}
        last = needed[-1] if needed else None
        for name in needed:
            if name in values:
                continue
            provider = self.parameter_providers.get(name) or self.parameter_providers.get(f"{step.operation_id}.{name}")
            if provider is not None:
                values[name] = await provider(self)
                continue
            supplies = sorted(
                (supply for supply in step.supplies if name in dict(supply.parameters)),
                key=lambda supply: _preference(supply, set(needed) - set(values)),
            )
            if name == last and step.operation.kind == "create_at":
                # The new object's identifier: one handed out for it (an upload signature), else one no object has.
                supplies = [supply for supply in supplies if supply.creates]
                if not supplies:
                    spec = next(spec for spec in step.operation.parameters if spec.location == "path" and spec.name == name)
                    values[name] = self.unique_value(spec.schema)
                    continue
            if not supplies:
                if self._names_stored_object(step, name):
                    raise _Unreachable(f"no link supplies path parameter {name!r}")
                values[name] = parameter_value(self.fake, step.operation, name, "path", f"walk/{step.operation_id}/{name}")
                continue
            failures = []
            for supply in supplies:
                try:
                    called = await self.source_result(self.plan.steps[supply.source], fresh=fresh and name == last and supply.creates)
                    found = {
                        parameter: evaluate(expression, called)
                        for parameter, expression in supply.parameters
                        if parameter in needed and parameter not in values
                    }
                except _Unreachable as error:
                    failures.append(str(error))
                    continue
                values.update(found)
                break
            else:
                raise _Unreachable(f"path parameter {name!r}: " + "; ".join(failures))
        return values

    def _names_stored_object(self, step: Step, name: str) -> bool:
        """Whether a path parameter must name an object stored before: one of a collection
        clients create or that lists its objects (the others are looked up on demand)."""
        segments = step.operation.path.strip("/").split("/")
        position = segments.index("{" + name + "}")
        info = self.infos.get("/" + "/".join(segments[:position]))
        return info is not None and (info.listable or info.made_by_operations)

    async def body_supplies(self, step: Step, path_values: dict[str, Any]) -> list[Any]:
        """The request body parts the links supply: for each field (at any depth), the first
        source that yields a value (creators first). A link that also names path parameters
        supplies the field only for the objects the request's path names. A field no
        source fills is left to the body."""
        by_field: dict[tuple[str, ...], list[Supply]] = {}
        for supply in step.supplies:
            if supply.body is not None:
                for path in sorted(field_paths(supply.body))[:1]:
                    by_field.setdefault(path, []).append(supply)
        parts = []
        for supplies in by_field.values():
            for supply in sorted(supplies, key=lambda supply: not supply.creates):
                try:
                    called = await self.source_result(self.plan.steps[supply.source])
                    if any(str(evaluate(expression, called)) != str(path_values.get(name)) for name, expression in supply.parameters):
                        continue
                    parts.append(_evaluate_tree(supply.body, called))
                except _Unreachable:
                    continue
                break
        return parts

    async def source_result(self, source: Step, fresh: bool = False) -> Called:
        """The result of a supplying operation: its last success, or a new call."""
        if not fresh and source.operation_id in self.results:
            return self.results[source.operation_id]
        # A fresh object made by changing one (validating a batch) changes a fresh one.
        called = await self.call(source, fresh=fresh and source.operation.kind not in CREATING_KINDS)
        if not called.ok:
            raise _Unreachable(
                f"needs {source.operation_id}, which answered {called.response.status_code}: {_brief(called.response.text)}"
            )
        return called

    # --- reading back -----------------------------------------------------------------------------

    async def read_back(self, step: Step, created: Called) -> None:
        """A creation is visible by id and in its list, where the contract has those operations."""
        info = self.infos.get(step.operation.resource or "")
        if info is None:
            return
        for target in self.plan.steps.values():
            if target.operation.kind != "read" or target.operation.resource != info.template:
                continue
            supply = next((s for s in target.supplies if s.source == step.operation_id and s.parameters), None)
            if supply is None:
                continue
            values = {name: evaluate(expression, created) for name, expression in supply.parameters}
            if set(values) != set(target.path_parameters):
                continue
            response = await self.client.get(
                self.mount + _concrete(target.operation.path, values), headers=await self.headers(), params=self.access.query
            )
            if response.status_code != 200:
                raise WalkError(f"created, but {target.operation_id} answered {response.status_code}")
            identity = values[target.path_parameters[-1]]
            await self.find_in_list(step, info, identity, created)
            return
        identity = _created_identity(created, info.id_field)
        if identity is not None:
            await self.find_in_list(step, info, identity, created)

    async def find_in_list(self, step: Step, info: Any, identity: Any, created: Called) -> None:
        lister = next(
            (
                target
                for target in self.plan.steps.values()
                if target.operation.kind == "list" and target.operation.path == info.template
            ),
            None,
        )
        if lister is None:
            return
        parents = {name: created.request.path_parameters[name] for name in lister.path_parameters if name in created.request.path_parameters}
        if len(parents) != len(lister.path_parameters):
            return
        names = {spec.name for spec in lister.operation.parameters}
        # A list that must be filtered is asked for what the new object holds.
        filters: dict[str, Any] = {}
        body = created.json()
        for spec in lister.operation.parameters:
            if spec.location == "query" and spec.required:
                if isinstance(body, dict) and spec.name in body:
                    filters[spec.name] = body[spec.name]
                elif spec.name in self.parameter_providers:
                    filters[spec.name] = await self.parameter_providers[spec.name](self)
        # Pages from 0: an API counting from 1 answers its first page for 0 as well.
        for page in range(0, MAX_LIST_PAGES):
            query = {**self.access.query, **filters}
            headers = dict(await self.headers())
            if "page" in names:
                query["page"] = str(page)
            elif "x-page" in names:
                headers["x-page"] = str(page + 1)
            elif page:
                break
            response = await self.client.get(self.mount + _concrete(lister.operation.path, parents), headers=headers, params=query)
            if response.status_code != 200:
                raise WalkError(f"created, but {lister.operation_id} answered {response.status_code}")
            listed = response.json()
            if _contains_identity(listed, info.id_field, identity):
                return
            if not _rows(listed):
                break
        raise WalkError(f"created {identity!r}, but {lister.operation_id} does not list it")


class _Unreachable(Exception):
    """The walk found no way to prepare what an operation needs."""


def _preference(supply: Supply, wanted: set[str]) -> tuple[int, bool, bool]:
    """Supplies filling most of the wanted parameters first; creators before readers; links
    that also fill the body before those that do not (the body then names parts of the
    object the path names)."""
    return (-len(wanted & {name for name, _ in supply.parameters}), not supply.creates, supply.body is None)


def _documented_successes(step: Step) -> set[int]:
    return {int(status) for status in step.raw.get("responses", {}) if status.isdigit() and 200 <= int(status) < 300}


def _concrete(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"{([^}]+)}", lambda match: quote(str(values[match.group(1)]), safe=""), template)


_POINTER = re.compile(r"^\$(request|response)\.(body|path|query|header)(?:#(.*)|\.(.+))?$")


def evaluate(expression: str, called: Called) -> Any:
    """A link's runtime expression against a call the walk made."""
    match = _POINTER.match(expression)
    if match is None:
        raise _Unreachable(f"cannot read {expression!r}")
    side, part, pointer, name = match.groups()
    if side == "request" and part == "path":
        return called.request.path_parameters[name]
    if side == "request" and part == "query":
        return called.request.query[name]
    if side == "response" and part == "header":
        value = called.response.headers.get(name)
        if value is None:
            raise _Unreachable(f"{expression}: no such header in the answer")
        return value
    if part != "body":
        raise _Unreachable(f"cannot read {expression!r}")
    value = called.request.sent_body if side == "request" else called.json()
    for token in (pointer or "").split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        try:
            value = value[int(token)] if isinstance(value, list) else value[token]
        except (KeyError, IndexError, TypeError, ValueError):
            raise _Unreachable(f"{expression} names nothing in {_brief(str(called.json()))}") from None
    return value


def _evaluate_tree(value: Any, called: Called) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return evaluate(value, called)
    if isinstance(value, dict):
        return {name: _evaluate_tree(item, called) for name, item in value.items()}
    if isinstance(value, list):
        return [_evaluate_tree(item, called) for item in value]
    return value


def _created_identity(created: Called, id_field: str) -> Any:
    body = created.json()
    if isinstance(body, dict):
        return body.get(id_field)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0].get(id_field)
    if isinstance(body, (int, str)):
        return body
    return None


def _rows(listed: Any) -> list[Any]:
    if isinstance(listed, list):
        return listed
    if isinstance(listed, dict):
        return next((value for value in listed.values() if isinstance(value, list)), [])
    return []


def _contains_identity(value: Any, id_field: str, identity: Any) -> bool:
    if isinstance(value, dict):
        if str(value.get(id_field)) == str(identity):
            return True
        return any(_contains_identity(item, id_field, identity) for item in value.values())
    if isinstance(value, list):
        return any(_contains_identity(item, id_field, identity) for item in value)
    return False


def _brief(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
