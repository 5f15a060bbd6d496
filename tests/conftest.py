"""Fixtures: an app on a fresh database per test, clients, the CLI runner, demo data."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select, text

from matchmaker import create_app
from matchmaker.demo import seed_demo
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


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close every database connection a test opened, whichever apps it created."""
    yield
    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


@pytest.fixture
def demo(app):
    """A small demo event (slug `demo`); returns the app with it loaded."""
    with app.app_context():
        seed_demo(db.session, attendees=30, seed=7,
                  password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()
    return app


def login(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def login_as(app):
    """login_as('buyer1@demo.example') -> a test client logged in as that user."""
    def _login(email: str, password: str = DEMO_PASSWORD):
        client = app.test_client()
        response = login(client, email, password)
        assert response.status_code == 302, response.data
        return client
    return _login


def csrf_token_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def user_by_email(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
