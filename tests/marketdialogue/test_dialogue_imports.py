"""The dialogue solver is a library: no web framework, no database layer."""
from __future__ import annotations

import ast
from pathlib import Path

import matchmaker.marketdialogue

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug"}
PACKAGE = Path(matchmaker.marketdialogue.__file__).parent
ROOT = PACKAGE.parent.parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_imports_flask_or_sqlalchemy():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 5
    seen: set[Path] = set()
    todo = list(modules)
    while todo:  # follow imports into other matchmaker modules too
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.relative_to(ROOT)} imports {name}"
            if name.startswith("matchmaker.") and name != "matchmaker.marketdialogue":
                target = ROOT / (name.replace(".", "/") + ".py")
                if target.exists():
                    todo.append(target)
