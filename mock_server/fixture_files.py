"""Fixture documents read from files or text, in YAML or JSON, checked to be plain data.

A document may hold a top-level `overrides:` list of override rules (see
`engine/tools/overrides.py`) beside its API sections; `split_overrides` parts them.

YAML is read safely (no tags that build objects), with dates kept as the text they were
written as. What YAML can hold and JSON cannot (binary, sets, NaN) is refused, as are
aliases that expand a document far beyond its own size and nesting deeper than
`MAX_DOCUMENT_DEPTH`. PyYAML is loaded when a YAML text has to be parsed; what the
shipped start-up fixtures parse to is kept in the cache folder (`engine/contract/cache.py`), so a
start reads it back without loading a YAML parser.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import orjson

from .engine import jsonio
from .engine.bundled import bundled_folder
from .engine.contract.cache import cache_folder, code_fingerprint, library_fingerprint, read_json_object, write_entry
from .engine.jsonio import MAX_DOCUMENT_DEPTH
from .engine.errors import OverrideError

if TYPE_CHECKING:
    import yaml

    from .engine.tools.override_rules import OverrideRule


OVERRIDES = "overrides"  # the top-level list of override rules in a fixture document
# Values aliases may add to a YAML document beyond its own size (in bytes) before it is refused.
ALIAS_ALLOWANCE = 100_000


@cache
def _yaml_loader() -> type:
    """Safe YAML, with timestamps kept as the text they were written as (JSON has no dates)."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return Loader


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; the message says where."""


def default_fixtures_dir() -> Path | None:
    """The start-up fixtures shipped with the package (or the source checkout's `fixtures/`)."""
    return bundled_folder("fixtures")


def fixture_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def read_fixture(path: Path, keep_parsed: bool = False) -> dict[str, Any]:
    """A fixture file's document.

    ``keep_parsed``: what its YAML parses to is kept in the cache folder and read back from
    there while the file and the code are unchanged (for the shipped start-up fixtures).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"{path}: cannot be read: {error.strerror or error}") from None
    code = code_fingerprint()
    if not keep_parsed or code is None or _looks_like_json(data):
        return parse_fixture(data, str(path))
    key = hashlib.sha256(data + code.encode() + library_fingerprint("yaml").encode()).hexdigest()[:32]
    entry = cache_folder("fixtures") / f"{path.stem}-{key}.json"
    kept = read_json_object(entry)
    if kept is not None:
        return kept
    document = parse_fixture(data, str(path))
    try:
        text = orjson.dumps(document)
    except orjson.JSONEncodeError:  # e.g. an integer JSON cannot hold: nothing is kept
        return document
    if orjson.loads(text) == document:
        write_entry(entry, text)
    return document


def _looks_like_json(data: bytes) -> bool:
    """Whether a document starts as JSON does (an object or a list), rather than as YAML."""
    return data.lstrip()[:1] in (b"{", b"[")


def parse_fixture(data: bytes, source: str = "fixture") -> dict[str, Any]:
    """A fixture document from YAML or JSON text; FixtureError (one line) when it is neither."""
    if _looks_like_json(data):
        try:
            document = jsonio.loads(data, MAX_DOCUMENT_DEPTH)
        except jsonio.JsonError as error:
            raise FixtureError(f"{source}: not valid YAML or JSON: {error}") from None
    else:
        import yaml

        try:
            document = yaml.load(data, Loader=_yaml_loader())
        except yaml.YAMLError as error:
            raise FixtureError(f"{source}: not valid YAML or JSON: {_yaml_problem(error)}") from None
        except RecursionError:
            raise FixtureError(f"{source}: nesting deeper than {MAX_DOCUMENT_DEPTH} levels") from None
        _check_plain_data(document, len(data), source)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise FixtureError(f"{source}: a fixture is a mapping of API names")
    return document


def _yaml_problem(error: yaml.YAMLError) -> str:
    """`line 2 column 4: did not find expected ',' or ']' (while parsing a flow sequence)`."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}" + (f" ({context})" if context else "")


def _check_plain_data(document: Any, size: int, source: str) -> None:
    """What YAML read is plain JSON data: no binary or sets, no NaN, no lone surrogates,
    not nested too deep, and aliases that expand it by at most `ALIAS_ALLOWANCE` values."""
    limit = size + ALIAS_ALLOWANCE
    pending: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    seen = 0
    while pending:
        value, path = pending.pop()
        seen += 1
        if seen > limit:
            raise FixtureError(f"{source}: aliases expand the document beyond {limit:,} values; write the repeated parts out")
        if isinstance(value, (dict, list)):
            if len(path) >= MAX_DOCUMENT_DEPTH:
                raise FixtureError(f"{source}: {_place(path)}: nesting deeper than {MAX_DOCUMENT_DEPTH} levels")
            items: Iterable[tuple[Any, Any]] = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(value, dict) and not isinstance(key, (str, int)):
                    raise FixtureError(f"{source}: {_place(path)}: keys are text, not {type(key).__name__}")
                pending.append((item, (*path, key)))
        elif isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise FixtureError(f"{source}: {_place(path)}: text holds a lone surrogate") from None
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise FixtureError(f"{source}: {_place(path)}: {value} is not a JSON number")
        elif value is not None and not isinstance(value, (bool, int)):
            raise FixtureError(
                f"{source}: {_place(path)}: a {type(value).__name__} value is not JSON data; write it as text or a list"
            )


def _place(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def unknown_names(names: Iterable[str], known: Iterable[str]) -> str:
    """`casvi (did you mean casavi?)`: unknown names, each with its likely meaning."""
    known = list(known)
    described = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=1)
        described.append(f"{name} (did you mean {close[0]}?)" if close else name)
    return ", ".join(described)


def split_overrides(document: dict[str, Any], source: str = "fixture") -> tuple[dict[str, Any], list[OverrideRule]]:
    """The API sections of a document and the override rules of its `overrides:` list."""
    if OVERRIDES not in document:
        return document, []
    sections = {name: section for name, section in document.items() if name != OVERRIDES}
    listed = document[OVERRIDES] or []
    if not isinstance(listed, list):
        raise FixtureError(f"{source}: {OVERRIDES}: a list of rules")
    from .engine.tools.override_rules import parse_rule  # the rule models, built when first needed

    rules = []
    for index, data in enumerate(listed):
        try:
            rules.append(parse_rule(data, f"{OVERRIDES}[{index}]"))
        except OverrideError as error:
            raise FixtureError(f"{source}: {error}") from None
    return sections, rules

