"""Locks and hand moves of meetings in force."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Absence, Booking, Meeting
from matchmaker.schedule import solving
from schedule_helpers import CONSOLE
from support import ORGANISER, demo_event


def free_place(event, meeting):
    """A (slot, table) the meeting may move to: both free and available, table free and allowed."""
    ep = solving.build_problem(db.session, event, block_dialogues=False)
    taken = {(m.slot_id, m.table_id) for m in solving.meetings_in_force(db.session, event)}
    busy = {(b.participation_id, b.slot_id) for b in db.session.scalars(select(Booking))}
    absent = {(a.participation_id, a.slot_id) for a in db.session.scalars(select(Absence))}
    pair = (meeting.request.sender_id, meeting.request.recipient_id)
    stands = [t for t in event.tables if t.owner_id in pair]
    allowed = stands or [t for t in event.tables if t.owner_id is None and not t.spare]
    for slot in ep.slots.values():
        if any((p, slot.id) in busy or (p, slot.id) in absent for p in pair):
            continue
        for table in allowed:
            if (slot.id, table.id) not in taken:
                return slot, table
    return None


def test_lock_and_unlock_a_meeting(published, login_as):
    with published.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).order_by(Meeting.id))
    client = login_as(ORGANISER)
    assert client.post(f"{CONSOLE}/meetings/{meeting_id}/lock").status_code == 302
    with published.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.locked
        problem = solving.build_problem(db.session, demo_event()).problem
        key = solving.meeting_key(meeting.request_id)
        pinned = next(m for m in problem.meetings if m.id == key)
        assert pinned.fixed is not None and pinned.fixed.slot == solving.slot_key(meeting.slot_id)
    assert client.post(f"{CONSOLE}/meetings/{meeting_id}/unlock").status_code == 302
    with published.app_context():
        assert not db.session.get(Meeting, meeting_id).locked


def test_move_to_a_free_place_moves_bookings_locks_and_bumps_sequence(published, login_as):
    with published.app_context():
        event = demo_event()
        meeting = None
        for m in solving.meetings_in_force(db.session, event):
            place = free_place(event, m)
            if place:
                meeting = m
                break
        assert meeting is not None
        slot, table = place
        meeting_id, sequence, slot_id, table_id = meeting.id, meeting.sequence, slot.id, table.id
    client = login_as(ORGANISER)
    assert client.get(f"{CONSOLE}/meetings/{meeting_id}/move").status_code == 200
    response = client.post(f"{CONSOLE}/meetings/{meeting_id}/move",
                           data={"slot": slot_id, "table": table_id})
    assert response.status_code == 302, response.get_data(as_text=True)
    with published.app_context():
        moved = db.session.get(Meeting, meeting_id)
        assert (moved.slot_id, moved.table_id) == (slot_id, table_id)
        assert moved.locked and moved.sequence == sequence + 1
        assert {b.slot_id for b in moved.bookings} == {slot_id}
        assert len(moved.bookings) == 2


def test_move_onto_a_taken_table_is_refused_and_names_the_clash(published, login_as):
    with published.app_context():
        meetings = solving.meetings_in_force(db.session, demo_event())
        # Two pooled meetings in different slots: move the first onto the second's place.
        pooled = [m for m in meetings if m.table.owner_id is None]
        a = pooled[0]
        b = next(m for m in pooled if m.slot_id != a.slot_id)
        ids = (a.id, a.slot_id, a.table_id)
        target = (b.slot_id, b.table_id)
        names = {b.request.sender.user.name, b.request.recipient.user.name}
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/meetings/{ids[0]}/move",
                           data={"slot": target[0], "table": target[1]})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "is taken at" in text or "has another meeting" in text or "not available" in text
    with published.app_context():
        meeting = db.session.get(Meeting, ids[0])
        assert (meeting.id, meeting.slot_id, meeting.table_id) == ids
        assert not meeting.locked
    if "is taken at" in text:
        assert any(name in text for name in names)


def test_move_onto_a_taken_table_names_the_meeting_there(published):
    from matchmaker.schedule import moves
    with published.app_context():
        event = demo_event()
        meetings = solving.meetings_in_force(db.session, event)
        pooled = [m for m in meetings if m.table.owner_id is None]
        a = pooled[0]
        b = next(m for m in pooled if m.slot_id != a.slot_id)
        clashes = moves.move_clashes(db.session, event, a, b.slot, b.table)
        when = b.slot.starts_at.astimezone(ZoneInfo(event.timezone))
        assert ("table", f"{b.table.label} is taken at {when:%H:%M} (meeting of "
                f"{b.request.sender.user.name} and {b.request.recipient.user.name}).") in clashes


def test_move_to_another_suppliers_stand_is_refused(published, login_as):
    with published.app_context():
        event = demo_event()
        stands = [t for t in event.tables if t.owner_id is not None]
        meeting = next(m for m in solving.meetings_in_force(db.session, event)
                       if m.table.owner_id is None)
        stand = next(t for t in stands if t.owner_id not in (meeting.request.sender_id,
                                                             meeting.request.recipient_id))
        meeting_id, slot_id, stand_id = meeting.id, meeting.slot_id, stand.id
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/meetings/{meeting_id}/move",
                           data={"slot": slot_id, "table": stand_id})
    assert response.status_code == 400
    assert "stand reserved" in response.get_data(as_text=True) or \
        "is taken" in response.get_data(as_text=True)


def test_move_with_a_bad_slot_choice_is_reshown_with_400(published, login_as):
    with published.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/meetings/{meeting_id}/move",
                           data={"slot": "999999", "table": "abc"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_move_to_a_slot_where_a_participant_is_absent_is_refused(published, login_as):
    with published.app_context():
        event = demo_event()
        meeting = solving.meetings_in_force(db.session, event)[0]
        slot = next(s for s in event.slots if s.id != meeting.slot_id)
        db.session.add(Absence(participation_id=meeting.request.sender_id, slot_id=slot.id))
        db.session.commit()
        ids = (meeting.id, slot.id, meeting.table_id, meeting.request.sender.user.name)
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/meetings/{ids[0]}/move",
                           data={"slot": ids[1], "table": ids[2]})
    assert response.status_code == 400
    assert f"{ids[3]}" in response.get_data(as_text=True)
    assert "not available" in response.get_data(as_text=True)


def test_meeting_of_another_event_is_404(published, login_as):
    from datetime import date, time
    from matchmaker.models import Event, Participation, Role, User
    from matchmaker.console.setup import add_meeting_block
    with published.app_context():
        other = Event(name="Other", slug="other")
        db.session.add(other)
        db.session.flush()
        organiser = db.session.scalar(select(User).where(User.email == ORGANISER))
        db.session.add(Participation(event=other, user=organiser, role=Role.ORGANISER))
        add_meeting_block(db.session, other, day=date(2026, 12, 11), start=time(10),
                          end=time(11))
        db.session.commit()
        meeting_id = db.session.scalar(select(Meeting.id))
    client = login_as(ORGANISER)
    for url in (f"/events/other/console/schedule/meetings/{meeting_id}/move",):
        assert client.get(url).status_code == 404
    assert client.post(f"/events/other/console/schedule/meetings/{meeting_id}/lock"
                       ).status_code == 404
    assert client.get("/events/demo/console/schedule/meetings/999999/move").status_code == 404


def test_move_page_lists_places_where_both_are_free_and_each_one_is_accepted(published,
                                                                               login_as):
    from matchmaker.schedule import moves
    with published.app_context():
        event = demo_event()
        meeting = solving.meetings_in_force(db.session, event)[0]
        places = moves.free_places(db.session, event, meeting)
        assert places
        for slot, tables in places:
            for table in tables:
                assert moves.move_clashes(db.session, event, meeting, slot, table) == []
        meeting_id, (slot, tables) = meeting.id, places[0]
        label = tables[0].label
    page = login_as(ORGANISER).get(f"{CONSOLE}/meetings/{meeting_id}/move")
    assert "Where both are free" in page.get_data(as_text=True)
    assert label in page.get_data(as_text=True)


def test_database_constraints_refuse_a_double_booking_the_checks_missed(published, monkeypatch):
    """If two organisers move meetings at once, the unique (slot, table) constraint decides."""
    from matchmaker.domain import DomainError
    from matchmaker.schedule import moves
    with published.app_context():
        event = demo_event()
        pooled = [m for m in solving.meetings_in_force(db.session, event)
                  if m.table.owner_id is None]
        a = pooled[0]
        b = next(m for m in pooled if m.slot_id != a.slot_id)
        before = (a.id, a.slot_id, a.table_id, a.sequence)
        monkeypatch.setattr(moves, "move_clashes", lambda *args: [])
        try:
            moves.move_meeting(db.session, event, a, b.slot, b.table, notify=False)
        except DomainError as error:
            assert "just took this place" in error.message
        else:
            raise AssertionError("the double booking went through")
        db.session.commit()
        db.session.expire_all()
        meeting = db.session.get(Meeting, before[0])
        assert (meeting.id, meeting.slot_id, meeting.table_id, meeting.sequence) == before
        assert {bk.slot_id for bk in meeting.bookings} == {before[1]}
