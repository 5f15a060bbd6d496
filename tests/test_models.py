"""The database itself refuses data that would break the event."""
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from matchmaker.extensions import db
from matchmaker.models import (Booking, DialogueSeat, DialogueSession, DialogueTable, Event,
                               Meeting, MeetingBlock, MeetingRequest, Participation,
                               ProductGroup, RequestStatus, Role, Side, User)
from matchmaker.console.setup import add_meeting_block, add_tables
from support import place_meeting


def _user(email):
    return User(email=email, name=email.split("@")[0], password_hash="x")


@pytest.fixture
def world(session):
    event = Event(name="Test event", slug="test", timezone="Europe/Brussels")
    session.add(event)
    session.flush()
    add_meeting_block(session, event, day=date(2026, 12, 1), start=time(10), end=time(11),
                      meeting_minutes=20, break_minutes=0)
    tables = add_tables(session, event, 2)
    people = [Participation(event=event, user=_user(f"p{i}@x.example"),
                            role=Role.BUYER if i % 2 else Role.SUPPLIER) for i in range(4)]
    session.add_all(people)
    session.commit()
    return event, list(event.slots), tables, people


def _request(event, a, b, status=RequestStatus.ACCEPTED):
    return MeetingRequest(event_id=event.id, sender_id=a.id, recipient_id=b.id, status=status)


def _saved(session, *requests: MeetingRequest) -> tuple[MeetingRequest, ...]:
    """The requests, added and flushed (their ids assigned)."""
    session.add_all(requests)
    session.flush()
    return requests


def test_slots_are_generated_in_utc_from_local_times(world):
    event, slots, _, _ = world
    assert len(slots) == 3
    assert slots[0].starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # CET = UTC+1
    assert slots[0].starts_at.tzinfo is not None


@pytest.mark.parametrize("second_pair, second_table", [
    ((2, 3), 0),  # two meetings at one table
    ((0, 2), 1),  # one participant in two meetings
], ids=["same-table", "same-participant"])
def test_a_second_meeting_that_clashes_in_one_slot_is_refused(session, world, second_pair,
                                                              second_table):
    event, slots, tables, people = world
    r1, r2 = _saved(session, _request(event, people[0], people[1]),
                    _request(event, *(people[i] for i in second_pair)))
    place_meeting(r1, slots[0], tables[0])
    session.commit()
    with pytest.raises(IntegrityError):
        place_meeting(r2, slots[0], tables[second_table])
    session.rollback()
    assert session.scalar(select(db.func.count()).select_from(Meeting)) == 1


def test_moving_a_meeting_moves_its_bookings_and_cannot_create_a_clash(session, world):
    event, slots, tables, (a, b, c, d) = world
    r1, r2 = _saved(session, _request(event, a, b), _request(event, a, c))
    m1 = place_meeting(r1, slots[0], tables[0])
    m2 = place_meeting(r2, slots[1], tables[0])
    session.commit()
    m1.slot_id = slots[2].id
    session.commit()
    session.expire_all()
    assert {b.slot_id for b in session.scalars(select(Booking).where(
        Booking.meeting_id == m1.id))} == {slots[2].id}
    m2 = session.get(Meeting, m2.id)
    m2.slot_id = slots[2].id  # `a` is already booked there
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_booking_slot_must_match_its_meeting(session, world):
    event, slots, tables, (a, b, *_rest) = world
    (r1,) = _saved(session, _request(event, a, b))
    meeting = Meeting(event_id=event.id, request=r1, slot_id=slots[0].id, table_id=tables[0].id)
    session.add(meeting)
    session.flush()
    session.add(Booking(meeting_id=meeting.id, slot_id=slots[1].id, participation_id=a.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_one_open_request_per_pair_either_way(session, world):
    event, _, _, (a, b, *_rest) = world
    session.add(_request(event, a, b, RequestStatus.PENDING))
    session.commit()
    session.add(_request(event, b, a, RequestStatus.PENDING))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # A declined request does not block a new one.
    first = session.scalar(select(MeetingRequest))
    first.status = RequestStatus.DECLINED
    session.commit()
    session.add(_request(event, b, a, RequestStatus.PENDING))
    session.commit()


def test_a_request_to_oneself_is_refused(session, world):
    event, _, _, (a, *_rest) = world
    session.add(MeetingRequest(event_id=event.id, sender_id=a.id, recipient_id=a.id,
                               pair_low=a.id, pair_high=a.id + 1))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_priority_outside_range_is_refused(session, world):
    event, _, _, (a, b, *_rest) = world
    session.add(MeetingRequest(event_id=event.id, sender_id=a.id, recipient_id=b.id, priority=0))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_unknown_status_is_refused_by_the_database(session, world):
    event, _, _, (a, b, *_rest) = world
    with pytest.raises(IntegrityError):
        session.execute(db.text(
            "INSERT INTO meeting_request (event_id, sender_id, recipient_id, pair_low, "
            "pair_high, message, priority, status, decline_reason, created_at) VALUES "
            "(:e, :a, :b, :a, :b, '', 1, 'maybe', '', '2026-01-01 00:00:00')"),
            {"e": event.id, "a": min(a.id, b.id), "b": max(a.id, b.id)})
    session.rollback()


def test_one_participation_per_user_and_event(session, world):
    event, _, _, (a, *_rest) = world
    session.add(Participation(event=event, user_id=a.user_id, role=Role.SUPPLIER))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_e_mail_addresses_are_unique(session):
    session.add_all([_user("same@x.example"), _user("same@x.example")])
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_block_must_end_after_it_starts(session, world):
    event, *_ = world
    session.add(MeetingBlock(event_id=event.id, day=date(2026, 12, 2), start_time=time(12),
                             end_time=time(11)))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_table_numbers_are_unique_per_event(session, world):
    event, *_ = world
    from matchmaker.models import Table
    session.add(Table(event_id=event.id, number=1))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_one_dialogue_seat_per_participant_and_session(session, world):
    event, _, _, (a, *_rest) = world
    group = session.scalar(select(ProductGroup).where(ProductGroup.code == "textile"))
    dialogue = DialogueSession(event_id=event.id, product_group=group,
                               starts_at=datetime(2026, 12, 1, 8, tzinfo=timezone.utc),
                               ends_at=datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
    dialogue.tables = [DialogueTable(label="T1"), DialogueTable(label="T2")]
    session.add(dialogue)
    session.flush()
    t1, t2 = dialogue.tables
    session.add(DialogueSeat(table_id=t1.id, session_id=dialogue.id, participation_id=a.id,
                             side=Side.SUPPLIER))
    session.commit()
    session.add(DialogueSeat(table_id=t2.id, session_id=dialogue.id, participation_id=a.id,
                             side=Side.SUPPLIER))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_deleting_an_event_removes_everything_in_it(session, world):
    event, slots, tables, (a, b, *_rest) = world
    (r1,) = _saved(session, _request(event, a, b))
    place_meeting(r1, slots[0], tables[0])
    session.commit()
    session.execute(db.delete(Event).where(Event.id == event.id))
    session.commit()
    for model in (Meeting, Booking, MeetingRequest, Participation):
        assert session.scalar(select(db.func.count()).select_from(model)) == 0
