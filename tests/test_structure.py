"""The package's shape: modules import downwards only, with no cycles (type-only imports
included), the engine's sub-packages in their layer order, and no module or function too
long to read."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mock_server"
# Lower layers never import higher ones; app-level modules may import anything below.
LAYERS = {
    "mock_server.engine": 0,
    "mock_server.apis": 1,
}
# The engine from the bottom up: its root's small utilities (errors, jsonio, clock, ...),
# then each sub-package, with the hubs between them. A module imports only from lower
# layers and from its own sub-package (or, at the root, other utilities).
ENGINE = "mock_server.engine"
ENGINE_LAYERS = (
    "utilities", "contract", "values", "state", "background", "http", "runtime", "vendor", "behaviour", "tools",
    "pipeline",
)
HUBS = frozenset({"runtime", "vendor", "pipeline"})
UTILITIES = frozenset({"asgi", "bundled", "clock", "errors", "inflection", "jsonio", "memo", "sizes"})
MODULE_LINES = 400
FUNCTION_LINES = 60
# Modules that are generated tables of contract data may be longer (none is, today).
GENERATED_TABLES: frozenset[str] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package this module imports anywhere (functions and TYPE_CHECKING too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # `from . import x` imports the package, and its submodule x when there is one.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer(name: str) -> int:
    for prefix, layer in LAYERS.items():
        if name == prefix or name.startswith(prefix + "."):
            return layer
    return 2


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_type_only_and_relative_imports(tmp_path):
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert _cycles(graph) == [["a", "b"]]
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .two import X\n")
    (package / "two.py").write_text("from . import one\n")
    known = {"pkg", "pkg.one", "pkg.two"}
    assert _imports("pkg.one", package / "one.py", known) == {"pkg.two"}
    assert _imports("pkg.two", package / "two.py", known) == {"pkg", "pkg.one"}


def test_modules_import_downwards_only():
    upward = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(name)
    ]
    assert upward == []


def test_api_modules_do_not_reach_into_each_other():
    crossing = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if name.startswith("mock_server.apis.") and name.count(".") >= 3
        for target in targets
        if target.startswith("mock_server.apis.") and target.count(".") >= 3 and target.split(".")[2] != name.split(".")[2]
    ]
    assert crossing == []


def _engine_part(name: str) -> str:
    """The engine layer a module of the engine belongs to."""
    part = name[len(ENGINE) + 1:].split(".")[0] if name != ENGINE else ""
    return part if part in ENGINE_LAYERS and part != "utilities" else "utilities"


def test_the_engine_root_holds_only_the_hubs_and_small_utilities():
    root = PACKAGE / "engine"
    sub_packages = {path.name for path in root.iterdir() if (path / "__init__.py").exists()}
    assert sub_packages == set(ENGINE_LAYERS) - HUBS - {"utilities"}
    modules = {path.stem for path in root.glob("*.py")} - {"__init__"}
    assert modules - HUBS <= UTILITIES


def test_the_engine_layers_import_downwards_only():
    order = {part: index for index, part in enumerate(ENGINE_LAYERS)}
    wrong = [
        f"{name} ({_engine_part(name)}) imports {target} ({_engine_part(target)})"
        for name, targets in _graph().items()
        if name.startswith(ENGINE)
        for target in targets
        if target.startswith(ENGINE)
        and order[_engine_part(target)] >= order[_engine_part(name)]
        and not (_engine_part(target) == _engine_part(name) and _engine_part(name) not in HUBS)
    ]
    assert wrong == []


def test_the_layer_check_sees_a_sideways_and_an_upward_import():
    graph = {
        f"{ENGINE}.state.store": {f"{ENGINE}.values.fake", f"{ENGINE}.state.changes", f"{ENGINE}.jsonio"},
        f"{ENGINE}.values.fake": {f"{ENGINE}.state.store"},
        f"{ENGINE}.contract.kinds": {f"{ENGINE}.runtime"},
    }
    assert [_engine_part(name) for name in graph] == ["state", "values", "contract"]
    order = {part: index for index, part in enumerate(ENGINE_LAYERS)}
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if order[_engine_part(target)] >= order[_engine_part(name)] and _engine_part(target) != _engine_part(name)
    )
    assert upward == [f"{ENGINE}.contract.kinds -> {ENGINE}.runtime", f"{ENGINE}.values.fake -> {ENGINE}.state.store"]



def _too_long(package: Path) -> list[str]:
    """Modules over `MODULE_LINES` lines and functions over `FUNCTION_LINES` (from the
    `def` to the last line, docstring and nested functions included)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        name = _module_name(path) if package == PACKAGE else path.relative_to(package).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MODULE_LINES and name not in GENERATED_TABLES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    found.append(f"{name}: {node.name} (line {node.lineno}) is {length} lines")
    return found


def test_no_module_or_function_is_too_long_to_read():
    assert _too_long(PACKAGE) == []


def test_the_length_check_sees_a_long_module_and_a_long_function(tmp_path):
    body = "\n".join(f"    x{index} = {index}" for index in range(FUNCTION_LINES))
    (tmp_path / "long_function.py").write_text(f"async def long():\n{body}\n\n\ndef short():\n    return 1\n")
    (tmp_path / "long_module.py").write_text("x = 1\n" * (MODULE_LINES + 1))
    (tmp_path / "fits.py").write_text("x = 1\n" * MODULE_LINES)
    assert _too_long(tmp_path) == [
        f"long_function.py: long (line 1) is {FUNCTION_LINES + 1} lines",
        f"long_module.py: {MODULE_LINES + 1} lines",
    ]
