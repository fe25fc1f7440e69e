"""Fixture documents: accounts and objects per API, in YAML or JSON.

    casavi:
      accounts: [{name: demo, key: demo-key, secret: demo-secret, tenantId: 3215}]
      data: {demo: {/contacts: [{id: C-0000312, firstName: Joe}]}}
    messages:
      accounts: [{name: partner, token: demo-partner-token, accountId: 1009, role: partner}]
      cases: [{guid: ..., caseId: 7748, partner: partner, provider: provider}]

Loading adds to the current state; an account or object with an existing name or id is
replaced. The state export has the same structure, so an export is a valid fixture.

A document is checked whole before anything of it is loaded (its shape against each
API's section model, then every account, collection path and object it names), so a bad
document changes nothing and its error names the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .engine import jsonio
from .engine.changes import FROM_FIXTURE, FROM_STATE
from .engine.documents import ApiSection, describe
from .engine.routing import PathRouter
from .engine.runtime import ApiRuntime, CollectionInfo
from .engine.store import SINGLE, concrete_path
from .served import ServedApi

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; the message says where."""


def default_fixtures_dir() -> Path | None:
    for candidate in (_PACKAGE_ROOT / "fixtures", Path.cwd() / "fixtures"):
        if candidate.is_dir():
            return candidate
    return None


def fixture_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def read_fixture(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"{path}: cannot be read: {error.strerror or error}") from None
    return parse_fixture(data, str(path))


