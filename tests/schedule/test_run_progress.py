"""A run's progress as the organiser follows it: value, bound, idle gaps and their
bound, and what the solver is doing, on the row, in the JSON the page polls, on the page."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import scheduling
from matchmaker.extensions import db
from matchmaker.models import RunKind, RunStatus, SolveRun
from matchmaker.schedule import runs
from matchmaker.scheduling.progress import COMPACTING, PLACING
from schedule_helpers import CONSOLE
from support import ORGANISER, demo_event

ROW = ("phase", "value", "bound", "idle_gaps", "idle_gaps_bound")


def words(text: str) -> str:
    """The numbers line with its no-break spaces (they keep each part on one line) as spaces."""
    return text.replace("\u00a0", " ")


@pytest.fixture
def stored_rows(monkeypatch):
    """Every write of the progress writer (none skipped), as the row reads after it."""
    rows: list[dict] = []

    class Recording(runs._ProgressWriter):
        def __call__(self, *args, **kwargs) -> None:
            super().__call__(*args, **kwargs)
            with Session(self.engine) as s:
                row = s.get(SolveRun, self.run_id)
                rows.append({key: getattr(row, key) for key in ROW})

    monkeypatch.setattr(runs, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr(runs, "_ProgressWriter", Recording)
    return rows


def test_a_meetings_run_stores_idle_gaps_and_their_bound_as_they_move(demo, login_as,
                                                                      stored_rows):
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/runs/meetings", data={"m-kind": "meetings",
                                                             "m-time_limit": "2"})
    assert response.status_code == 302
    phases = [row["phase"] for row in stored_rows]
    assert phases[0] == PLACING and COMPACTING in phases
    assert phases.index(COMPACTING) > 0 and PLACING not in phases[phases.index(COMPACTING):]
    placing = stored_rows[:phases.index(COMPACTING)]
    assert all(row["idle_gaps"] is None for row in placing)  # not known before phase 2
    assert all(row["value"] <= row["bound"] for row in stored_rows)
    with_bound = [row for row in stored_rows if row["idle_gaps_bound"] is not None]
    assert with_bound and all(row["idle_gaps"] >= row["idle_gaps_bound"] for row in with_bound)
    assert all(row["idle_gaps"] is not None for row in stored_rows[phases.index(COMPACTING):])

    with demo.app_context():
        run = db.session.scalar(select(SolveRun).order_by(SolveRun.id.desc()))
        assert run.status is RunStatus.FINISHED, run.message
        stats = scheduling.parse_schedule(run.result).stats
        assert (run.idle_gaps, run.idle_gaps_bound) == (stats["idle_gaps"],
                                                        stats["idle_gaps_bound"])
        assert run.phase is None
        run_id, gaps = run.id, run.idle_gaps
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert status["idle_gaps"] == gaps and status["idle_gaps_bound"] == stats["idle_gaps_bound"]
    assert status["phase"] is None and status["phase_label"] == ""
    assert "idle gap" in words(status["numbers"])
    page = client.get(f"{CONSOLE}/").get_data(as_text=True)
    assert status["numbers"] in page


def test_a_dialogue_run_has_no_idle_gaps(demo, login_as):
    client = login_as(ORGANISER)
    client.post(f"{CONSOLE}/runs/dialogues", data={"d-kind": "dialogues", "d-time_limit": "1"})
    with demo.app_context():
        run = db.session.scalar(select(SolveRun).order_by(SolveRun.id.desc()))
        assert run.status is RunStatus.FINISHED and run.idle_gaps is None
        run_id = run.id
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert status["idle_gaps"] is None and "idle gap" not in words(status["numbers"])


def test_the_writer_keeps_what_a_skipped_report_said(demo):
    with demo.app_context():
        run_id = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=10).id
        db.session.commit()
        writer = runs._ProgressWriter(db.engine, run_id, 10)
        writer(1.0, 40, 50, phase=PLACING)
        writer(2.0, 50, 50, idle_gaps=30, idle_gaps_bound=4, phase=COMPACTING)  # too soon
        writer(3.0, 50, 50, idle_gaps=12, force=True)
        db.session.expire_all()
        run = db.session.get(SolveRun, run_id)
        assert (run.value, run.idle_gaps, run.idle_gaps_bound, run.phase) == \
            (50, 12, 4, COMPACTING)
        db.session.rollback()


def test_the_heartbeat_writes_a_report_that_came_too_soon_and_moves_the_clock(demo):
    with demo.app_context():
        run_id = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=10).id
        db.session.commit()
        writer = runs._ProgressWriter(db.engine, run_id, 10)
        writer.heartbeat()  # nothing reported yet: nothing to write
        db.session.expire_all()
        assert db.session.get(SolveRun, run_id).elapsed_s is None
        db.session.rollback()
        writer(1.0, 40, 50, phase=PLACING)
        writer(1.5, 50, 50, idle_gaps=9, idle_gaps_bound=6, phase=COMPACTING)  # too soon
        writer.heartbeat()  # too soon as well
        db.session.expire_all()
        assert db.session.get(SolveRun, run_id).idle_gaps is None
        db.session.rollback()
        writer.last -= runs.PROGRESS_EVERY_S  # a quiet second later
        writer.started -= 6  # the solver started six seconds ago
        writer.heartbeat()
        db.session.expire_all()
        run = db.session.get(SolveRun, run_id)
        assert (run.value, run.idle_gaps, run.idle_gaps_bound, run.phase) == \
            (50, 9, 6, COMPACTING)
        assert run.elapsed_s >= 6 and run.progress >= 0.6


def _running(phase: str | None, gaps: int | None, bound: int | None) -> int:
    run = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=20)
    run.status, run.elapsed_s, run.progress = RunStatus.RUNNING, 8.0, 0.4
    run.value, run.bound, run.runner = 42, 42, runs.runner_id()
    run.idle_gaps, run.idle_gaps_bound, run.phase = gaps, bound, phase
    db.session.commit()
    return run.id


WORDS = {
    "en": ("closing idle gaps", "9 idle gaps (at least 6 unavoidable)", "placing meetings"),
    "nl": ("wachttijden wegwerken", "9 wachttijden (minstens 6 onvermijdelijk)",
           "afspraken plaatsen"),
    "fr": ("réduction des temps morts", "9 temps morts (au moins 6 inévitables)",
           "placement des rendez-vous"),
}


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_running_run_shows_its_phase_and_idle_gaps_in_the_readers_language(
        demo, login_as, language):
    with demo.app_context():
        run_id = _running(COMPACTING, 9, 6)
    client = login_as(ORGANISER)
    headers = {"Accept-Language": language}
    phase, gaps, placing = WORDS[language]
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json", headers=headers).get_json()
    assert (status["phase"], status["idle_gaps"], status["idle_gaps_bound"]) == (COMPACTING, 9, 6)
    assert status["phase_label"] == phase
    assert gaps in words(status["numbers"])
    page = client.get(f"{CONSOLE}/", headers=headers).get_data(as_text=True)
    row = page[page.index(f'id="run-{run_id}"'):]
    row = words(row[:row.index("</tr>")])
    assert 'data-field="phase"' in row and phase in row and gaps in row
    assert placing not in row


def test_idle_gaps_at_their_bound_are_called_the_fewest_possible(demo, login_as):
    with demo.app_context():
        run_id = _running(COMPACTING, 3, 3)
    client = login_as(ORGANISER)
    status = client.get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert "3 idle gaps (the fewest possible)" in words(status["numbers"])
    with demo.app_context():
        db.session.get(SolveRun, run_id).status = RunStatus.FINISHED
        db.session.commit()
        placing_id = _running(PLACING, None, None)
    status = client.get(f"{CONSOLE}/runs/{placing_id}/status.json").get_json()
    assert status["phase_label"] == "placing meetings" and \
        "idle gap" not in words(status["numbers"])


def test_a_bound_of_zero_idle_gaps_is_not_shown(demo, login_as):
    with demo.app_context():
        run_id = _running(COMPACTING, 5, 0)
    status = login_as(ORGANISER).get(f"{CONSOLE}/runs/{run_id}/status.json").get_json()
    assert words(status["numbers"]).endswith(" · 5 idle gaps") and status["idle_gaps_bound"] == 0
