"""End to end in a real browser: a buyer ranks two market dialogues and declines a third;
the organiser sees the sign-ups, seats the dialogues, publishes, and finds the buyer at a
table of their first choice on the console's Market dialogues page.

Same pattern as test_supplier_journey: Debian's headless Chromium through selenium, the
app on a loopback port with a file SQLite database and CSRF on. Solver runs are
synchronous here so the test does not wait on a job thread.
"""
from __future__ import annotations


import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import DialogueSeat, RunKind, SolveRun
from dialogue_helpers import BUYER, first_and_second_choice, interests_of, popular_sessions
from journey import SCREENSHOTS, Journey
from support import participation_by_email

pytestmark = pytest.mark.usefixtures("sync_runs")


def _sessions_to_pick(app):
    """Two sessions a buyer can be seated at (suppliers want them, at different times),
    and a third one the buyer's profile would have given them: the one they decline."""
    with app.app_context():
        first, second = first_and_second_choice()
        rest = [s for s in popular_sessions() if s.id not in (first.id, second.id)]
        derived = interests_of(BUYER)
        third = next((s for s in rest if s.product_group.code in derived), rest[0])
        return ([(s.id, s.name, {t.label for t in s.tables}) for s in (first, second, third)],
                third.product_group.code in derived)


def test_buyer_ranks_two_dialogues_declines_a_third_and_is_seated_at_the_first(live_app,
                                                                               browser):
    (first, second, third), third_was_derived = _sessions_to_pick(live_app)
    assert third_was_derived, "the declined dialogue should be one the profile would give"
    j = Journey(browser, live_app.config["LIVE_URL"])

    j.log_in(BUYER)
    j.open("/events/demo/me")
    j.click(j.link("Choose my market dialogues"))
    assert j.heading() == "My market dialogues"
    j.choose(f"#rank_{first[0]}", "Choice 1")
    j.choose(f"#rank_{second[0]}", "Choice 2")
    j.choose(f"#rank_{third[0]}", "Not for me")
    j.shot("dialogue-choices")
    j.shot("dialogue-choices-phone", width=375)
    j.submit("main form.dialogue-choices button[type=submit]")
    assert "Your market-dialogue choices are saved." in browser.page_source
    assert j.Select(j.find(f"#rank_{first[0]}")).first_selected_option.text == "Choice 1"
    assert j.Select(j.find(f"#rank_{third[0]}")).first_selected_option.text == "Not for me"

    j.log_in("organiser@demo.example")
    j.open("/events/demo/console/dialogues")
    signups = j.find("table.signups").text
    assert first[1] in signups
    j.open("/events/demo/console/schedule/")
    j.type("#d-time_limit", "3")
    j.click(j.find("form[action$='/runs/dialogues'] button[type=submit]"))
    j.assert_no_error_page()
    with live_app.app_context():
        run = db.session.scalar(select(SolveRun).where(SolveRun.kind == RunKind.DIALOGUES)
                                .order_by(SolveRun.id.desc()))
        assert run.status.value == "finished", run.message
        run_id = run.id
    j.open(f"/events/demo/console/schedule/runs/{run_id}")
    j.click(j.find("main form button[type=submit]"))
    j.assert_no_error_page()

    j.open("/events/demo/console/dialogues")
    sections = browser.find_elements(j.By.CSS_SELECTOR, ".dialogue-plan .dialogue-sheet")
    assert sections, "no seating plan on the console's Market dialogues page"
    with live_app.app_context():
        me = participation_by_email(BUYER)
        name = me.display_name
        seats = {s.session_id for s in db.session.scalars(
            select(DialogueSeat).where(DialogueSeat.participation_id == me.id))}
    assert third[0] not in seats
    at_first = [s for s in sections if first[1] in s.find_element(j.By.TAG_NAME, "h3").text
                and any(f"Dialogue table {label} " in s.text for label in first[2])]
    buyers_side = [cell.text for s in at_first
                   for cell in s.find_elements(j.By.CSS_SELECTOR, "tbody td:first-child")]
    assert name in buyers_side, (name, buyers_side)
    for s in sections:
        if third[1] in s.find_element(j.By.TAG_NAME, "h3").text:
            assert name not in s.text
    j.shot("dialogue-plan-console")
    j.shot("dialogue-plan-console-phone", width=375)
    j.open("/events/demo/console/dialogues/plan")
    assert name in browser.page_source
    j.shot("dialogue-plan-print")
    assert SCREENSHOTS.exists()
