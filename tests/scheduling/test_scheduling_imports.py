"""The scheduler is a library: it must run without the web stack."""
from __future__ import annotations

import ast
from pathlib import Path

import matchmaker.scheduling

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf"}


def test_scheduling_never_imports_flask_or_sqlalchemy():
    package = Path(matchmaker.scheduling.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
