"""Helpers the tests share: test configuration, a fresh app, logging in, CSRF tokens,
the demo event and its people, schedules drafted and published, a served app, a browser.

Plain functions and constants only: fixtures live in the conftest.py files. Kept out of
conftest.py so that tests can import them whatever other conftest modules a run collects
(`from conftest import ...` picks whichever conftest was imported last).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from sqlalchemy import select, text
from werkzeug.serving import make_server

import database_templates
from matchmaker import create_app
from matchmaker.demo import seed_demo
from matchmaker.extensions import db
from matchmaker.models import (Booking, DialogueSeat, DialogueSession, Event, Meeting,
                               MeetingRequest, Participation, Phase, RequestStatus, RunKind,
                               RunStatus, Side, SolveRun, User)
from matchmaker.reference_data import ensure_reference_data
from matchmaker.schedule import publish, solving
from matchmaker.scheduling import dumps_schedule, fcfs

DEMO_PASSWORD = "circular-demo-2026"
ORGANISER = "organiser@demo.example"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def database_url_for_test(tmp_path) -> str:
    """A SQLite file per test, or the PostgreSQL database named by the environment; each
    pytest-xdist worker empties its own (`<name>_gw0`, ..., made by scripts/pg-test-server.sh)."""
    url = os.environ.get("MATCHMAKER_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = f"{url}_{worker}"
    return url


def make_test_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": overrides.get("SQLALCHEMY_DATABASE_URI")
        or database_url_for_test(tmp_path),
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
    """A fresh app on a fresh database: a copy of the schema and reference data built once
    per test process (database_templates), or, where no copy can be made, built in place."""
    config = make_test_config(tmp_path, **overrides)
    url = config["SQLALCHEMY_DATABASE_URI"]
    copied = not _in_use(url) and database_templates.restore(url, database_templates.EMPTY)
    app = create_app(config)
    if not copied:
        with app.app_context():
            reset_database()
            db.create_all()
            ensure_reference_data(db.session)
            db.session.commit()
    return app


def demo_app(tmp_path, *, attendees: int, seed: int, **overrides):
    """An app (see `build_app`) with a demo event of this size and seed, committed."""
    app = build_app(tmp_path, **overrides)
    with app.app_context():
        seed_demo(db.session, attendees=attendees, seed=seed,
                  password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()
    return app


def _in_use(url: str) -> bool:
    """A SQLite file that exists already belongs to another app of the same test."""
    return url.startswith("sqlite:") and Path(url.removeprefix("sqlite:///")).exists()


def seed_demo_event(app) -> None:
    """Load the demo event of the `demo` fixture into `app`'s database: a copy of the demo
    template when the database is still as build_app left it, else seeded in place."""
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        fresh = database_templates.untouched()
        db.session.remove()
    if fresh and database_templates.restore(url, database_templates.DEMO):
        return
    with app.app_context():
        seed_demo(db.session, attendees=database_templates.DEMO_ATTENDEES,
                  seed=database_templates.DEMO_SEED,
                  password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()


def login(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def confirmation_path(app, email: str) -> str:
    """The path of the newest confirmation link e-mailed to `email`."""
    from matchmaker.mail import outbox
    with app.app_context():
        bodies = [m.body for m in outbox() if m.to == email and "/verify/" in m.body]
    assert bodies, f"no confirmation e-mail to {email}"
    match = re.search(r"https?://[^/\s]+(/verify/\S+)", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def register(client, email: str, password: str = "a-long-test-password", *,
             name: str = "Nina New", next_url: str | None = None, confirm: bool = True):
    """Register through the form; with `confirm`, follow the e-mailed link, as the person
    does, which confirms the address and logs them in. Returns the last response."""
    url = "/register" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"name": name, "email": email, "password": password,
                                      "confirm": password})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/register/check-your-mailbox"
    if not confirm:
        return response
    confirmed = client.post(confirmation_path(client.application, email))
    assert confirmed.status_code == 302, confirmed.status_code
    return confirmed


def csrf_token_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or \
        re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def user_by_email(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def participation_by_email(email: str) -> Participation:
    return db.session.scalar(select(Participation).join(User).where(User.email == email))


def demo_event() -> Event:
    """The demo event (slug `demo`), in an app context."""
    return db.session.scalar(select(Event).where(Event.slug == "demo"))


def draft_run(event: Event, schedule=None) -> SolveRun:
    """A finished meetings run whose draft is `schedule` (default: FCFS of the event now)."""
    if schedule is None:
        schedule = fcfs(solving.build_problem(db.session, event).problem)
    run = SolveRun(event_id=event.id, kind=RunKind.MEETINGS, status=RunStatus.FINISHED,
                   time_limit_s=1.0, progress=1.0, result=dumps_schedule(schedule))
    db.session.add(run)
    db.session.flush()
    return run


def place_meeting(request: MeetingRequest, slot, table) -> Meeting:
    """The request's meeting at `slot` and `table`, with both participants' bookings, as a
    published schedule has it. Flushes only (a clash raises IntegrityError here)."""
    meeting = Meeting(event_id=request.event_id, request=request, slot_id=slot.id,
                      table_id=table.id)
    db.session.add(meeting)
    db.session.flush()
    for who in (request.sender_id, request.recipient_id):
        db.session.add(Booking(meeting_id=meeting.id, participation_id=who, slot_id=slot.id))
    db.session.flush()
    return meeting


def schedule_accepted(participation: Participation) -> list[Meeting]:
    """Place each accepted request of `participation` in its own slot and table (a stand-in
    for the organiser's solve and publish). Flushes only."""
    event = participation.event
    requests = db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        (MeetingRequest.sender_id == participation.id)
        | (MeetingRequest.recipient_id == participation.id)).order_by(MeetingRequest.id)).all()
    return [place_meeting(request, event.slots[index], event.tables[index])
            for index, request in enumerate(requests)]


