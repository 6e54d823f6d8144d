"""The core and the handlers never import a platform library; only their transports do."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import PROJECT_ROOT

PLATFORM_LIBRARIES = {"telegram", "nio"}
ALLOWED = {"telegram": "bot/transports/telegram.py", "nio": "bot/transports/matrix.py"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_platform_imports_outside_their_transport():
    offenders = []
    for folder in ("bot", "handlers"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            for library in imported_roots(path) & PLATFORM_LIBRARIES:
                if ALLOWED[library] != relative:
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
