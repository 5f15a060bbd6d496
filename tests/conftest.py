"""Fixtures: an app on a fresh database per test, clients, the CLI runner, demo data."""
from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.demo import seed_demo
from matchmaker.extensions import db
from support import DEMO_PASSWORD, build_app, login


TESTS = Path(__file__).resolve().parent
SOLVER_FOLDERS = {"scheduling", "marketdialogue"}
DATABASE_FIXTURES = {"app", "client", "runner", "session", "demo", "login_as"}


def pytest_collection_modifyitems(config, items):
    """Mark the pure solver tests (the solver folders, no database fixture) `solver`, and
    the end-to-end folder `browser`; other browser tests carry the mark themselves."""
    for item in items:
        folder = Path(str(item.fspath)).relative_to(TESTS).parts[0]
        if folder in SOLVER_FOLDERS and not DATABASE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.solver)
        if folder == "e2e":
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture
def login_as(app):
    """login_as('buyer1@demo.example') -> a test client logged in as that user."""
    def _login(email: str, password: str = DEMO_PASSWORD):
        client = app.test_client()
        response = login(client, email, password)
        assert response.status_code == 302, response.data
        return client
    return _login
