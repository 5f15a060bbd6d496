"""Helpers of the scale-out and fault tests: a throwaway Redis, subprocess environments.

Imported by name (pytest puts the test folder on sys.path), like schedule_helpers.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import SolveRun

WAIT_S = 240  # generous: the machines running the suite are shared and often busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, timeout_s: float = WAIT_S, every_s: float = 0.2):
    """Poll `condition` until it returns something truthy; fail with `what` otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every_s)


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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def database_url(app) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=False)


def app_environment(app, tmp_path, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment a separate process (worker, gunicorn) needs to run this app's site."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("MATCHMAKER_") and key not in ("DATABASE_URL", "SECRET_KEY")}
    env.update({
        "DATABASE_URL": database_url(app),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MATCHMAKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "MATCHMAKER_RUNS_BACKEND": "rq",
        "MATCHMAKER_RUNS_REDIS_URL": redis_url,
        "MATCHMAKER_SOLVER_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def matchmaker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "matchmaker", *args]


def use_rq(app, redis_url: str) -> None:
    """Switch a test app to the RQ backend on `redis_url`."""
    from matchmaker.schedule.queue_rq import RQJobRunner

    app.config.update(RUNS_SYNC=False, RUNS_BACKEND="rq", RUNS_REDIS_URL=redis_url)
    app.extensions["solve_runner"] = RQJobRunner(app)


def run_row(app, run_id: int) -> SolveRun:
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        db.session.expunge(run)
        db.session.remove()
        return run


def last_run_id(app) -> int:
    with app.app_context():
        run_id = db.session.scalar(select(SolveRun.id).order_by(SolveRun.id.desc()))
        db.session.remove()
        return run_id


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""
