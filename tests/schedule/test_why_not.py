"""Why-not: unscheduled requests with reasons in names, and the capacity advice."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import SolveRun, Table
from matchmaker.schedule import explain
from schedule_helpers import CONSOLE
from support import ORGANISER, demo_event, draft_run


def test_why_not_lists_unscheduled_requests_with_reasons_and_the_planner_answer(demo, login_as):
    with demo.app_context():
        event = demo_event()
        # Few tables: make all pooled tables but one spare, so requests go unscheduled.
        pooled = [t for t in event.tables if t.owner_id is None and not t.spare]
        for table in pooled[1:]:
            table.spare = True
        db.session.flush()
        run = draft_run(event)
        items = explain.why_not(db.session, event, run)
        assert items
        assert all(item.reason for item in items)
        # Reasons speak of people, not of solver ids.
        import re
        assert not any(re.search(r'"p\d+"', item.reason) for item in items)
        run_id = run.id
        db.session.commit()
    client = login_as(ORGANISER)
    page = client.get(f"{CONSOLE}/runs/{run_id}/why-not")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "not scheduled" in text
    assert "more pooled tables" in text or "more slot" in text
    with demo.app_context():
        assert db.session.get(SolveRun, run_id).result
        assert db.session.scalar(select(Table.id))


def test_why_not_of_a_dialogue_run_is_404(demo, login_as):
    client = login_as(ORGANISER)
    client.post(f"{CONSOLE}/runs/dialogues", data={"d-kind": "dialogues", "d-time_limit": "1"})
    with demo.app_context():
        run_id = db.session.scalar(select(SolveRun.id))
    assert client.get(f"{CONSOLE}/runs/{run_id}/why-not").status_code == 404
