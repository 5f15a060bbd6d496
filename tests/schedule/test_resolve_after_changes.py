"""After a no-show and a standby booking at a spare table: a new run publishes, keeps the
standby meeting, leaves spare tables free; the runs list says which drafts cannot be
published and why; calendars and agendas show one live meeting per slot."""
from __future__ import annotations

from dataclasses import replace

import icalendar
import pytest
from sqlalchemy import select

from matchmaker.agenda.services import agenda_days
from matchmaker.domain import DomainError
from matchmaker.exports import ical
from matchmaker.extensions import db
from matchmaker.models import Meeting, MeetingStatus, RunKind, SolveRun
from matchmaker.onsite import services as onsite
from matchmaker.schedule import compare, moves, publish, runs, solving
from matchmaker.scheduling import dumps_schedule, parse_schedule
from schedule_helpers import CONSOLE, last_run, prepare_standby
from support import ORGANISER, demo_event, draft_run


def placements() -> dict[int, tuple[int, int]]:
    return {m.id: (m.slot_id, m.table_id) for m in db.session.scalars(select(Meeting))}


def no_show_then_standby(event) -> dict:
    """The issue's sequence: a meeting marked no-show; the one who came gets a standby
    meeting in that slot, which goes to a spare table. Returns the ids involved."""
    ids = prepare_standby(event)
    meeting = db.session.get(Meeting, ids["no_show"])
    onsite.set_meeting_status(db.session, meeting, "no_show")
    slot = meeting.slot
    candidate = next(c for c in onsite.standby(db.session, event, slot)
                     if c.request.id == ids["request"])
    assert candidate.table.spare
    booked = onsite.book_standby(db.session, event, slot, candidate.request, candidate.table)
    db.session.commit()
    return dict(ids, standby=booked.id, spare_table=candidate.table.id)


def run_and_publish(event, *, include_spare: bool = False) -> SolveRun:
    run = runs.create_run(db.session, event, RunKind.MEETINGS, time_limit_s=1,
                          include_spare=include_spare)
    run_id = run.id
    db.session.commit()
    from flask import current_app
    runs.submit_run(current_app._get_current_object(), run_id)
    run = db.session.get(SolveRun, run_id)
    db.session.refresh(run)
    publish.publish_schedule(db.session, demo_event(), run, notify=False)
    db.session.commit()
    return run


def test_a_run_after_a_no_show_and_a_standby_booking_publishes(published):
    with published.app_context():
        event = demo_event()
        ids = no_show_then_standby(event)
        spare = {t.id for t in event.tables if t.spare}
        run_and_publish(event)
        after = placements()
        assert after[ids["standby"]] == (ids["slot"], ids["spare_table"])
        assert ids["no_show"] in after
        at_spare = [mid for mid, (_, table) in after.items() if table in spare]
        assert at_spare == [ids["standby"]]
        no_show = db.session.get(Meeting, ids["no_show"])
        assert no_show.status is MeetingStatus.NO_SHOW and not no_show.bookings


def test_a_run_allowed_spare_tables_may_use_them_and_still_keeps_the_standby(published):
    with published.app_context():
        event = demo_event()
        ids = no_show_then_standby(event)
        run = run_and_publish(event, include_spare=True)
        assert parse_schedule(run.result).stats[solving.SPARE_STAT] is True
        assert placements()[ids["standby"]] == (ids["slot"], ids["spare_table"])


def test_the_no_show_leaves_agendas_and_is_cancelled_in_calendars(published):
    with published.app_context():
        event = demo_event()
        ids = no_show_then_standby(event)
        no_show = db.session.get(Meeting, ids["no_show"])
        assert no_show.sequence == 1
        came = next(p for p in (no_show.request.sender, no_show.request.recipient)
                    if p.id == ids["came"])
        slot_start = no_show.slot.starts_at
        for person in (no_show.request.sender, no_show.request.recipient):
            items = [i for day in agenda_days(db.session, person) for i in day.items
                     if i.kind == "meeting"]
            starts = [i.start for i in items]
            assert len(starts) == len(set(starts))
        cal = icalendar.Calendar.from_ical(ical.participant_calendar(
            db.session, came, "test.local"))
        at_slot = [e for e in cal.walk("VEVENT")
                   if e.decoded("DTSTART") == slot_start.astimezone(e.decoded("DTSTART").tzinfo)]
        by_status = sorted((str(e["STATUS"]), int(e["SEQUENCE"])) for e in at_slot)
        assert by_status == [("CANCELLED", 1), ("CONFIRMED", 0)]


