"""Compiled contracts kept between runs.

Compiling a contract (resolving its schemas, classifying its operations, building its
routes) is most of what start-up spends on the contracts, and its result is the same
whenever its inputs are: the contract's YAML, the settings its API module adjusts it
by, and the code (this package's, the YAML parser's, and the validator library's, which
must accept every schema a kept contract has). So the first start compiles each
contract and keeps the result in the cache folder, and later starts read it back (a
pickle, a few times quicker than parsing and compiling). The entry's name is a digest
of all of those inputs, so a changed contract, other settings or changed code make a
new entry rather than reuse a stale one; a damaged entry, or one that someone else
could have written, is ignored and replaced. Validators are not kept: they are compiled
on first use in any case. Nor is the document: a contract read back makes it again
(from the YAML it was compiled from, kept in memory, through the parsed-contract cache)
when it is first asked for.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import partial
from pathlib import Path
from typing import Any, Callable, Protocol

from ..memo import BoundedMemo
from .cache import cache_folder, code_fingerprint, library_fingerprint, read_entry, write_entry
from .files import contract_text, parse_contract, text_digest
from .collections import contract_collections
from .operations import CompiledContract, compile_contract
from .sharing import share_schemas


class ContractAdjuster(Protocol):
    """What compiling a contract reads of its API module (a `VendorApi` is one)."""

    settings: Any

    def adjust_contract(self, document: dict[str, Any]) -> None: ...

    def formats(self) -> dict[str, Callable[[str], bool]]: ...


# The contracts this process has compiled or read back, by entry: the sandboxes a test run
# builds (one per configuration) share them. A compiled contract is never changed once
# made (validators and the document are added on first use, the same for every sandbox).
_IN_PROCESS: BoundedMemo = BoundedMemo(32)


def compiled_contract(
    contracts_dir: Path, api: str, vendor: ContractAdjuster, cache_dir: Path | None = None, code: str | None = None
) -> CompiledContract:
    """One API's contract, adjusted by its module and compiled: from the cache when an
    entry for exactly these inputs is there, else compiled now and kept.

    ``code`` is the fingerprint of the code (default: this package's, `code_fingerprint`).
    """
    text = contract_text(contracts_dir, api)
    code = code or code_fingerprint()
    entry = key = None
    if code is not None:
        inputs = [api, text_digest(text), repr(vendor.settings), code, *map(library_fingerprint, ("yaml", "jsonschema_rs"))]
        key = hashlib.sha256("\n".join(inputs).encode()).hexdigest()[:32]
        entry = (cache_dir or cache_folder("compiled")) / f"{api}-{key}.pickle"
        shared = _IN_PROCESS.get(entry)
        if shared is not None:
            return shared
    contract = _read(entry, api) if entry is not None else None
    if contract is None:
        contract = compile_contract(api, _adjusted(text, api, vendor, cache_dir), vendor.formats())
        share_schemas(contract.operations)
        contract.inputs_digest = key or ""
        # A schema the validator library refuses stops this start, as it would without a
        # cache, rather than a later request; an entry is kept only for a contract without one.
        contract.compile_validators()
        contract_collections(contract)  # kept with the contract
        if entry is not None:
            write_entry(entry, pickle.dumps(contract, protocol=pickle.HIGHEST_PROTOCOL))
            _IN_PROCESS.keep(entry, contract)
        return contract
    contract.schemas.formats = vendor.formats()
    contract.document_source.load = partial(_adjusted, text, api, vendor, cache_dir)
    return _IN_PROCESS.keep(entry, contract)


def forget_compiled() -> None:
    """Forget the contracts this process holds; the next sandbox reads them from the cache
    folder, as a new process would."""
    _IN_PROCESS.clear()


def _adjusted(text: bytes, api: str, vendor: ContractAdjuster, cache_dir: Path | None) -> dict[str, Any]:
    """The document a contract is compiled from: parsed (through the cache), then adjusted
    by its API module; the same every time for the same text and settings."""
    document = parse_contract(text, api, cache_dir)
    vendor.adjust_contract(document)
    return document


def _read(entry: Path, api: str) -> CompiledContract | None:
    content = read_entry(entry, private=True)
    if content is None:
        return None
    try:
        contract = pickle.loads(content)
    except Exception:  # whatever an entry that is not what it should be raises: it is ignored
        return None
    if not isinstance(contract, CompiledContract) or contract.api != api:
        return None
    return contract
