"""Database upkeep shared by the CLI and the tests."""
from __future__ import annotations

from flask_migrate import upgrade

from .extensions import db
from .reference_data import ensure_reference_data


def init_db() -> int:
    """Upgrade the schema to the newest migration and add missing reference data."""
    upgrade()
    return ensure_reference_data(db.session)
