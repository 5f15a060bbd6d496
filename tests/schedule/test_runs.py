"""Solver runs from the console: drafts, progress, stop, failure, restart."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from matchmaker import create_app, scheduling
from matchmaker.extensions import db
from matchmaker.models import Meeting, RunKind, RunStatus, SolveRun
from matchmaker.schedule import runs
from matchmaker.schedule.runners import ThreadJobRunner
from scale_helpers import accept_every_buyer_supplier_pair
from schedule_helpers import CONSOLE, last_run, post_run
from support import ORGANISER, demo_event


def test_starting_a_meetings_run_stores_a_draft_and_changes_no_meeting(demo, login_as):
    client = login_as(ORGANISER)
    response = post_run(client, "meetings", "1")
    assert response.status_code == 302
    with demo.app_context():
        run = last_run()
        assert run.status is RunStatus.FINISHED, run.message
        assert run.kind is RunKind.MEETINGS
        schedule = scheduling.parse_schedule(run.result)
        assert schedule.assignments
        assert run.value == schedule.stats["weighted_value"]
        assert run.progress == 1.0 and run.elapsed_s is not None
        assert db.session.scalar(select(Meeting.id)) is None
        run_id = run.id
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert status["status"] == "finished" and status["active"] is False
    page = client.get(f"{CONSOLE}/").get_data(as_text=True)
    assert f"/runs/{run_id}/why-not" in page and "Compare and publish" in page
    assert 'src="/static/js/runs.js"' in page


def test_a_bad_time_limit_is_reshown_with_400_and_starts_nothing(demo, login_as):
    client = login_as(ORGANISER)
    for value in ("0", "abc", "", "100000"):
        response = post_run(client, "meetings", value)
        assert response.status_code == 400, value
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert client.post(f"{CONSOLE}/runs/other", data={}).status_code == 404
    with demo.app_context():
        assert db.session.scalar(select(SolveRun.id)) is None


def test_a_second_run_of_the_same_kind_is_refused_while_one_is_active(demo, login_as):
    with demo.app_context():
        run_id = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=5).id
        db.session.commit()
    client = login_as(ORGANISER)
    response = post_run(client, "meetings", "1")
    assert response.status_code == 400
    assert "still queued" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(SolveRun.id).order_by(SolveRun.id.desc())) == run_id


def test_a_failing_solver_marks_the_run_failed_with_the_reason(demo, login_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the solver ran out of memory")

    monkeypatch.setattr(runs, "solve_meetings", broken)
    client = login_as(ORGANISER)
    post_run(client, "meetings", "1")
    with demo.app_context():
        run = last_run()
        assert run.status is RunStatus.FAILED
        assert "out of memory" in run.message
        assert run.result is None and run.finished_at is not None
    page = client.get(f"{CONSOLE}/").get_data(as_text=True)
    assert "out of memory" in page


def test_stop_keeps_the_best_schedule_so_far(demo):
    with demo.app_context():
        run = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=60)
        run_id = run.id
        db.session.commit()
    stop = threading.Event()
    stop.set()  # the organiser pressed stop before the search got far
    runs.execute_run(demo, run_id, stop)
    with demo.app_context():
        run = db.session.get(SolveRun, run_id)
        assert run.status is RunStatus.STOPPED
        assert "best result kept" in runs.describe_message(run.message)
        assert scheduling.parse_schedule(run.result).assignments


def test_stop_button_sets_the_stop_event_of_an_active_run(demo, login_as):
    with demo.app_context():
        run = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=60)
        run_id = run.id
        db.session.commit()
    event = runs._stop_event(run_id)
    try:
        client = login_as(ORGANISER)
        assert client.post(f"{CONSOLE}/runs/{run_id}/stop").status_code == 302
        assert event.is_set()
    finally:
        runs._forget(run_id)


def test_progress_callback_writes_elapsed_value_bound_at_most_once_a_second(demo):
    with demo.app_context():
        run = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=10)
        run_id = run.id
        db.session.commit()
        writer = runs._ProgressWriter(db.engine, run_id, 10)
        writer(2.0, 40, 50)
        writer(2.5, 45, 50)  # within the second: skipped
        db.session.expire_all()
        run = db.session.get(SolveRun, run_id)
        assert (run.elapsed_s, run.value, run.bound, run.progress) == (2.0, 40, 50, 0.2)
        assert abs(run.gap - 0.2) < 1e-9
        db.session.rollback()  # end the read: the writer uses its own connection
        writer(3.0, 48, 50, force=True)
        db.session.expire_all()
        assert db.session.get(SolveRun, run_id).value == 48


def test_runs_left_running_by_a_dead_process_are_marked_interrupted_on_start(demo, tmp_path):
    with demo.app_context():
        event = demo_event()
        gone = SolveRun(event_id=event.id, kind=RunKind.MEETINGS, status=RunStatus.RUNNING,
                        runner=f"{__import__('socket').gethostname()}:999999999:dead")
        lost = SolveRun(event_id=event.id, kind=RunKind.DIALOGUES, status=RunStatus.QUEUED)
        db.session.add_all([gone, lost])
        db.session.commit()
        ids = (gone.id, lost.id)
        url = str(db.engine.url)
    restarted = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                            "SECRET_KEY": "x", "RUNS_SYNC": True})
    with restarted.app_context():
        assert db.session.get(SolveRun, ids[0]).status is RunStatus.RUNNING  # not on creation
        db.session.remove()
    restarted.test_client().get("/")  # the process's first request
    with restarted.app_context():
        for run_id in ids:
            run = db.session.get(SolveRun, run_id)
            assert run.status is RunStatus.INTERRUPTED
            assert "restarted" in runs.describe_message(run.message)
        db.session.remove()
        db.engine.dispose()


def test_a_run_of_a_live_process_is_not_marked_interrupted(demo):
    with demo.app_context():
        run = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=5)
        db.session.commit()
        assert runs.mark_interrupted_runs(db.session) == 0
        assert db.session.get(SolveRun, run.id).status is RunStatus.QUEUED


def test_the_thread_runner_solves_off_the_request_thread(demo, login_as):
    demo.extensions["solve_runner"] = ThreadJobRunner(1)
    try:
        client = login_as(ORGANISER)
        response = post_run(client, "dialogues", "1")
        assert response.status_code == 302
        with demo.app_context():
            run_id = last_run().id
        status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
        for _ in range(2400):  # wait on the job, not on the clock
            if not status["active"]:
                break
            time.sleep(0.05)
            status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
        assert status["status"] == "finished", status
        assert status["message"].endswith("(optimal).") or "seats taken" in status["message"]
    finally:
        demo.extensions["solve_runner"].shutdown()


def test_a_stop_requested_on_the_row_reaches_a_job_running_elsewhere(demo):
    """The stop button of another web worker only sets the flag; the job polls it."""
    assert accept_every_buyer_supplier_pair(demo) > 50  # enough that the run is still going
    with demo.app_context():
        run_id = runs.create_run(db.session, demo_event(), RunKind.MEETINGS,
                                 time_limit_s=120).id
        db.session.commit()
    job = threading.Thread(target=runs.execute_run, args=(demo, run_id, threading.Event()))
    job.start()
    try:
        with demo.app_context():
            for _ in range(400):  # until the job has taken the run
                db.session.expire_all()
                if db.session.get(SolveRun, run_id).status is RunStatus.RUNNING:
                    break
                db.session.rollback()
                time.sleep(0.05)
            db.session.rollback()
            assert runs.request_stop(db.session, db.session.get(SolveRun, run_id))
            db.session.commit()
    finally:
        job.join(timeout=120)
    with demo.app_context():
        run = db.session.get(SolveRun, run_id)
        assert run.status is RunStatus.STOPPED, run.message
        assert scheduling.parse_schedule(run.result).assignments


def test_stopping_a_run_whose_process_is_gone_marks_it_interrupted(demo):
    with demo.app_context():
        event = demo_event()
        run = SolveRun(event_id=event.id, kind=RunKind.MEETINGS, status=RunStatus.RUNNING,
                       runner=f"{__import__('socket').gethostname()}:999999999:dead")
        db.session.add(run)
        db.session.flush()
        assert runs.request_stop(db.session, run)
        assert run.status is RunStatus.INTERRUPTED
        assert not runs.request_stop(db.session, run)


def test_a_locked_meeting_that_cannot_stay_fails_the_run_with_names(published, login_as):
    from matchmaker.models import Absence
    from matchmaker.schedule import solving
    with published.app_context():
        meeting = solving.meetings_in_force(db.session, demo_event())[0]
        meeting.locked = True
        db.session.add(Absence(participation_id=meeting.request.sender_id,
                               slot_id=meeting.slot_id))
        name = meeting.request.sender.user.name
        db.session.commit()
    client = login_as(ORGANISER)
    post_run(client, "meetings", "1")
    with published.app_context():
        run = last_run()
        assert run.status is RunStatus.FAILED
        assert "locked meeting cannot be kept" in runs.describe_message(run.message)
        assert name in run.message
