"""Migrations: a round trip, and a migrated schema equal to the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from matchmaker import create_app
from matchmaker.extensions import db

from support import make_test_config, reset_database


def _tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(tmp_path):
    app = create_app(make_test_config(tmp_path))
    with app.app_context():
        reset_database()
        upgrade()
    assert {"event", "meeting", "booking", "meeting_request", "solve_run"} <= _tables(app)
    with app.app_context():
        downgrade(revision="base")
    assert _tables(app) == set()
    with app.app_context():
        upgrade()
    assert set(db.metadata.tables) == _tables(app)


def test_migrated_schema_matches_the_models(tmp_path):
    app = create_app(make_test_config(tmp_path))
    with app.app_context():
        reset_database()
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == [], diff
