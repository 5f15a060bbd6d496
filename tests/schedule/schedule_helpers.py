"""Helpers of the schedule tests (imported by name: the test folder is on sys.path)."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, RunKind, RunStatus, SolveRun
from matchmaker.organiser import publishing, solving
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
    publishing.publish_schedule(db.session, event, run, notify=False)
    db.session.commit()
    return run
