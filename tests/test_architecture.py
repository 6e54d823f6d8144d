"""The shape of the code: platform libraries stay in their transports, imports point down the
layers of ARCHITECTURE.md, and no import cycle exists."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

from bot import PROJECT_ROOT

PLATFORM_LIBRARIES = {"telegram", "nio"}
ALLOWED = {"telegram": "bot/transports/telegram/", "nio": "bot/transports/matrix/"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def project_modules(root: Path = PROJECT_ROOT) -> dict[str, Path]:
    modules = {}
    for folder in ("bot", "handlers"):
        for path in (root / folder).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports, by any import statement anywhere in it
    (`from package import module` counts as importing that module)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parents = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*parents, base] if base else parents)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
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


def documented_layers() -> list[list[str]]:
    """The module patterns of each layer, from the table in ARCHITECTURE.md."""
    text = (PROJECT_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    layers = []
    for line in text.splitlines():
        match = re.match(r"\| (\d) [^|]+\| ([^|]+) \|", line)
        if match:
            assert int(match.group(1)) == len(layers), "layers are numbered from 0 in order"
            layers.append(re.findall(r"`([\w.*]+)`", match.group(2)))
    return layers


def layer_of(module: str, layers: list[list[str]]) -> int | None:
    for number, patterns in enumerate(layers):
        if any(fnmatch(module, pattern) or f"{module}.*" == pattern for pattern in patterns):
            return number
    return None


def test_no_platform_imports_outside_their_transport():
    offenders = []
    for folder in ("bot", "handlers"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            for library in imported_roots(path) & PLATFORM_LIBRARIES:
                if not relative.startswith(ALLOWED[library]):
                    offenders.append(f"{relative} imports {library}")
    assert offenders == []


def test_the_check_sees_imports(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("import telegram.ext\nfrom nio import AsyncClient\n", encoding="utf-8")
    assert imported_roots(sample) == {"telegram", "nio"}


def test_handlers_do_not_reach_into_transports():
    for path in (PROJECT_ROOT / "handlers").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(m.startswith("bot.transports") for m in modules), path


def test_no_import_cycle():
    assert cycles(import_graph(project_modules())) == []


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path: Path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "handlers").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text("")
    (tmp_path / "handlers" / "__init__.py").write_text("")
    (tmp_path / "bot" / "a.py").write_text("from typing import TYPE_CHECKING\n"
                                           "if TYPE_CHECKING:\n    from bot.b import B\n")
    (tmp_path / "bot" / "b.py").write_text("def f():\n    from bot import a\n")
    assert cycles(import_graph(project_modules(tmp_path))) == [["bot.a", "bot.b"]]


def test_every_module_has_a_documented_layer():
    layers = documented_layers()
    assert len(layers) >= 5
    missing = [m for m in project_modules() if layer_of(m, layers) is None]
    assert missing == [], "add these modules to the layer table in ARCHITECTURE.md"


def test_imports_point_down_the_layers():
    layers = documented_layers()
    upward = []
    for module, targets in import_graph(project_modules()).items():
        for target in targets:
            mine, theirs = layer_of(module, layers), layer_of(target, layers)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} (layer {mine}) imports {target} (layer {theirs})")
    assert upward == []
