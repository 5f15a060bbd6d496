"""matchmaker: Buyer meets Supplier events, from profiles to printed table plans.

The web application lives in `matchmaker.app`; it is loaded on first use of
`create_app` so that the solver libraries (`matchmaker.scheduling`,
`matchmaker.marketdialogue`) import without Flask or SQLAlchemy.
"""
from __future__ import annotations

from typing import Any

_FROM_APP = frozenset({"create_app", "asset_folder", "PACKAGE_DIR", "MIGRATIONS_DIR", "SAFE_METHODS"})


def __getattr__(name: str) -> Any:
    if name in _FROM_APP:
        from . import app
        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
