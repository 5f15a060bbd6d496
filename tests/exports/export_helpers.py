"""Fixtures of the export tests: the demo event with a published FCFS schedule.

Test modules import them by name; a conftest.py here would shadow the root one.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, RunKind, RunStatus, SolveRun
from matchmaker.schedule import compare, explain, moves, publish, solving
from matchmaker.schedule.runners import SyncJobRunner
from matchmaker.scheduling import dumps_schedule, fcfs


def demo_event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "demo"))


@pytest.fixture(autouse=True)
def sync_runs(app):
    app.config["RUNS_SYNC"] = True
    app.extensions["solve_runner"] = SyncJobRunner()


@pytest.fixture
def published(demo):
    with demo.app_context():
        event = demo_event()
        run = SolveRun(event_id=event.id, kind=RunKind.MEETINGS, status=RunStatus.FINISHED,
                       time_limit_s=1.0, progress=1.0, result=dumps_schedule(
                           fcfs(solving.build_problem(db.session, event).problem)))
        db.session.add(run)
        db.session.flush()
        publish.publish_schedule(db.session, event, run, notify=False)
        db.session.commit()
        db.session.remove()
    return demo
