"""Fair solver time: throwaway events with long runs do not make another event's short
run wait behind them all; time limits are capped by the site; the queue position shows."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.domain import DomainError
from matchmaker.extensions import db
from matchmaker.models import Event, Participation, Role, RunKind, RunStatus, SolveRun, User
from matchmaker.schedule import runs
from matchmaker.schedule.runners import ThreadJobRunner
from schedule_helpers import CONSOLE, post_run
from support import ORGANISER, demo_event

ATTACKERS = 32


def _throwaway_events(count: int) -> list[Event]:
    events = []
    for i in range(count):
        user = User(email=f"throwaway{i}@x.example", name=f"T{i}", password_hash="!")
        event = Event(name=f"Throwaway {i}", slug=f"throwaway-{i}")
        db.session.add_all([user, event, Participation(event=event, user=user,
                                                       role=Role.ORGANISER)])
        events.append(event)
    db.session.flush()
    return events


def _long_runs(events: list[Event]) -> list[int]:
    ids = [runs.create_run(db.session, event, RunKind.MEETINGS,
                           time_limit_s=runs.DEFAULT_MAX_RUN_SECONDS).id for event in events]
    db.session.commit()
    return ids


def test_a_short_run_queued_after_32_long_ones_is_next_in_line(demo):
    with demo.app_context():
        long_ids = _long_runs(_throwaway_events(ATTACKERS))
        short = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=5)
        db.session.commit()
        positions = runs.queue_positions(db.session)
        assert positions[short.id] == 1
        assert sorted(positions[i] for i in long_ids) == list(range(2, ATTACKERS + 2))
        assert runs.next_in_turn(demo, [*long_ids, short.id]) == short.id


def test_an_event_that_just_used_the_solver_waits_behind_one_that_did_not(demo):
    with demo.app_context():
        busy, idle = _throwaway_events(2)
        now = utcnow()
        db.session.add(SolveRun(event_id=busy.id, kind=RunKind.DIALOGUES,
                                status=RunStatus.FINISHED, time_limit_s=600, elapsed_s=600,
                                started_at=now - timedelta(minutes=15), finished_at=now))
        first = runs.create_run(db.session, busy, RunKind.MEETINGS, time_limit_s=60)
        db.session.flush()
        first.created_at = now - timedelta(seconds=30)
        second = runs.create_run(db.session, idle, RunKind.MEETINGS, time_limit_s=60)
        db.session.commit()
        positions = runs.queue_positions(db.session)
        assert positions[second.id] == 1 and positions[first.id] == 2


def test_the_thread_runner_serves_the_short_run_before_the_long_ones(demo):
    """One worker, busy; 32 long runs and then a short one wait. When the worker frees,
    the short run is taken first, then the long ones."""
    with demo.app_context():
        long_ids = _long_runs(_throwaway_events(ATTACKERS))
        short_id = runs.create_run(db.session, demo_event(), RunKind.MEETINGS,
                                   time_limit_s=5).id
        db.session.commit()
    runner = ThreadJobRunner(1, lambda keys: runs.next_in_turn(demo, keys))
    release, done, served = threading.Event(), threading.Event(), []
    runner.submit(lambda: release.wait(30), key="busy")
    for run_id in [*long_ids, short_id]:
        runner.submit(lambda run_id=run_id: _take(demo, run_id, served, done), key=run_id)
    release.set()
    assert done.wait(60)
    runner.shutdown()
    assert served[0] == short_id
    assert sorted(served[1:]) == long_ids


def _take(app, run_id: int, served: list[int], done: threading.Event) -> None:
    """A stand-in for the solver: the run leaves the queue, as `execute_run` does."""
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        run.status, run.started_at = RunStatus.FINISHED, utcnow()
        db.session.commit()
        db.session.remove()
    served.append(run_id)
    if len(served) == ATTACKERS + 1:
        done.set()


def test_time_limits_are_capped_by_the_site(demo, login_as):
    demo.config["MAX_RUN_SECONDS"] = 120
    client = login_as(ORGANISER)
    response = post_run(client, "meetings", "3600")
    assert response.status_code == 400
    assert "Between 1 and 120 seconds." in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(SolveRun.id)) is None
        try:
            runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=121,
                            max_time_limit_s=120)
        except DomainError as error:
            assert error.field == "time_limit"
        else:
            raise AssertionError("a run over the cap was created")


def test_the_default_cap_refuses_the_hour_long_runs_of_the_attack(demo, login_as):
    response = post_run(login_as(ORGANISER), "meetings", "3600")
    assert response.status_code == 400
    assert "Between 1 and 600 seconds." in response.get_data(as_text=True)


def test_the_runs_page_shows_the_queue_position(demo, login_as):
    with demo.app_context():
        _long_runs(_throwaway_events(3))
        run_id = runs.create_run(db.session, demo_event(), RunKind.DIALOGUES,
                                 time_limit_s=runs.DEFAULT_MAX_RUN_SECONDS).id
        db.session.commit()
    client = login_as(ORGANISER)
    assert "position 4 in the queue" in client.get(f"{CONSOLE}/").get_data(as_text=True)
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert status["queue_position"] == 4
