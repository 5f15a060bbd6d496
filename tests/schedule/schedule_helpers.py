"""Fixtures and helpers of the schedule tests.

Test modules import them by name (pytest puts the test folder on sys.path); a
conftest.py here would shadow the root one that other tests import as `conftest`.
Runs execute synchronously; drafts can come from first-come-first-served.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, RunKind, RunStatus, SolveRun
from matchmaker.schedule import compare, explain, moves, publish, solving
from matchmaker.schedule.runners import SyncJobRunner
from matchmaker.scheduling import dumps_schedule, fcfs

ORGANISER = "organiser@demo.example"
CONSOLE = "/events/demo/console/schedule"


def demo_event() -> Event:
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


def publish_fcfs(event: Event) -> SolveRun:
    run = draft_run(event)
    publish.publish_schedule(db.session, event, run, notify=False)
    db.session.commit()
    return run


@pytest.fixture(autouse=True)
def sync_runs(app):
    app.config["RUNS_SYNC"] = True
    app.extensions["solve_runner"] = SyncJobRunner()


@pytest.fixture
def published(demo):
    """The demo event with a first-come-first-served schedule published."""
    with demo.app_context():
        publish_fcfs(demo_event())
        db.session.remove()
    return demo
