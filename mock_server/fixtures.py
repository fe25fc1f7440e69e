"""Fixture documents: accounts and objects per API, in YAML or JSON.

    casavi:
      accounts: [{name: demo, key: demo-key, secret: demo-secret, tenantId: 3215}]
      data: {demo: {/contacts: [{id: C-0000312, firstName: Joe}]}}
    messages:
      accounts: [{name: partner, token: demo-partner-token, accountId: 1009, role: partner}]
      cases: [{guid: ..., caseId: 7748, partner: partner, provider: provider}]

Loading adds to the current state; an account or object with an existing name or id is
replaced. The state export has the same structure, so an export is a valid fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .engine import jsonio
from .engine.bundled import bundled_folder
from .engine.routing import PathRouter
from .engine.runtime import ApiRuntime, CollectionInfo
from .engine.store import concrete_path

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; the message says where."""


def default_fixtures_dir() -> Path | None:
    """The start-up fixtures shipped with the package (or the source checkout's `fixtures/`)."""
    return bundled_folder("fixtures")


def fixture_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def read_fixture(path: Path) -> dict[str, Any]:
    return parse_fixture(path.read_bytes(), str(path))


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


def apply_fixture(
    runtimes: dict[str, ApiRuntime], document: dict[str, Any], source: str = "fixture", exact: bool = False
) -> dict[str, int]:
    """Load a fixture document into the served APIs; returns how many objects each got.

    ``exact`` loads a state export: collections hold exactly what the document lists,
    with no demo objects generated into them.
    """
    unknown = [name for name in document if name not in runtimes]
    if unknown:
        raise FixtureError(f"{source}: not served here: {', '.join(map(str, unknown))} (served: {', '.join(runtimes)})")
    loaded: dict[str, int] = {}
    for api in document:
        runtimes[api].answers.invalidate()
    for api, section in document.items():
        if not isinstance(section, dict):
            raise FixtureError(f"{source}: {api}: expected a mapping with accounts/data")
        loaded[api] = _apply_section(runtimes[api], section, f"{source}: {api}", exact)
    return loaded


def _apply_section(runtime: ApiRuntime, section: dict[str, Any], where: str, exact: bool) -> int:
    for index, definition in enumerate(section.get("accounts") or []):
        if not isinstance(definition, dict) or "name" not in definition:
            raise FixtureError(f"{where}: accounts[{index}] needs a name")
        runtime.add_account(runtime.vendor.account_from_fixture(definition))
    state = {key: value for key, value in section.items() if key not in ("accounts", "data", "counters")}
    if state:
        runtime.vendor.import_state(runtime, state)
    for name, value in (section.get("counters") or {}).items():
        runtime.store.bump_counter(name, int(value))
    count = 0
    router = _collection_router(runtime)
    for account_name, collections in (section.get("data") or {}).items():
        account = runtime.accounts.get(str(account_name))
        if account is None:
            raise FixtureError(f"{where}: data names unknown account {account_name!r}")
        for path, objects in (collections or {}).items():
            count += _load_collection(runtime, router, account, str(path), objects, f"{where}: {account_name} {path}", exact)
    return count


def _collection_router(runtime: ApiRuntime) -> PathRouter[CollectionInfo]:
    router: PathRouter[CollectionInfo] = PathRouter()
    for info in runtime.collections.values():
        router.add(info.template, "GET", info)
    return router


def _load_collection(
    runtime: ApiRuntime, router: PathRouter[CollectionInfo], account: Any, path: str, objects: Any, where: str, exact: bool
) -> int:
    match = router.match(path)
    if match is None:
        if isinstance(objects, dict) and _is_singleton(runtime, path):
            runtime.data(account).singletons[path] = objects
            return 1
        raise FixtureError(f"{where}: no collection of this API has that path")
    info = match.methods["GET"]
    parents = tuple(match.parameters.values())
    if exact:
        runtime.data(account).seeded[(info.template, parents)] = None
    collection = runtime.collection(account, info.template, parents)
    items = objects if isinstance(objects, list) else [objects]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise FixtureError(f"{where}[{index}]: objects are mappings")
        record = dict(item)
        if record.get(info.id_field) in (None, ""):
            record[info.id_field] = runtime.new_identifier(info, f"fixture{concrete_path(info.template, parents)}")
        if isinstance(record[info.id_field], int):
            runtime.store.bump_counter(info.template, record[info.id_field])
        collection.put(str(record[info.id_field]), record)
    return len(items)


def _is_singleton(runtime: ApiRuntime, path: str) -> bool:
    match = runtime.contract.router.match(path)
    return match is not None and any(op.kind.startswith("singleton") for op in match.methods.values())


def export_state(runtimes: dict[str, ApiRuntime]) -> dict[str, Any]:
    """The whole state as a fixture document."""
    exported: dict[str, Any] = {}
    for api, runtime in runtimes.items():
        data = runtime.store.export()
        for account_name, account_data in runtime.store.accounts.items():
            for template, parents in account_data.seeded:
                # Seen-but-empty collections are kept, so they stay empty after an import.
                data.setdefault(account_name, {}).setdefault(concrete_path(template, parents), [])
        exported[api] = {
            "accounts": [account.to_fixture() for account in runtime.accounts.values()],
            **runtime.vendor.export_state(),
            "counters": dict(runtime.store.counters),
            "data": data,
        }
    return exported