def parse_fixture(data: bytes, source: str = "fixture") -> dict[str, Any]:
    """A fixture document from YAML or JSON text."""
    try:
        document = jsonio.loads(data) if data.lstrip()[:1] in (b"{", b"[") else yaml.load(data, Loader=_Loader)
    except (ValueError, yaml.YAMLError) as error:
        raise FixtureError(f"{source}: not valid YAML or JSON: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise FixtureError(f"{source}: a fixture is a mapping of API names")
    return document


@dataclass
class _Collection:
    """One collection of a section, checked: where its objects go."""

    account: str
    path: str
    info: CollectionInfo | None  # None for a singleton path
    parents: tuple[str, ...]
    objects: list[dict[str, Any]]


@dataclass
class _Section:
    api: ServedApi
    model: ApiSection
    collections: list[_Collection]


def load_fixture(
    served: dict[str, ServedApi], document: dict[str, Any], source: str = "fixture", *, exact: bool = False
) -> dict[str, int]:
    """Load a fixture document into the served APIs; returns how many objects each got.

    ``exact`` loads a state export: the APIs it names are emptied first and their
    collections hold exactly what it lists, with no demo objects generated into them.
    Nothing is changed when the document has a problem (FixtureError says which).
    """
    sections = check_fixture(served, document, source, exact=exact)
    loaded = {}
    for section in sections:
        if exact:
            section.api.runtime.clear()
        loaded[section.api.name] = _apply(section, exact)
        section.api.runtime.wake()
    return loaded


def check_fixture(
    served: dict[str, ServedApi], document: dict[str, Any], source: str = "fixture", *, exact: bool = False
) -> list["_Section"]:
    """The document's sections, checked against what is served; FixtureError on the first problem."""
    unknown = [str(name) for name in document if name not in served]
    if unknown:
        raise FixtureError(f"{source}: not served here: {', '.join(unknown)} (served: {', '.join(served)})")
    sections = []
    for name, raw in document.items():
        api = served[name]
        where = f"{source}: {name}"
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise FixtureError(f"{where}: expected a mapping with accounts, data, ...")
        try:
            model = api.vendor.section_model.model_validate(raw)
        except ValidationError as error:
            raise FixtureError(f"{source}: {describe(error, name)}") from None
        known = {entry.name for entry in model.accounts} | (set() if exact else set(api.runtime.accounts))
        problems = model.references(known)
        problems += [
            f"tasks[{index}].account: unknown account {task.account!r}"
            for index, task in enumerate(model.tasks)
            if task.account not in known
        ]
        problems += [
            f"tasks[{index}].type: unknown task type {task.type!r}"
            for index, task in enumerate(model.tasks)
            if task.type not in api.runtime.task_types
        ]
        if problems:
            raise FixtureError(f"{where}: {problems[0]}")
        sections.append(_Section(api, model, _check_data(api.runtime, model, known, where)))
    return sections


def _check_data(runtime: ApiRuntime, model: ApiSection, known: set[str], where: str) -> list[_Collection]:
    router = _collection_router(runtime)
    checked = []
    for account, collections in model.data.items():
        if account not in known:
            raise FixtureError(f"{where}: data.{account}: unknown account {account!r} (define it under accounts)")
        for path, value in (collections or {}).items():
            place = f"{where}: data.{account}.{path}"
            match = router.match(str(path))
            if match is None:
                if isinstance(value, dict) and _is_singleton(runtime, str(path)):
                    template = runtime.contract.router.match(str(path))
                    assert template is not None
                    checked.append(_Collection(account, str(path), None, tuple(template.parameters.values()), [value]))
                    continue
                raise FixtureError(f"{place}: no collection of this API has that path")
            if value is None:
                value = []
            if not isinstance(value, list):
                raise FixtureError(f"{place}: a collection holds a list of objects")
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    raise FixtureError(f"{place}[{index}]: objects are mappings")
            info = match.methods["GET"]
            checked.append(_Collection(account, str(path), info, tuple(match.parameters.values()), value))
    return checked


def _apply(section: _Section, exact: bool) -> int:
    runtime, vendor, model = section.api.runtime, section.api.vendor, section.model
    origin = FROM_STATE if exact else FROM_FIXTURE
    for entry in model.accounts:
        runtime.add_account(vendor.account_from_fixture(entry.model_dump(exclude_none=True)))
    vendor.import_state(runtime, model.module_state())
    for name, value in model.counters.items():
        runtime.store.bump_counter(name, value)
    if model.tasks:
        runtime.tasks.load([task.model_dump() for task in model.tasks])
    count = 0
    for collection in section.collections:
        account = runtime.accounts[collection.account]
        info = collection.info
        if info is None:
            template = runtime.contract.router.match(collection.path)
            assert template is not None
            runtime.store.put(account.name, template.template, collection.parents, SINGLE, dict(collection.objects[0]), origin=origin)
            count += 1
            continue
        if exact:
            runtime.data(account).seeded[(info.template, collection.parents)] = None
        else:
            runtime.collection(account, info.template, collection.parents)  # demo objects first, as on first use
        for item in collection.objects:
            record = dict(item)
            if record.get(info.id_field) in (None, ""):
                record[info.id_field] = runtime.new_identifier(
                    info, f"fixture{concrete_path(info.template, collection.parents)}", account.name
                )
            if isinstance(record[info.id_field], int) and not exact:
                # New numbers follow loaded ones, in the account's sequence and in a module's own.
                runtime.store.bump_counter(runtime.sequence(account.name, info.template), record[info.id_field])
                runtime.store.bump_counter(info.template, record[info.id_field])
            runtime.store.put(account.name, info.template, collection.parents, str(record[info.id_field]), record, origin=origin)
        count += len(collection.objects)
    return count


def _collection_router(runtime: ApiRuntime) -> PathRouter[CollectionInfo]:
    router: PathRouter[CollectionInfo] = PathRouter()
    for info in runtime.collections.values():
        router.add(info.template, "GET", info)
    return router


def _is_singleton(runtime: ApiRuntime, path: str) -> bool:
    match = runtime.contract.router.match(path)
    return match is not None and any(op.kind.startswith("singleton") for op in match.methods.values())


def export_state(served: dict[str, ServedApi]) -> dict[str, Any]:
    """The whole state of the given APIs as a fixture document."""
    exported: dict[str, Any] = {}
    for name, api in served.items():
        runtime = api.runtime
        data = runtime.store.export()
        for account_name, account_data in runtime.store.accounts.items():
            for template, parents in account_data.seeded:
                # Seen-but-empty collections are kept, so they stay empty after an import.
                data.setdefault(account_name, {}).setdefault(concrete_path(template, parents), [])
        exported[name] = {
            "accounts": [account.to_fixture() for account in runtime.accounts.values()],
            **api.vendor.export_state(runtime),
            "counters": dict(runtime.store.counters),
            "tasks": runtime.tasks.export(),
            "data": data,
        }
    return exported
