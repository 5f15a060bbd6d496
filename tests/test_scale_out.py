"""The scale-out path: solver runs on RQ + a real Redis, the site on gunicorn workers.

A private redis-server runs on a free loopback port; the database is the suite's
(a file SQLite database, or PostgreSQL when MATCHMAKER_TEST_DATABASE_URL is set),
shared by the test, the queue worker and the gunicorn workers as separate processes.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from matchmaker import scheduling
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import services as meeting_services
from matchmaker.models import (Event, Meeting, MeetingRequest, Participation, Role,
                               RunStatus)
from scale_helpers import (Browser, accept_every_buyer_supplier_pair, app_environment,
                           free_port, last_run_id, log_tail, matchmaker_command, run_row,
                           stop_process, use_rq, wait_until, worker_running)
from support import DEMO_PASSWORD, ORGANISER, csrf_token_from

pytest.importorskip("rq")

CONSOLE = "/events/demo/console/schedule"


def start_meetings_run(client, time_limit: int) -> None:
    response = client.post(f"{CONSOLE}/runs/meetings",
                           data={"m-kind": "meetings", "m-time_limit": str(time_limit)})
    assert response.status_code == 302, response.get_data(as_text=True)


def run_worker_burst(env) -> subprocess.CompletedProcess:
    done = subprocess.run(matchmaker_command("worker", "--burst"), env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_a_console_run_waits_in_redis_and_a_separate_worker_solves_it(
        demo, login_as, redis_url, tmp_path):
    use_rq(demo, redis_url)
    start_meetings_run(login_as(ORGANISER), time_limit=2)
    run_id = last_run_id(demo)
    queued = run_row(demo, run_id)
    assert queued.status is RunStatus.QUEUED
    assert queued.runner.startswith("queue:rq:")

    run_worker_burst(app_environment(demo, tmp_path, redis_url))

    run = run_row(demo, run_id)
    assert run.status is RunStatus.FINISHED, run.message
    assert scheduling.parse_schedule(run.result).assignments
    assert run.progress == 1.0 and '"code": "meetings_summary"' in run.message
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0  # a draft only


def test_a_stop_pressed_while_the_run_is_queued_reaches_the_worker(
        demo, login_as, redis_url, tmp_path):
    use_rq(demo, redis_url)
    client = login_as(ORGANISER)
    start_meetings_run(client, time_limit=600)
    run_id = last_run_id(demo)
    assert client.post(f"{CONSOLE}/runs/{run_id}/stop").status_code == 302
    waiting = run_row(demo, run_id)
    assert waiting.status is RunStatus.QUEUED and waiting.stop_requested

    run_worker_burst(app_environment(demo, tmp_path, redis_url))

    run = run_row(demo, run_id)
    assert run.status is RunStatus.STOPPED, run.message
    assert '"code": "stopped_early"' in run.message
    assert scheduling.parse_schedule(run.result).assignments


def test_a_stop_pressed_in_the_web_app_reaches_a_run_in_the_worker_process(
        demo, login_as, redis_url, tmp_path):
    use_rq(demo, redis_url)
    assert accept_every_buyer_supplier_pair(demo) > 50  # a run long enough to be stopped
    client = login_as(ORGANISER)
    start_meetings_run(client, time_limit=600)  # the longest a run may take, stopped by hand
    run_id = last_run_id(demo)
    worker, log = worker_running(demo, tmp_path, redis_url, run_id)
    try:
        running = run_row(demo, run_id)
        assert running.runner and not running.runner.startswith("queue:")
        assert client.post(f"{CONSOLE}/runs/{run_id}/stop").status_code == 302
        wait_until(lambda: run_row(demo, run_id).status is not RunStatus.RUNNING,
                   "the run to stop")
    finally:
        stop_process(worker)
    run = run_row(demo, run_id)
    assert run.status is RunStatus.STOPPED, (run.message, log_tail(log))
    assert run.elapsed_s < run.time_limit_s
    assert scheduling.parse_schedule(run.result).assignments


# --- gunicorn --------------------------------------------------------------------

ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


class Gunicorn:
    """gunicorn serving the app with several workers; which worker answered what."""

    def __init__(self, env, tmp_path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access = tmp_path / "access.log"
        self.errors = tmp_path / "gunicorn.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.access),
             "--access-logformat", ACCESS_LOG_FORMAT, "--error-logfile", str(self.errors),
             "--timeout", "120", "matchmaker:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self) -> None:
        import urllib.error
        import urllib.request

        def up():
            if self.process.poll() is not None:
                pytest.fail("gunicorn exited: " + log_tail(self.errors))
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=10) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False
        wait_until(up, "gunicorn to serve")

    def answers(self) -> list[tuple[str, str, str, int]]:
        """(worker pid, method, path, status) of every request so far."""
        rows = []
        for line in self.access.read_text().splitlines():
            match = re.fullmatch(r"<?(\d+)>? (\S+) (\S+) (\d+)", line.strip())
            if match:
                rows.append((match[1], match[2], match[3], int(match[4])))
        return rows

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def gunicorn(demo, redis_url, tmp_path):
    """Two gunicorn servers of two workers each on one database, secret key and Redis.

    Sending a page to one server and its form to the other proves, whatever the
    kernel's choice of worker, that different processes serve one person's visit.
    """
    env = app_environment(demo, tmp_path, redis_url, MATCHMAKER_SECURE_COOKIES="0",
                          MATCHMAKER_RATELIMIT_STORAGE_URI=redis_url.replace("/0", "/1"))
    servers = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(Gunicorn(env, tmp_path / name))
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def browser_login(browser: Browser, email: str, password: str = DEMO_PASSWORD, *,
                  post_to: str | None = None) -> int:
    """Log in through the form; the form may be sent to another server than the page."""
    status, page = browser.get("/login")
    assert status == 200
    status, _ = browser.post_to(post_to or browser.base, "/login", {
        "email": email, "password": password, "csrf_token": csrf_token_from(page)})
    return status


def requestable_pairs(app) -> list[tuple[str, int]]:
    """(buyer's e-mail, supplier's participation id) pairs a request may be sent for now."""
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        people = db.session.scalars(select(Participation).where(
            Participation.event_id == event.id)).all()
        buyers = [p for p in people if p.role is Role.BUYER]
        suppliers = [p for p in people if p.role is Role.SUPPLIER]
        now = utcnow()
        pairs = [(buyer.user.email, supplier.id) for buyer in buyers for supplier in suppliers
                 if meeting_services.why_not_requestable(db.session, event, buyer, supplier,
                                                         now) is None]
        db.session.remove()
        return pairs


def test_gunicorn_workers_share_sessions_and_csrf_across_login_pages_and_posts(
        demo, gunicorn):
    a, b = gunicorn
    pairs = requestable_pairs(demo)
    assert len(pairs) >= 4
    browsers: dict[str, Browser] = {}
    sent = 0
    for email, supplier_id in pairs[:6]:
        if email not in browsers:
            browsers[email] = Browser(a.base)
            assert browser_login(browsers[email], email, post_to=b.base) == 302
        browser = browsers[email]
        status, page = browser.get(f"/events/demo/requests/new/{supplier_id}")
        assert status == 200
        status, location = browser.post_to(b.base, f"/events/demo/requests/new/{supplier_id}", {
            "priority": "2", "message": "Across workers", "csrf_token": csrf_token_from(page)})
        assert status == 302, location
        sent += 1
    pages = {pid for pid, method, path, code in a.answers() if method == "GET"}
    posts = {pid for pid, method, path, code in b.answers() if method == "POST"}
    assert pages and posts and not pages & posts

    with demo.app_context():
        stored = db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
            MeetingRequest.message == "Across workers"))
        assert stored == sent


def test_gunicorn_workers_count_failed_logins_together_in_redis(demo, gunicorn):
    a, b = gunicorn
    browser = Browser(a.base)
    statuses = [browser_login(browser, "buyer2@demo.example", "wrong password 1",
                              post_to=server.base) for server in (a, a, a, b, b)]
    assert statuses == [400] * 5, statuses
    # Server a has seen three failures itself; only the shared count makes this the sixth.
    assert browser_login(browser, "buyer2@demo.example", "wrong password 1",
                         post_to=a.base) == 429
    assert browser_login(browser, "buyer2@demo.example", "circular-demo-2026",
                         post_to=b.base) == 429
