"""Helpers of the scale-out and fault tests: subprocess environments, runs, waiting, and a
browser-like HTTP client (the `redis_url` fixture is in conftest.py).

Imported by name (pytest puts the test folder on sys.path), like support.
"""
from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from matchmaker.database import read_only_transactions
from matchmaker.extensions import db
from matchmaker.models import RunStatus, SolveRun
from support import DEMO_PASSWORD

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


def work_queue_once(app, redis_url: str) -> None:
    """Work the app's queue in this process until it is empty (RQ's SimpleWorker), as
    `matchmaker worker --burst` does; its jobs build their app from the environment.

    RQ times jobs out with SIGALRM, which only the main thread can handle; where pytest
    runs the test in another thread the worker uses RQ's timer thread instead."""
    from rq import Queue, SimpleWorker
    from rq.timeouts import TimerDeathPenalty

    from matchmaker.schedule.queue_rq import redis_connection

    class Worker(SimpleWorker):
        if threading.current_thread() is not threading.main_thread():
            death_penalty_class = TimerDeathPenalty

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    connection = redis_connection(redis_url)
    try:
        queue = Queue(app.config["RUNS_QUEUE"], connection=connection)
        assert Worker([queue], connection=connection).work(burst=True)
    finally:
        connection.close()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def run_row(app, run_id: int) -> SolveRun:
    # a deferred transaction: polling must not take SQLite's write lock from the job
    with app.app_context(), read_only_transactions():
        run = db.session.get(SolveRun, run_id)
        db.session.expunge(run)
        db.session.remove()
        return run


def last_run_id(app) -> int:
    with app.app_context(), read_only_transactions():
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


def worker_running(app, tmp_path, redis_url, run_id: int):
    """A `matchmaker worker` subprocess, returned once it runs `run_id`."""
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(matchmaker_command("worker"),
                                  env=app_environment(app, tmp_path, redis_url),
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: run_row(app, run_id).status is RunStatus.RUNNING,
                   "the worker to start the run")
    except BaseException:
        stop_process(worker)
        raise
    return worker, log


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


class Browser:
    """A cookie-keeping HTTP client that never follows redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """POST a form; a redirect comes back as (302, its location)."""
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            if error.code in (301, 302, 303):
                return error.code, error.headers.get("Location", "")
            return error.code, error.read().decode()

    def post_to(self, base: str, path: str, data: dict) -> tuple[int, str]:
        """POST to the same path on another server, with this browser's cookies."""
        own, self.base = self.base, base
        try:
            return self.post(path, data)
        finally:
            self.base = own

    def login(self, email: str) -> None:
        status, _ = self.post("/login", {"email": email, "password": DEMO_PASSWORD})
        assert status == 302, f"login of {email} failed with {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def accept_every_buyer_supplier_pair(app) -> int:
    """Accepted requests between every buyer and supplier of the demo event; their number.

    The small demo schedules to proven optimality in about a second, before a stop could
    reach it; with every pair asking, a meetings run takes minutes.
    """
    from matchmaker.models import Event, MeetingRequest, Participation, RequestStatus, Role

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        people = list(db.session.scalars(select(Participation)
                                         .where(Participation.event_id == event.id)))
        asked = {frozenset((r.sender_id, r.recipient_id)) for r in db.session.scalars(
            select(MeetingRequest).where(MeetingRequest.event_id == event.id))}
        added = 0
        for buyer in (p for p in people if p.role is Role.BUYER):
            for supplier in (p for p in people if p.role is Role.SUPPLIER):
                if frozenset((buyer.id, supplier.id)) not in asked:
                    db.session.add(MeetingRequest(event_id=event.id, sender_id=buyer.id,
                                                  recipient_id=supplier.id,
                                                  status=RequestStatus.ACCEPTED))
                    added += 1
        db.session.commit()
        db.session.remove()
        return added
