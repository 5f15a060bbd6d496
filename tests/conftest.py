"""Fixtures: an app on a fresh database per test, clients, the CLI runner, demo data,
synchronous solver runs, a published schedule, a private redis-server.

Plain helpers are in support.py; folders add their own fixtures in their conftest.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from matchmaker.extensions import db
from matchmaker.schedule.runners import SyncJobRunner
import compile_once
from scale_helpers import free_port, stop_process, wait_until
from support import (DEMO_PASSWORD, build_app, demo_event, login, publish_fcfs, seed_demo_event,
                     served_as_in_production)


compile_once.install()

TESTS = Path(__file__).resolve().parent
SOLVER_FOLDERS = {"scheduling", "marketdialogue"}
DATABASE_FIXTURES = {"app", "client", "runner", "session", "demo", "login_as"}


def pytest_collection_modifyitems(config, items):
    """Mark the pure solver tests (the solver folders, no database fixture) `solver`, and
    the end-to-end folder `browser`; other browser tests carry the mark themselves.

    Then run the longest tests first: `slow`, then `browser`, then the rest, each in the
    order collected. pytest-xdist hands tests out in this order, so the long ones start
    early on both workers instead of one worker finishing a 50-s test alone at the end
    (most of them are in the root folder, collected last)."""
    for item in items:
        folder = Path(str(item.fspath)).relative_to(TESTS).parts[0]
        if folder in SOLVER_FOLDERS and not DATABASE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.solver)
        if folder == "e2e":
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None,
                                 item.get_closest_marker("browser") is None))


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
    seed_demo_event(app)
    return app


@pytest.fixture
def live(demo):
    """The demo event served on a loopback port, CSRF on as in production; its base URL."""
    with served_as_in_production(demo) as base:
        yield base


@pytest.fixture
def login_as(app):
    """login_as('buyer1@demo.example') -> a test client logged in as that user."""
    def _login(email: str, password: str = DEMO_PASSWORD):
        client = app.test_client()
        response = login(client, email, password)
        assert response.status_code == 302, response.data
        return client
    return _login


@pytest.fixture
def sync_runs(app):
    """Solver runs execute in the request that starts them (folders opt in with autouse)."""
    app.config["RUNS_SYNC"] = True
    app.extensions["solve_runner"] = SyncJobRunner()


@pytest.fixture
def published(demo):
    """The demo event with a first-come-first-served schedule published; returns the app."""
    with demo.app_context():
        publish_fcfs(demo_event())
        db.session.remove()
    return demo


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server on a free loopback port, no persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make redis installs it)")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = Redis.from_url(url)

    def up():
        if process.poll() is not None:
            pytest.fail("redis-server exited at start")
        try:
            return client.ping()
        except RedisConnectionError:
            return False

    try:
        wait_until(up, "redis-server to answer", timeout_s=30, every_s=0.05)
        yield url
    finally:
        client.close()
        stop_process(process)
