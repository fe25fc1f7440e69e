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
API's section model, then every account, collection path and object it names, and
whether its objects fit the storage budget), so a bad document changes nothing and its
error, one line, names the file and the field. Loading is all or nothing too: should
anything raise while the objects go in, the APIs are left as they were. Reading a
document from its file or text is `fixture_files.py`'s part.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .engine import jsonio
from .engine.errors import describe_validation_error
from .engine.contract.collections import CollectionInfo
from .engine.contract.routing import PathRouter
from .engine.runtime import ApiRuntime
from .engine.sizes import MIB
from .engine.state.changes import FROM_FIXTURE, FROM_STATE
from .engine.state.store import SINGLE, concrete_path, record_size
from .engine.vendor import ServedApi
from .fixture_files import FixtureError, unknown_names

if TYPE_CHECKING:
    from .engine.state.fixture_models import ApiSection


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
    return apply_fixture(check_fixture(served, document, source, exact=exact), exact=exact)


def apply_fixture(sections: list["_Section"], *, exact: bool = False) -> dict[str, int]:
    """Load checked sections (see `check_fixture`); returns how many objects each API got.

    All or nothing: when anything raises while the sections load (a vendor's reader, a
    preparer, the store), every API named is left exactly as it was and the exception
    goes on to the caller.
    """
    loaded = {}
    with ExitStack() as loading:
        for section in sections:
            loading.enter_context(section.api.runtime.all_or_nothing(replace=exact))
        for section in sections:
            loaded[section.api.name] = _apply(section, exact)
    for section in sections:
        section.api.runtime.wake()
    return loaded


def check_fixture(
    served: dict[str, ServedApi], document: dict[str, Any], source: str = "fixture", *, exact: bool = False
) -> list["_Section"]:
    """The document's sections, checked against what is served; FixtureError on the first problem."""
    unknown = [str(name) for name in document if name not in served]
    if unknown:
        raise FixtureError(f"{source}: not served here: {unknown_names(unknown, served)} (served: {', '.join(served)})")
    sections = []
    for name, raw in document.items():
        api = served[name]
        where = f"{source}: {name}"
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise FixtureError(f"{where}: expected a mapping with accounts, data, ...")
        try:
            model = api.vendor.section_model().model_validate(raw)
        except ValidationError as error:
            raise FixtureError(f"{source}: {describe_validation_error(error, name)}") from None
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
    _check_room(sections, source, exact)
    return sections


def _check_room(sections: list[_Section], source: str, exact: bool) -> None:
    """The document's objects fit the storage budget (after what they replace is given back)."""
    if not sections:
        return
    budget = sections[0].api.runtime.store.budget
    growth: dict[tuple[str, str], int] = {}
    freed = 0
    for section in sections:
        store = section.api.runtime.store
        if exact:
            freed += sum(store.used.values())
        for collection in section.collections:
            key = (section.api.name, collection.account)
            for index, item in enumerate(collection.objects):
                try:
                    size = record_size(item)
                except jsonio.NotJson as error:
                    raise FixtureError(f"{source}: {section.api.name}: data.{collection.account}.{collection.path}[{index}]: {error}") from None
                growth[key] = growth.get(key, 0) + size - (0 if exact else _replaced_size(section.api.runtime, collection, item))
    for (api, account), size in growth.items():
        used = 0 if exact else next(s.api.runtime.store.used.get(account, 0) for s in sections if s.api.name == api)
        if budget.per_account is not None and used + size > budget.per_account:
            raise FixtureError(
                f"{source}: {api}: data.{account}: {size / MIB:.1f} MB more would pass the account budget of "
                f"{budget.per_account / MIB:g} MB (--max-account-store-mb)"
            )
    room = budget.room()
    total = sum(growth.values())
    if room is not None and total > room + freed:
        raise FixtureError(
            f"{source}: its objects need {total / MIB:.1f} MB; the storage budget has {(room + freed) / MIB:.1f} MB left (--max-store-mb)"
        )


def _replaced_size(runtime: ApiRuntime, collection: _Collection, item: dict[str, Any]) -> int:
    """The size of the stored object ``item`` replaces, if any (looked up without creating anything)."""
    account = runtime.store.accounts.get(collection.account)
    if account is None:
        return 0
    if collection.info is None:
        template = runtime.contract.router.match(collection.path)
        key: Any = (template.template, collection.parents) if template is not None else None
        identifier = SINGLE
    else:
        key = (collection.info.template, collection.parents)
        identifier = str(item.get(collection.info.id_field, ""))
    stored = account.collections.get(key)
    before = stored.get(identifier) if stored is not None and identifier else None
    return record_size(before) if before is not None else 0


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
    for info in (*runtime.collections.values(), *runtime.named_only.values()):
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
