"""The organiser sees sign-ups per session, then seats the dialogues and sees the plan."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.exports import tables as table_exports
from matchmaker.extensions import db
from matchmaker.models import DialogueSeat, RunKind, SolveRun
from dialogue_helpers import BUYER, CONSOLE, PAGE, first_and_second_choice, popular_sessions
from support import ORGANISER, demo_event, participation_by_email

pytestmark = pytest.mark.usefixtures("sync_runs")


def _signup_row(html: str, title: str) -> str:
    start = html.index(title, html.index('id="signups-h"'))
    return html[start:html.index("</tr>", start)]


def test_console_shows_sign_ups_per_session_before_seating(demo, login_as):
    with demo.app_context():
        first, second = popular_sessions()[:2]
        titles = {s.id: s.name for s in (first, second)}
        first_id, second_id = first.id, second.id
    login_as(BUYER).post(PAGE, data={f"rank_{first_id}": "1", f"rank_{second_id}": "2"})
    login_as("supplier1@demo.example").post(PAGE, data={f"rank_{second_id}": "1"})
    html = login_as(ORGANISER).get(f"{CONSOLE}/dialogues").get_data(as_text=True)
    assert "Sign-ups" in html
    assert "2 participants ranked dialogues" in html
    cells = lambda row: [c.split("<")[0] for c in row.split("<td>")[1:]]  # noqa: E731
    # first choices, all choices, buyers, suppliers, experts, seats
    assert cells(_signup_row(html, titles[first_id]))[:5] == ["1", "1", "1", "0", "0"]
    assert cells(_signup_row(html, titles[second_id]))[:5] == ["1", "2", "1", "1", "0"]
    assert "Seating plan" not in html


def test_seated_buyer_sits_at_a_table_of_the_first_choice_and_the_plan_shows_it(demo,
                                                                               login_as):
    with demo.app_context():
        first, second = first_and_second_choice()
        first_id, second_id = first.id, second.id
        first_tables = {t.label for t in first.tables}
        name = participation_by_email(BUYER).display_name
    assert login_as(BUYER).post(PAGE, data={f"rank_{first_id}": "1",
                                            f"rank_{second_id}": "2"}).status_code == 302
    organiser = login_as(ORGANISER)
    response = organiser.post("/events/demo/console/schedule/runs/dialogues",
                              data={"d-kind": "dialogues", "d-time_limit": "2"})
    assert response.status_code == 302
    with demo.app_context():
        run = db.session.scalar(select(SolveRun).where(SolveRun.kind == RunKind.DIALOGUES)
                                .order_by(SolveRun.id.desc()))
        assert run.status.value == "finished", run.message
        run_id = run.id
    assert organiser.post(f"/events/demo/console/schedule/runs/{run_id}/publish"
                          ).status_code == 302
    with demo.app_context():
        me = participation_by_email(BUYER)
        seats = list(db.session.scalars(select(DialogueSeat).where(
            DialogueSeat.participation_id == me.id)))
        assert first_id in {s.session_id for s in seats}
        seat = next(s for s in seats if s.session_id == first_id)
        assert seat.side.value == "buyer" and seat.table.label in first_tables
        label = seat.table.label
        sheets = table_exports.dialogue_sheets(db.session, demo_event())
    sheet = next(d for d in sheets if d.label == label and first.name in d.session)
    assert name in sheet.buyers

    html = organiser.get(f"{CONSOLE}/dialogues").get_data(as_text=True)
    assert "Seating plan" in html and name in html
    plan = organiser.get(f"{CONSOLE}/dialogues/plan")
    assert plan.status_code == 200
    text = plan.get_data(as_text=True)
    at = text.index(f"Dialogue table {label}")
    block = text[at:text.index("</section>", at)]
    buyers_side = block.split("<tr>")[2:]
    assert any(f"<td>{name}</td>" in row.split("</td>")[0] + "</td>" for row in buyers_side)
    # The participant sees the seat too, and the table plan exports carry it.
    assert f"table {label}" in login_as(BUYER).get(PAGE).get_data(as_text=True)
    csv_text = organiser.get("/events/demo/console/schedule/export/tables.csv"
                             ).get_data(as_text=True)
    assert name in csv_text


def test_print_view_before_seating_says_nobody_is_seated(demo, login_as):
    response = login_as(ORGANISER).get(f"{CONSOLE}/dialogues/plan")
    assert response.status_code == 200
    assert "Nobody is seated yet" in response.get_data(as_text=True)


def test_participants_cannot_see_the_console_plan(demo, login_as):
    assert login_as(BUYER).get(f"{CONSOLE}/dialogues/plan").status_code == 403