def test_no_show_back_to_scheduled_bumps_the_sequence_again(published):
    with published.app_context():
        meeting = solving.meetings_in_force(db.session, demo_event())[0]
        onsite.set_meeting_status(db.session, meeting, "no_show")
        onsite.set_meeting_status(db.session, meeting, "scheduled")
        db.session.commit()
        db.session.refresh(meeting)
        assert meeting.sequence == 2 and len(meeting.bookings) == 2


# --- the runs list: which drafts cannot be published, and why ------------------------------

def spare_draft(event) -> int:
    """A draft of the schedule in force with one meeting moved to a free spare table."""
    run = draft_run(event)
    schedule = parse_schedule(run.result)
    spare = next(t for t in event.tables if t.spare)
    first = schedule.assignments[0]
    used = {(a.slot, a.table) for a in schedule.assignments}
    assert (first.slot, solving.table_key(spare.number)) not in used
    moved = replace(first, table=solving.table_key(spare.number))
    run.result = dumps_schedule(replace(schedule, assignments=(moved,) + schedule.assignments[1:]))
    db.session.commit()
    return run.id


def test_runs_list_says_a_draft_at_a_spare_table_cannot_be_published(published, login_as):
    with published.app_context():
        run_id = spare_draft(demo_event())
        before = placements()
    client = login_as(ORGANISER)
    page = client.get(CONSOLE + "/").get_data(as_text=True)
    row = page.split(f'id="run-{run_id}"')[1].split("</tr>")[0]
    assert "Cannot be published." in row and "spare tables" in row
    assert "Compare and publish" not in row and ">Compare<" in row
    response = client.post(f"{CONSOLE}/runs/{run_id}/publish", follow_redirects=True)
    assert "spare tables, which this run was not allowed to use" in response.get_data(
        as_text=True)
    with published.app_context():
        assert placements() == before


def move_one_by_hand(event) -> int:
    meeting = next(m for m in solving.meetings_in_force(db.session, event)
                   if m.status is MeetingStatus.SCHEDULED and not m.locked)
    slot, table = next((slot, t) for slot, tables in moves.free_places(db.session, event, meeting)
                       for t in tables if not t.spare)
    moves.move_meeting(db.session, event, meeting, slot, table, notify=False)
    db.session.commit()
    return meeting.id


def test_runs_list_says_a_draft_older_than_a_hand_move_is_stale(published, login_as):
    with published.app_context():
        stale = draft_run(demo_event()).id
        db.session.commit()
        no_show_then_standby(demo_event())
        move_one_by_hand(demo_event())
        fresh = runs.create_run(db.session, demo_event(), RunKind.MEETINGS, time_limit_s=1)
        fresh_id = fresh.id
        db.session.commit()
        from flask import current_app
        runs.submit_run(current_app._get_current_object(), fresh_id)
        verdicts = compare.draft_verdicts(db.session, demo_event(),
                                          [db.session.get(SolveRun, i) for i in (stale, fresh_id)])
    assert not verdicts[stale].publishable and verdicts[fresh_id].publishable
    page = login_as(ORGANISER).get(CONSOLE + "/").get_data(as_text=True)
    stale_row = page.split(f'id="run-{stale}"')[1].split("</tr>")[0]
    fresh_row = page.split(f'id="run-{fresh_id}"')[1].split("</tr>")[0]
    assert "The schedule changed after this run" in stale_row
    assert "Cannot be published." in stale_row and "Compare and publish" not in stale_row
    assert "Compare and publish" in fresh_row and "Cannot be published" not in fresh_row


def test_publishing_a_stale_draft_is_refused_in_words(published):
    with published.app_context():
        event = demo_event()
        run = draft_run(event)
        db.session.commit()
        move_one_by_hand(demo_event())
        with pytest.raises(DomainError) as refused:
            publish.publish_schedule(db.session, demo_event(), db.session.get(SolveRun, run.id),
                                     notify=False)
        assert "The schedule changed after this run" in refused.value.message


def test_the_start_form_passes_the_spare_table_option_to_the_run(published, login_as):
    client = login_as(ORGANISER)
    page = client.get(CONSOLE + "/").get_data(as_text=True)
    assert 'name="m-include_spare"' in page
    response = client.post(CONSOLE + "/runs/meetings",
                           data={"m-kind": "meetings", "m-time_limit": "1",
                                 "m-include_spare": "y"})
    assert response.status_code == 302
    with published.app_context():
        run = last_run()
        assert run.include_spare is True
        assert parse_schedule(run.result).stats[solving.SPARE_STAT] is True
