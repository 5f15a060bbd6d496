"""Why-not: unscheduled requests with reasons in names, and the capacity advice."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Participation, SolveRun, Table
from matchmaker.schedule import explain
from schedule_helpers import CONSOLE, post_run
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
    post_run(client, "dialogues", "1")
    with demo.app_context():
        run_id = db.session.scalar(select(SolveRun.id))
    assert client.get(f"{CONSOLE}/runs/{run_id}/why-not").status_code == 404


@pytest.mark.parametrize("language, words", [("nl", "heeft het maximum van 1 afspraak bereikt"), ("fr", "a atteint le maximum de 1 rendez-vous")])
def test_why_not_page_gives_reasons_in_the_readers_language_with_names(demo, login_as,
                                                                     language, words):
    with demo.app_context():
        event = demo_event()
        for person in db.session.scalars(select(Participation).filter_by(event_id=event.id)):
            person.max_meetings = 1  # every request beyond the first stays unscheduled
        db.session.flush()
        run = draft_run(event)
        named = explain.why_not(db.session, event, run)
        people = {n for item in named for n in (item.request.sender.user.name,
                                                item.request.recipient.user.name)}
        run_id = run.id
        db.session.commit()
    assert named
    page = login_as(ORGANISER).get(f"{CONSOLE}/runs/{run_id}/why-not",
                                   headers={"Accept-Language": language})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert any(name in text for name in people)
    assert words in text
    assert "max_meetings" not in text and "reached its" not in text
    assert not re.search(r"\b[psTr]\d+\b", text.split("<main", 1)[-1])
