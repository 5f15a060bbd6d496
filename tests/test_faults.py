"""Faults: solver runs that die, hang or raise; restarts; a database error mid-request.

Whatever happens to a run, the published schedule stays as it was and the run ends
failed (or interrupted) with its reason. Runs go through the RQ backend on a private
redis-server, the worker in a separate process where a process has to be killed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from matchmaker import create_app
from matchmaker.extensions import db
from matchmaker.models import (Booking, Meeting, MeetingRequest, Notification, RequestStatus,
                               RunStatus, SolveRun)
from matchmaker.schedule import runs
from scale_helpers import (app_environment, last_run_id, log_tail, run_row, stop_process, use_rq,
                           wait_until, work_queue_once, worker_running)
from support import ORGANISER, make_test_config

pytest.importorskip("rq")

CONSOLE = "/events/demo/console/schedule"


def schedule_snapshot(app) -> tuple:
    """Every published meeting and booking, and which run is published (some meetings)."""
    with app.app_context():
        meetings = db.session.execute(select(
            Meeting.id, Meeting.slot_id, Meeting.table_id).order_by(Meeting.id)).all()
        assert meetings
        bookings = db.session.execute(select(
            Booking.meeting_id, Booking.participation_id).order_by(Booking.meeting_id,
                                                                   Booking.participation_id)).all()
        published_runs = db.session.scalars(select(SolveRun.id).where(
            SolveRun.published_at.is_not(None))).all()
        db.session.remove()
    return [tuple(m) for m in meetings], [tuple(b) for b in bookings], list(published_runs)


def start_run(client, time_limit: int = 600) -> None:
    response = client.post(f"{CONSOLE}/runs/meetings",
                           data={"m-kind": "meetings", "m-time_limit": str(time_limit)})
    assert response.status_code == 302


def runner_pid(app, run_id: int) -> int:
    return int(run_row(app, run_id).runner.rsplit(":", 2)[1])


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


@dataclass
class RunInWorker:
    before: tuple  # the schedule when the run started
    run_id: int
    worker: subprocess.Popen
    log: Path
    job_process: int


@pytest.fixture
def run_in_worker(published, login_as, redis_url, tmp_path):
    """A run started in the console, running in a job process forked by a separate
    `matchmaker worker`; the worker is stopped afterwards if the test left it running."""
    use_rq(published, redis_url)
    before = schedule_snapshot(published)
    start_run(login_as(ORGANISER))
    run_id = last_run_id(published)
    worker, log = worker_running(published, tmp_path, redis_url, run_id)
    try:
        job_process = runner_pid(published, run_id)
        assert parent_of(job_process) == worker.pid  # the process forked for this job
        yield RunInWorker(before, run_id, worker, log, job_process)
    finally:
        stop_process(worker)


def test_a_worker_process_killed_mid_run_fails_the_run_and_leaves_the_schedule(
        published, run_in_worker):
    run_id = run_in_worker.run_id
    os.kill(run_in_worker.job_process, signal.SIGKILL)
    wait_until(lambda: run_row(published, run_id).status is not RunStatus.RUNNING,
               "the worker to notice")
    stop_process(run_in_worker.worker)
    run = run_row(published, run_id)
    assert run.status is RunStatus.FAILED, log_tail(run_in_worker.log)
    assert "killed by SIGKILL" in run.message and "published schedule is unchanged" in run.message
    assert run.result is None and run.published_at is None
    assert schedule_snapshot(published) == run_in_worker.before


def test_a_run_whose_whole_worker_died_is_marked_interrupted_when_the_app_restarts(
        published, run_in_worker, tmp_path):
    run_id, log, before = run_in_worker.run_id, run_in_worker.log, run_in_worker.before
    # worker and job process, no chance to clean up
    for pid in (run_in_worker.worker.pid, run_in_worker.job_process):
        os.kill(pid, signal.SIGKILL)
    run_in_worker.worker.wait()
    assert run_row(published, run_id).status is RunStatus.RUNNING

    restarted = create_app(make_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=str(
        published.config["SQLALCHEMY_DATABASE_URI"]), RUNS_SYNC=True))
    client = restarted.test_client()
    client.get("/")  # the restarted process's first request marks the run
    run = run_row(restarted, run_id)
    assert run.status is RunStatus.INTERRUPTED, log_tail(log)
    assert "restarted" in run.message
    assert schedule_snapshot(restarted) == before
    assert client.post("/login", data={"email": ORGANISER,
                                       "password": "circular-demo-2026"}).status_code == 302
    page = client.get(f"{CONSOLE}/")
    assert page.status_code == 200 and "interrupted" in page.get_data(as_text=True)


@pytest.fixture
def in_process_worker(published, redis_url, tmp_path, monkeypatch):
    """Work the queue once in this process (RQ's SimpleWorker), jobs reading this env."""
    for key, value in app_environment(published, tmp_path, redis_url).items():
        monkeypatch.setenv(key, value)
    use_rq(published, redis_url)
    return lambda: work_queue_once(published, redis_url)


def _runs_out_of_memory(*args, **kwargs):
    raise MemoryError("the solver ran out of memory")


def _never_comes_back(*args, **kwargs):
    # RQ's timeout (SIGALRM) ends this; should the alarm land before the solver starts
    # and be lost, the test fails here instead of hanging the suite
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise AssertionError("the job's timeout never stopped the solver")


@pytest.mark.serial  # a 1-s job timeout: alone, not beside another worker's load
@pytest.mark.parametrize("solver, grace_s, time_limit, reason", [
    (_runs_out_of_memory, None, 5, "out of memory"),
    (_never_comes_back, 0, 1, "timeout"),  # past its job timeout in the queue
], ids=["raises", "past-its-queue-timeout"])
def test_a_job_that_fails_fails_the_run_with_its_reason_and_changes_nothing(
        published, login_as, in_process_worker, monkeypatch, solver, grace_s, time_limit,
        reason):
    monkeypatch.setattr(runs.scheduling, "solve", solver)
    if grace_s is not None:
        published.config["RUNS_JOB_GRACE_S"] = grace_s
    before = schedule_snapshot(published)
    start_run(login_as(ORGANISER), time_limit=time_limit)
    run_id = last_run_id(published)
    in_process_worker()
    run = run_row(published, run_id)
    assert run.status is RunStatus.FAILED
    assert reason in run.message.lower() and run.result is None
    assert schedule_snapshot(published) == before


def test_enqueueing_with_redis_down_fails_the_run_at_once_with_the_reason(demo, login_as):
    use_rq(demo, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    start_run(login_as(ORGANISER), time_limit=5)
    run = run_row(demo, last_run_id(demo))
    assert run.status is RunStatus.FAILED
    assert "job queue could not be reached" in run.message


def test_stopping_a_queued_run_that_redis_lost_ends_it_instead_of_waiting_forever(
        demo, login_as, redis_url):
    from redis import Redis

    use_rq(demo, redis_url)
    client = login_as(ORGANISER)
    start_run(client, time_limit=5)
    run_id = last_run_id(demo)
    with Redis.from_url(redis_url) as redis:
        redis.flushall()  # a restart of a Redis that kept nothing
    assert client.post(f"{CONSOLE}/runs/{run_id}/stop").status_code == 302
    run = run_row(demo, run_id)
    assert run.status is RunStatus.INTERRUPTED
    with demo.test_request_context():
        assert "no longer had it" in runs.describe_message(run.message)
    start_run(client, time_limit=5)  # the organiser can start a new one
    assert last_run_id(demo) != run_id


# --- a database error in the middle of a request ----------------------------------

@pytest.fixture
def failing_insert(demo):
    """Make the database refuse the first INSERT into `table` (as a lost connection would)."""
    armed = {}

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        table = armed.get("table")
        if table and statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            armed.clear()
            raise OperationalError(statement, parameters,
                                   Exception("server closed the connection unexpectedly"))

    with demo.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield armed
    finally:
        sa_event.remove(engine, "before_cursor_execute", before_execute)


def test_a_database_error_mid_request_shows_a_clean_page_and_saves_nothing(
        demo, login_as, failing_insert):
    with demo.app_context():
        pending = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING).order_by(MeetingRequest.id))
        request_id, recipient = pending.id, pending.recipient.user.email
        notifications = db.session.scalar(select(func.count()).select_from(Notification))
        db.session.remove()
    client = login_as(recipient)
    failing_insert["table"] = "notification"  # after the request's answer was flushed
    response = client.post(f"/events/demo/requests/{request_id}/accept")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Please try again" in page and "Traceback" not in page and "INSERT" not in page
    with demo.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.PENDING
        assert db.session.scalar(select(func.count()).select_from(Notification)) == notifications
        db.session.remove()
    retry = client.post(f"/events/demo/requests/{request_id}/accept")
    assert retry.status_code == 302
    with demo.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.ACCEPTED
