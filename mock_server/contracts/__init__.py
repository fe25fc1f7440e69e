"""The contract generator: vendor documents in, one OpenAPI document per API out.

One parser per document format (`redoc` for the casavi and Relay texts, `afosto` for the
`METHOD /path` reference, `messages` for the Case messages prose) feeds one writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from ..apis import API_NAMES, vendor_for
from ..engine.contract.kinds import decide_document, kinds_table
from .afosto import parse_afosto
from .afosto_additions import add_sandbox_rules
from .casavi import parse_casavi
from .enforced import enforce
from .links import add_links
from .messages import parse_messages
from .model import ApiContract
from .relay import parse_relay
from .writer import contract_to_openapi, dump_yaml

# How each document announces itself on its first line; the file names are opaque.
_FIRST_LINES = {
    "casavi manager API": "casavi",
    "Afosto": "afosto",
    "Relay API": "relay",
    "Messages API": "messages",
}


class DocumentsError(Exception):
    """The documents folder lacks a document the generator needs."""


def identify_documents(docs_dir: Path) -> dict[str, str]:
    """Read every `*.txt` in ``docs_dir`` and key its text by what it documents.

    The Relay document comes twice: the reference (``relay``) and a second text with the
    samples expanded (``relay-expanded``), which has no heading of its own.
    """
    found: dict[str, str] = {}
    for path in sorted(Path(docs_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        kind = next((name for prefix, name in _FIRST_LINES.items() if first.startswith(prefix)), None)
        if kind is None and '{- "' in text:
            kind = "relay-expanded"
        if kind is not None:
            found.setdefault(kind, text)
    missing = [name for name in API_NAMES if name not in found]
    if missing:
        raise DocumentsError(f"no document found in {docs_dir} for: {', '.join(missing)}")
    return found


def parse_documents(documents: dict[str, str]) -> dict[str, ApiContract]:
    """Run each API's parser over its document."""
    parsers: dict[str, Callable[[], ApiContract]] = {
        "casavi": lambda: parse_casavi(documents["casavi"]),
        "afosto": lambda: add_sandbox_rules(parse_afosto(documents["afosto"])),
        "relay": lambda: parse_relay(documents["relay"], documents.get("relay-expanded")),
        "messages": lambda: parse_messages(documents["messages"]),
    }
    return {name: parsers[name]() for name in API_NAMES}


KINDS_TABLE = "operation-kinds.md"


def generate(docs_dir: Path) -> dict[str, str]:
    """Every generated file's text, keyed by file name: `<api>.yaml` and the kinds table."""
    contracts = parse_documents(identify_documents(docs_dir))
    documents = {name: contract_to_openapi(contract) for name, contract in contracts.items()}
    for name, document in documents.items():
        vendor = vendor_for(name)
        model = vendor.data_model()
        enforce(
            document, name, model.client_supplies_ids, {operation: operation in vendor.clashing for operation in vendor.handlers},
            model.references,
        )
        add_links(document, name, model.client_supplies_ids, model.references, model.made, model.prerequisites)
    files = {f"{name}.yaml": dump_yaml(document) for name, document in documents.items()}
    handled = {name: set(vendor_for(name).handlers) for name in documents}
    excluded = {name: vendor_for(name).data_model().no_demo for name in documents}
    files[KINDS_TABLE] = kinds_table(
        {name: decide_document(document) for name, document in documents.items()}, handled, excluded
    )
    return files


def write_contracts(docs_dir: Path, out_dir: Path) -> list[Path]:
    """Generate and write the contracts and the kinds table; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in generate(docs_dir).items():
        target = out_dir / file_name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def check_contracts(docs_dir: Path, contracts_dir: Path, limit: int = 20) -> list[str]:
    """Differences between the committed contracts and what the generator makes now."""
    differences: list[str] = []
    for file_name, text in generate(docs_dir).items():
        target = Path(contracts_dir) / file_name
        if not target.exists():
            differences.append(f"{target}: missing")
            continue
        committed = target.read_text(encoding="utf-8")
        if committed == text:
            continue
        if file_name.endswith(".yaml"):
            changes = structural_differences(yaml.safe_load(committed), yaml.safe_load(text))
        else:
            changes = _line_differences(committed, text)
        if not changes:
            changes = ["formatting differs (same content)"]
        shown = changes[:limit]
        more = f" (and {len(changes) - limit} more)" if len(changes) > limit else ""
        differences.append(f"{target}: {len(changes)} difference(s){more}")
        differences.extend(f"  {change}" for change in shown)
    return differences


def _line_differences(committed: str, generated: str) -> list[str]:
    old, new = committed.splitlines(), generated.splitlines()
    return [f"line {i + 1}: committed {_brief(a)}, generated {_brief(b)}" for i, (a, b) in enumerate(zip(old, new)) if a != b] + (
        [f"committed {len(old)} lines, generated {len(new)}"] if len(old) != len(new) else []
    )


def structural_differences(committed: Any, generated: Any, pointer: str = "") -> list[str]:
    """JSON-pointer-style list of where two documents differ."""
    if isinstance(committed, dict) and isinstance(generated, dict):
        changes = []
        for key in committed.keys() | generated.keys():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in generated:
                changes.append(f"{here}: not generated any more")
            elif key not in committed:
                changes.append(f"{here}: generated but not committed")
            else:
                changes.extend(structural_differences(committed[key], generated[key], here))
        return sorted(changes)
    if committed != generated:
        return [f"{pointer or '/'}: committed {_brief(committed)}, generated {_brief(generated)}"]
    return []


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
