"""What start-up keeps in the cache folder: compiled contracts, parsed contracts and the
shipped fixtures. A kept entry is used only for exactly the inputs it was made from,
reads back as what it replaces, and a damaged or foreign one is ignored and replaced."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from mock_server.apis import vendor_for
from mock_server.apis.casavi.settings import CasaviSettings
from mock_server.engine.contract import cache, compiled
from mock_server.engine.contract.compiled import compiled_contract, forget_compiled
from mock_server.engine.contract.files import default_contracts_dir, parse_contract
from mock_server.engine.contract.operations import CompiledContract, compile_contract
from mock_server.fixture_files import default_fixtures_dir, parse_fixture, read_fixture

API = "messages"  # the smallest contract: quick to parse and compile


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir()
    shutil.copy(default_contracts_dir() / f"{API}.yaml", folder)
    return folder


@pytest.fixture
def kept(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(autouse=True)
def new_process():
    forget_compiled()
    yield
    forget_compiled()


def _compile(contracts: Path, kept: Path, code: str = "code-1", settings: CasaviSettings | None = None) -> CompiledContract:
    """A start in a new process: what this one holds is forgotten first."""
    forget_compiled()
    return compiled_contract(contracts, API, vendor_for(API, settings), cache_dir=kept, code=code)


def _entries(kept: Path) -> list[Path]:
    return sorted(kept.glob(f"{API}-*.pickle"))


def _essence(contract: CompiledContract) -> list[tuple]:
    """What serving reads of a compiled contract, as plain data."""
    found = []
    for operation in contract.operations.values():
        found.append((
            operation.method, operation.path, operation.operation_id, operation.summary, operation.decision,
            [(p.name, p.location, p.required, p.schema, p.source, p.repeated) for p in operation.parameters],
            {key: (b.content_type, b.schema, b.source, b.encoding) for key, b in operation.bodies.items()},
            operation.body_required, operation.success, operation.error_statuses, operation.secured, operation.raw,
            contract.router.match(operation.path).methods.get(operation.method) is operation,
        ))
    return found


def _no_compiling(*args, **kwargs):
    raise AssertionError("compiled although an entry for these inputs is kept")


def test_a_second_start_reads_the_kept_compiled_contract_and_it_is_what_compiling_makes(contracts, kept, monkeypatch):
    first = _compile(contracts, kept)
    assert len(_entries(kept)) == 1
    monkeypatch.setattr(compiled, "compile_contract", _no_compiling)
    again = _compile(contracts, kept)
    assert again is not first
    assert not again.document_source.loaded  # serving needs only what was compiled from the document
    fresh = compile_contract(API, parse_contract((contracts / f"{API}.yaml").read_bytes(), API, kept))
    assert _essence(again) == _essence(fresh) == _essence(first)
    assert again.document == fresh.document
    assert again.operations["createCaseMessages"].raw is again.document["paths"]["/api/v3/case-messages/create"]["post"]


def test_the_document_read_back_is_the_one_adjusted_by_the_settings(kept):
    widened = CasaviSettings(allow_http_hooks=True)
    made = compiled_contract(default_contracts_dir(), "casavi", vendor_for("casavi", widened), cache_dir=kept, code="c")
    forget_compiled()
    read_back = compiled_contract(default_contracts_dir(), "casavi", vendor_for("casavi", widened), cache_dir=kept, code="c")
    assert not read_back.document_source.loaded
    assert read_back.document == made.document


def test_validators_are_compiled_on_first_use_and_work_after_a_read_back(contracts, kept):
    _compile(contracts, kept)
    contract = _compile(contracts, kept)
    operation = contract.router.match("/api/v3/case-messages/create").methods.get("POST")
    body = operation.bodies["application/json"]
    assert "validator" not in body.__dict__  # nothing compiled at start
    assert not body.validator.is_valid({"guid": "not a uuid"})
    assert "validator" in body.__dict__  # kept for the next request


def test_a_changed_contract_is_compiled_anew(contracts, kept, monkeypatch):
    _compile(contracts, kept)
    path = contracts / f"{API}.yaml"
    path.write_text(path.read_text().replace("Add a new message to specific Case", "Add a message"))
    contract = _compile(contracts, kept)
    assert contract.operations["createCaseMessages"].summary == "Add a message"
    assert len(_entries(kept)) == 2


def test_changed_code_makes_a_new_entry(contracts, kept, monkeypatch):
    _compile(contracts, kept, code="code-1")
    calls = []
    real = compiled.compile_contract
    monkeypatch.setattr(compiled, "compile_contract", lambda *args: calls.append(args) or real(*args))
    _compile(contracts, kept, code="code-2")
    assert len(calls) == 1
    assert len(_entries(kept)) == 2


def test_another_version_of_the_validator_library_or_the_yaml_parser_makes_a_new_entry(contracts, kept, monkeypatch):
    _compile(contracts, kept)
    real = cache.library_fingerprint
    for library in ("jsonschema_rs", "yaml"):
        monkeypatch.setattr(compiled, "library_fingerprint", lambda name, library=library: "upgraded" if name == library else real(name))
        _compile(contracts, kept)
    assert len(_entries(kept)) == 3


def test_a_library_fingerprint_does_not_load_the_library_and_names_a_missing_one():
    import sys

    assert cache.library_fingerprint("jsonschema_rs") == cache.library_fingerprint("jsonschema_rs")
    assert cache.library_fingerprint("no_such_library_here") == "no_such_library_here: not installed"
    assert "no_such_library_here" not in sys.modules


def test_sandboxes_of_one_process_share_a_compiled_contract_made_from_the_same_inputs(contracts, kept):
    first = compiled_contract(contracts, API, vendor_for(API), cache_dir=kept, code="c")
    assert compiled_contract(contracts, API, vendor_for(API), cache_dir=kept, code="c") is first
    path = contracts / f"{API}.yaml"
    path.write_text(path.read_text().replace("Add a new message to specific Case", "Add a message"))
    changed = compiled_contract(contracts, API, vendor_for(API), cache_dir=kept, code="c")
    assert changed is not first
    assert changed.operations["createCaseMessages"].summary == "Add a message"
    strict = compiled_contract(default_contracts_dir(), "casavi", vendor_for("casavi"), cache_dir=kept, code="c")
    widened = compiled_contract(
        default_contracts_dir(), "casavi", vendor_for("casavi", CasaviSettings(allow_http_hooks=True)), cache_dir=kept, code="c"
    )
    assert widened is not strict


def test_other_settings_of_the_api_module_make_a_new_entry(kept):
    contracts = default_contracts_dir()
    strict = compiled_contract(contracts, "casavi", vendor_for("casavi"), cache_dir=kept, code="c")
    widened = compiled_contract(contracts, "casavi", vendor_for("casavi", CasaviSettings(allow_http_hooks=True)), cache_dir=kept, code="c")
    assert strict.document != widened.document  # the hook URLs' pattern admits http://
    again = compiled_contract(contracts, "casavi", vendor_for("casavi", CasaviSettings(allow_http_hooks=True)), cache_dir=kept, code="c")
    assert again.document == widened.document
    assert len(list(kept.glob("casavi-*.pickle"))) == 2


def _damage_each_way(entry: Path) -> list[bytes]:
    """Contents of a damaged entry: truncated, a flipped byte, no header, a sound header over
    what is not a pickle, and over a pickle of something else."""
    data = entry.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    header = data[: len(b"mock-server cache entry 1\n")]

    def sealed(content: bytes) -> bytes:
        import hashlib

        return header + hashlib.sha256(content).digest() + content

    return [
        data[: len(data) // 2], bytes(flipped), data[len(header):], b"",
        sealed(b"not a pickle"), sealed(pickle.dumps({"api": API})), sealed(data[len(header) + 32:][:-10]),
    ]


def test_a_damaged_entry_is_ignored_and_replaced(contracts, kept):
    expected = _essence(_compile(contracts, kept))
    [entry] = _entries(kept)
    for damaged in _damage_each_way(entry):
        entry.write_bytes(damaged)
        assert _essence(_compile(contracts, kept)) == expected
        assert cache.read_entry(entry, private=True) is not None  # written anew


def test_an_entry_someone_else_may_write_is_not_read(contracts, kept, monkeypatch):
    _compile(contracts, kept)
    [entry] = _entries(kept)
    os.chmod(entry, 0o666)
    assert cache.read_entry(entry, private=True) is None
    calls = []
    real = compiled.compile_contract
    monkeypatch.setattr(compiled, "compile_contract", lambda *args: calls.append(args) or real(*args))
    _compile(contracts, kept)
    assert len(calls) == 1
    assert cache.read_entry(entry, private=True) is not None  # replaced by one of the user's own


def test_a_schema_the_validator_library_refuses_stops_the_start_and_nothing_is_kept(contracts, kept):
    path = contracts / f"{API}.yaml"
    path.write_text(path.read_text().replace("maxLength: 32", "maxLength: 32\n                  pattern: '(unclosed'", 1))
    with pytest.raises(ValueError):
        _compile(contracts, kept)
    assert _entries(kept) == []


def test_the_parsed_contract_reads_back_as_parsing_makes_it_and_a_damaged_one_is_parsed_again(contracts, kept):
    text = (contracts / f"{API}.yaml").read_bytes()
    parsed = parse_contract(text, API, kept)
    [entry] = kept.glob(f"{API}-*.json")
    assert parse_contract(text, API, kept) == parsed
    entry.write_bytes(entry.read_bytes()[:-20])
    assert parse_contract(text, API, kept) == parsed
    assert cache.read_entry(entry) is not None


def test_the_shipped_fixtures_read_back_as_parsing_makes_them(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    [shipped] = [path for path in default_fixtures_dir().iterdir() if path.suffix == ".yaml"]
    expected = parse_fixture(shipped.read_bytes(), str(shipped))
    assert read_fixture(shipped, keep_parsed=True) == expected
    [entry] = (tmp_path / "mock-server" / "fixtures").iterdir()
    assert read_fixture(shipped, keep_parsed=True) == expected
    entry.write_bytes(b"damaged")
    assert read_fixture(shipped, keep_parsed=True) == expected


def test_a_fixture_not_shipped_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = tmp_path / "mine.yaml"
    mine.write_text("afosto:\n  accounts: [{name: mine, token: my-token}]\n")
    assert read_fixture(mine) == {"afosto": {"accounts": [{"name": "mine", "token": "my-token"}]}}
    assert not (tmp_path / "cache").exists()


def test_the_code_fingerprint_changes_with_any_source_file(tmp_path):
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "b.py").write_text("B = 2\n")
    (package / "notes.txt").write_text("not code")
    before = cache.package_fingerprint(package)
    assert cache.package_fingerprint(package) == before
    (package / "notes.txt").write_text("still not code")
    assert cache.package_fingerprint(package) == before
    (package / "sub" / "b.py").write_text("B = 3\n")
    os.utime(package / "sub" / "b.py", ns=(1, 1))
    changed = cache.package_fingerprint(package)
    assert changed != before
    (package / "c.py").write_text("")
    assert cache.package_fingerprint(package) != changed


def test_only_the_newest_entries_of_an_api_are_kept(tmp_path):
    for number in range(cache.KEPT_ENTRIES + 3):
        entry = tmp_path / f"{API}-{number:04d}.pickle"
        cache.write_entry(entry, b"content")
        os.utime(entry, ns=(number * 10**9, number * 10**9))
    cache.write_entry(tmp_path / f"{API}-last.pickle", b"content")
    cache.write_entry(tmp_path / "relay-other.pickle", b"content")
    kept = sorted(path.name for path in tmp_path.glob(f"{API}-*.pickle"))
    assert len(kept) == cache.KEPT_ENTRIES
    assert f"{API}-last.pickle" in kept and f"{API}-0000.pickle" not in kept
    assert (tmp_path / "relay-other.pickle").exists()


def test_an_unwritable_cache_folder_only_costs_time(contracts, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would go")
    contract = _compile(contracts, blocked / "cache")
    assert contract.operations