def publish_agenda_of(participation: Participation, side: Side) -> None:
    """Stand-in for the organiser's solve and publish: `participation`'s accepted requests
    one per slot and table, a seat on `side` at the first market-dialogue table, the event
    published. Commits."""
    schedule_accepted(participation)
    dialogue = db.session.scalars(select(DialogueSession).order_by(DialogueSession.id)).first()
    db.session.add(DialogueSeat(table_id=dialogue.tables[0].id, session_id=dialogue.id,
                                participation_id=participation.id, side=side))
    participation.event.phase = Phase.PUBLISHED
    db.session.commit()


def publish_fcfs(event: Event) -> SolveRun:
    """Publish a first-come-first-served draft of `event` (no notifications) and commit."""
    run = draft_run(event)
    publish.publish_schedule(db.session, event, run, notify=False)
    db.session.commit()
    return run


@contextmanager
def served(app):
    """Serve `app` on 127.0.0.1:<free port> in a thread; yields the base URL.

    For a browser over plain http the cookies lose their Secure flag; CSRF stays on
    unless the test's app config turned it off.
    """
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def served_as_in_production(app):
    """`served`, with CSRF on as in production (the browser tests post real forms)."""
    app.config.update(WTF_CSRF_ENABLED=True)
    with served(app) as base:
        yield base


def page_left(old_element):
    """A wait condition: the page that held `old_element` is gone.

    Like selenium's `staleness_of`, but any driver error while probing counts as gone:
    during a navigation Chromium may answer "Node with given id does not belong to the
    document" instead of the usual stale-element error.
    """
    from selenium.common.exceptions import WebDriverException

    def gone(_driver) -> bool:
        try:
            old_element.is_enabled()
        except WebDriverException:
            return True
        return False
    return gone


def wait_for_next_page(driver, old_page, timeout_s: float = 20) -> None:
    """Wait until the page that held `old_page` (its html element) is gone and the next
    one has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s).until(page_left(old_page))
    WebDriverWait(driver, timeout_s).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def browser_log_in(driver, base: str, email: str, password: str = DEMO_PASSWORD,
                   timeout_s: float = 20) -> None:
    """Log in through the login page in the browser (a fresh session)."""
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for_next_page(driver, page, timeout_s)
    assert "/login" not in driver.current_url, f"{email} could not log in"


@contextmanager
def chromium(width: int = 1280, height: int = 900, *, browser_log: bool = False,
             flags: tuple[str, ...] = ()):
    """Debian's headless Chromium driven by selenium, with a fresh profile and these extra
    command-line `flags`.

    A missing browser fails the test with the command that installs it.
    """
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: the browser tests need Debian's "
                    "chromium and chromium-driver. Run `make browser` (as root) first.",
                    pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="matchmaker-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}", *flags):
        options.add_argument(flag)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
