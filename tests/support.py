"""Helpers the tests share: test configuration, a fresh app, logging in, CSRF tokens.

Kept out of conftest.py so that tests can import them whatever other conftest
modules a run collects.
"""
from __future__ import annotations

import os
import re

from sqlalchemy import select, text

from matchmaker import create_app
from matchmaker.extensions import db
from matchmaker.models import User
from matchmaker.reference_data import ensure_reference_data

DEMO_PASSWORD = "circular-demo-2026"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def make_test_config(tmp_path, **overrides) -> dict:
    url = os.environ.get("MATCHMAKER_TEST_DATABASE_URL") or \
        f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMETERS": FAST_ARGON2,
        "DEMO_PASSWORD": DEMO_PASSWORD,
    }
    config.update(overrides)
    return config


def reset_database() -> None:
    """Empty the database (a shared PostgreSQL one too), migration stamp included."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def build_app(tmp_path, **overrides):
    app = create_app(make_test_config(tmp_path, **overrides))
    with app.app_context():
        reset_database()
        db.create_all()
        ensure_reference_data(db.session)
        db.session.commit()
    return app


def login(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def csrf_token_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def user_by_email(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
