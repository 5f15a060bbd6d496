"""Live booking after publication: accept and place at once, choose a time, move and
cancel a published meeting, and every refusal (wrong phase, time not free, time past,
absent, over cap, frozen, someone else's meeting)."""
from __future__ import annotations

from datetime import timedelta, time

import pytest
from sqlalchemy import func, select

from matchmaker.console.setup import add_meeting_block
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import live
from matchmaker.models import (Absence, Booking, Meeting, MeetingRequest, Notification,
                               Participation, Phase, RequestStatus, Role, Slot, Table)
from live_helpers import pending_requests, seed_live_event
from support import demo_event, participation_by_email


@pytest.fixture
def live_app(app):
    seed_live_event(app)
    return app


@pytest.fixture
def pending(live_app):
    """A pending request whose two people have at least three free times in common."""
    with live_app.app_context():
        event = demo_event()
        for request in pending_requests():
            if len(live.free_times(db.session, event, request, utcnow())) >= 3:
                return request.id
    pytest.fail("the demo event has no pending request with free times")


def _request(request_id: int) -> MeetingRequest:
    return db.session.get(MeetingRequest, request_id)


def _emails(request_id: int) -> tuple[str, str]:
    request = _request(request_id)
    return request.sender.user.email, request.recipient.user.email


def _free_slot_ids(request_id: int) -> list[int]:
    event = demo_event()
    return [t.slot.id for t in live.free_times(db.session, event, _request(request_id), utcnow())]


def _place_accepted(request_id: int, *, by_sender: bool = False) -> Meeting:
    """The request accepted and placed live at the earliest free time (not committed)."""
    request = _request(request_id)
    request.status = RequestStatus.ACCEPTED
    return live.place(db.session, demo_event(), request,
                      request.sender if by_sender else request.recipient, utcnow())


def _meeting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def _set_event(app, **values) -> None:
    with app.app_context():
        event = demo_event()
        for key, value in values.items():
            setattr(event, key, value)
        db.session.commit()


def test_accept_places_the_meeting_at_the_earliest_free_time(live_app, login_as, pending):
    with live_app.app_context():
        sender, recipient = _emails(pending)
        earliest = _free_slot_ids(pending)[0]
    client = login_as(recipient)
    response = client.post(f"/events/demo/requests/{pending}/accept", follow_redirects=True)
    assert b"Booked: you meet" in response.data
    with live_app.app_context():
        request = _request(pending)
        assert request.status is RequestStatus.ACCEPTED
        meeting = request.meeting
        assert meeting.slot_id == earliest and meeting.locked
        assert {b.participation_id for b in meeting.bookings} == {request.sender_id,
                                                                  request.recipient_id}
        kinds = {n.participation_id: n.kind for n in db.session.scalars(
            select(Notification).where(Notification.participation_id.in_(
                [request.sender_id, request.recipient_id])))}
        assert kinds[request.sender_id] == "request_accepted"
        assert kinds[request.recipient_id] == "meeting_booked"
        sender_text = db.session.scalar(select(Notification.text).where(
            Notification.participation_id == request.sender_id))
        assert meeting.table.label in sender_text
        assert None not in db.session.scalars(select(Notification.sent_at).where(
            Notification.participation_id.in_([request.sender_id, request.recipient_id])))
    assert meeting.table.label.encode() in response.data  # the confirmation says where
    agenda = login_as(sender).get("/events/demo/agenda")
    assert f"requests/{pending}".encode() not in agenda.data  # placed, not "choose a time"
    assert b"Change the time" in agenda.data


def test_the_recipient_chooses_among_free_times_earliest_first(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
        free = _free_slot_ids(pending)
        starts = [db.session.get(Slot, s).starts_at for s in free]
        assert starts == sorted(starts)
    client = login_as(recipient)
    page = client.get(f"/events/demo/requests/{pending}/place")
    assert page.status_code == 200
    html = page.data.decode()
    positions = [html.index(f'value="{s}"') for s in free]
    assert positions == sorted(positions)
    assert f'value="{free[0]}" checked' in html
    response = client.post(f"/events/demo/requests/{pending}/place", data={"slot": free[2]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/agenda")
    with live_app.app_context():
        assert _request(pending).meeting.slot_id == free[2]


def test_requests_page_offers_live_actions(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
    page = login_as(recipient).get("/events/demo/requests").data
    assert b"Booking is live" in page
    assert f"/requests/{pending}/place".encode() in page
    assert b"Accept (earliest free time)" in page


def test_a_time_that_is_not_free_is_refused_with_the_free_times(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
        request = _request(pending)
        free = _free_slot_ids(pending)
        slot = db.session.get(Slot, free[1])
        db.session.add(Absence(participation_id=request.sender_id, slot_id=slot.id))
        db.session.commit()
        name = request.sender.display_name
    client = login_as(recipient)
    response = client.post(f"/events/demo/requests/{pending}/place", data={"slot": free[1]})
    assert response.status_code == 409
    assert f"{name} is not available at".encode() in response.data
    assert b"Next free times" in response.data
    with live_app.app_context():
        assert _request(pending).status is RequestStatus.PENDING
        assert _request(pending).meeting is None


def test_a_time_taken_by_another_meeting_is_refused(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
        request = _request(pending)
        free = _free_slot_ids(pending)
        other = next(r for r in pending_requests() if r.id != pending and request.recipient_id
                     in (r.sender_id, r.recipient_id)
                     and free[0] in _free_slot_ids(r.id))
        other.status = RequestStatus.ACCEPTED
        live.place(db.session, demo_event(), other, request.recipient, utcnow(),
                   slot_id=free[0])
        db.session.commit()
        before = _meeting_count()
    response = login_as(recipient).post(f"/events/demo/requests/{pending}/place",
                                        data={"slot": free[0]})
    assert response.status_code == 409
    assert b"has another meeting at" in response.data
    with live_app.app_context():
        assert _meeting_count() == before
        assert _request(pending).status is RequestStatus.PENDING


def test_a_time_in_the_past_is_refused(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
        event = demo_event()
        yesterday = (utcnow() - timedelta(days=1)).date()
        block = add_meeting_block(db.session, event, day=yesterday, start=time(9),
                                  end=time(10), name="Yesterday")
        past = block.slots[0].id
        db.session.commit()
    response = login_as(recipient).post(f"/events/demo/requests/{pending}/place",
                                        data={"slot": past})
    assert response.status_code == 409
    assert b"has passed" in response.data
    with live_app.app_context():
        assert _request(pending).meeting is None
        assert past not in _free_slot_ids(pending)


def test_over_the_cap_nothing_is_placed(live_app, login_as, pending):
    _set_event(live_app, default_max_meetings=0)
    with live_app.app_context():
        _, recipient = _emails(pending)
    response = login_as(recipient).post(f"/events/demo/requests/{pending}/place", data={})
    assert response.status_code == 409
    assert b"the most allowed here" in response.data
    with live_app.app_context():
        assert _request(pending).status is RequestStatus.PENDING
        assert _meeting_count() == 0


@pytest.mark.parametrize("phase, live_on, message", [
    (Phase.BOOKING_CLOSED, False, b"Booking is closed while the organisers build"),
    (Phase.PUBLISHED, False, b"the organisers have not reopened booking"),
    (Phase.OVER, False, b"The event is over"),
])
def test_wrong_phase_refuses_and_hides_the_actions(live_app, login_as, pending, phase, live_on,
                                                   message):
    _set_event(live_app, phase=phase, live_booking=live_on)
    with live_app.app_context():
        sender, recipient = _emails(pending)
    client = login_as(recipient)
    response = client.post(f"/events/demo/requests/{pending}/place", data={})
    assert response.status_code == 409 and message in response.data
    requests_page = client.get("/events/demo/requests").data
    assert message in requests_page
    assert f"/requests/{pending}/accept".encode() not in requests_page
    assert b"Open until" not in requests_page
    refused = client.post(f"/events/demo/requests/{pending}/accept", follow_redirects=True)
    assert message in refused.data
    with live_app.app_context():
        assert _request(pending).status is RequestStatus.PENDING
        profile = participation_by_email(sender)
    profile_page = client.get(f"/events/demo/people/{profile.id}")
    assert profile_page.status_code == 200
    assert b"Request a meeting" not in profile_page.data and message in profile_page.data


def test_frozen_changes_are_refused_everywhere(live_app, login_as, pending):
    with live_app.app_context():
        sender, recipient = _emails(pending)
        meeting = _place_accepted(pending)
        meeting_id = meeting.id
        slot_id, free = meeting.slot_id, _free_slot_ids(pending)
        db.session.commit()
    _set_event(live_app, changes_frozen_from=utcnow() - timedelta(hours=1))
    client = login_as(sender)
    moved = client.post(f"/events/demo/meetings/{meeting_id}/move", data={"slot": free[1]})
    assert moved.status_code == 409 and b"froze changes" in moved.data
    cancelled = client.post(f"/events/demo/meetings/{meeting_id}/cancel",
                            data={"reason": "ill"})
    assert cancelled.status_code == 409 and b"froze changes" in cancelled.data
    old_cancel = client.post(f"/events/demo/requests/{pending}/cancel", follow_redirects=True)
    assert b"froze changes" in old_cancel.data
    agenda = client.get("/events/demo/agenda").data
    assert f"/meetings/{meeting_id}/move".encode() not in agenda
    with live_app.app_context():
        assert db.session.get(Meeting, meeting_id).slot_id == slot_id
        assert _request(pending).status is RequestStatus.ACCEPTED
        placing = next(r for r in pending_requests() if r.id != pending)
        recipient_email = placing.recipient.user.email
        placing_id = placing.id
    refused = login_as(recipient_email).post(f"/events/demo/requests/{placing_id}/place",
                                             data={})
    assert refused.status_code == 409 and b"froze changes" in refused.data


def test_either_side_moves_the_meeting_and_the_other_is_told(live_app, login_as, pending):
    with live_app.app_context():
        sender, _ = _emails(pending)
        meeting = _place_accepted(pending)
        meeting_id, first = meeting.id, meeting.slot_id
        target = [s for s in _free_slot_ids(pending) if s != first][1]
        db.session.commit()
    client = login_as(sender)
    page = client.get(f"/events/demo/meetings/{meeting_id}/move")
    assert page.status_code == 200 and f'value="{target}"'.encode() in page.data
    response = client.post(f"/events/demo/meetings/{meeting_id}/move", data={"slot": target})
    assert response.status_code == 302
    with live_app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.slot_id == target and meeting.sequence == 1
        assert {b.slot_id for b in meeting.bookings} == {target}
        told = db.session.scalar(select(Notification).where(
            Notification.participation_id == meeting.request.recipient_id,
            Notification.kind == "meeting_moved"))
        assert told is not None and "moved your meeting" in told.text
    again = client.post(f"/events/demo/meetings/{meeting_id}/move", data={"slot": target})
    assert again.status_code == 409 and b"at that time already" in again.data
    missing = client.post(f"/events/demo/meetings/{meeting_id}/move", data={"slot": "999999"})
    assert missing.status_code == 409 and b"not one of the event" in missing.data
    empty = client.post(f"/events/demo/meetings/{meeting_id}/move", data={})
    assert empty.status_code == 400 and b"Choose a new time" in empty.data


def test_cancel_with_a_reason_frees_the_place_and_tells_the_other(live_app, login_as, pending):
    with live_app.app_context():
        _, recipient = _emails(pending)
        meeting_id = _place_accepted(pending, by_sender=True).id
        db.session.commit()
    client = login_as(recipient)
    no_reason = client.post(f"/events/demo/meetings/{meeting_id}/cancel", data={"reason": ""})
    assert no_reason.status_code == 400 and b"why you cancel" in no_reason.data
    with live_app.app_context():
        assert db.session.get(Meeting, meeting_id) is not None
    done = client.post(f"/events/demo/meetings/{meeting_id}/cancel",
                       data={"reason": "Our buyer left the project."})
    assert done.status_code == 302
    with live_app.app_context():
        assert db.session.get(Meeting, meeting_id) is None
        assert db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.meeting_id == meeting_id)) == 0
        request = _request(pending)
        assert request.status is RequestStatus.CANCELLED
        told = db.session.scalar(select(Notification.text).where(
            Notification.participation_id == request.sender_id,
            Notification.kind == "request_cancelled"))
        assert "Our buyer left the project." in told


def test_nobody_else_reaches_a_meeting_or_a_request(live_app, login_as, pending):
    with live_app.app_context():
        meeting_id = _place_accepted(pending, by_sender=True).id
        request = _request(pending)
        pair = {request.sender_id, request.recipient_id}
        stranger = db.session.scalar(select(Participation).where(
            Participation.id.not_in(pair), Participation.role == Role.BUYER)).user.email
        db.session.commit()
    client = login_as(stranger)
    for path in (f"/events/demo/meetings/{meeting_id}/move",
                 f"/events/demo/meetings/{meeting_id}/cancel",
                 f"/events/demo/requests/{pending}/place"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"slot": "1", "reason": "x"}).status_code == 404
    with live_app.app_context():
        assert db.session.get(Meeting, meeting_id) is not None
    # the sender cannot accept their own pending request through the place page
    with live_app.app_context():
        other = next(r for r in pending_requests())
        sender = other.sender.user.email
        other_id = other.id
    assert login_as(sender).post(f"/events/demo/requests/{other_id}/place",
                                 data={}).status_code == 404


def test_an_accepted_request_without_a_time_gets_one(live_app, login_as, pending):
    with live_app.app_context():
        sender, _ = _emails(pending)
        _request(pending).status = RequestStatus.ACCEPTED
        free = _free_slot_ids(pending)
        db.session.commit()
    agenda = login_as(sender).get("/events/demo/agenda").data
    assert f"/requests/{pending}/place".encode() in agenda
    response = login_as(sender).post(f"/events/demo/requests/{pending}/place",
                                     data={"slot": free[0]})
    assert response.status_code == 302
    with live_app.app_context():
        assert _request(pending).meeting.slot_id == free[0]
    again = login_as(sender).post(f"/events/demo/requests/{pending}/place", data={})
    assert again.status_code == 409 and b"has a time already" in again.data


def test_stand_owner_meets_at_the_stand(live_app):
    with live_app.app_context():
        event = demo_event()
        stand = db.session.scalars(select(Table).where(Table.owner_id.is_not(None))).first()
        owner = stand.owner
        buyer = db.session.scalars(select(Participation).where(
            Participation.role == Role.BUYER,
            Participation.organisation_id != owner.organisation_id)).first()
        for old in db.session.scalars(select(MeetingRequest).where(
                MeetingRequest.pair_low == min(owner.id, buyer.id),
                MeetingRequest.pair_high == max(owner.id, buyer.id))):
            old.status = RequestStatus.DECLINED
        db.session.flush()
        request = MeetingRequest(event_id=event.id, sender_id=buyer.id, recipient_id=owner.id,
                                 status=RequestStatus.ACCEPTED)
        db.session.add(request)
        db.session.flush()
        meeting = live.place(db.session, event, request, owner, utcnow())
        assert meeting.table_id == stand.id


def test_new_requests_can_be_sent_while_booking_is_live(live_app, login_as):
    with live_app.app_context():
        supplier = participation_by_email("supplier1@demo.example")
        buyer = next(p for p in db.session.scalars(select(Participation).where(
            Participation.role == Role.BUYER))
            if not db.session.scalar(select(MeetingRequest.id).where(
                MeetingRequest.pair_low == min(p.id, supplier.id),
                MeetingRequest.pair_high == max(p.id, supplier.id))))
        buyer_id = buyer.id
        first = demo_event().slots[0].starts_at
    client = login_as("supplier1@demo.example")
    assert b"Request a meeting" in client.get(f"/events/demo/people/{buyer_id}").data
    response = client.post(f"/events/demo/requests/new/{buyer_id}", data={"priority": "1"})
    assert response.status_code == 302
    with live_app.app_context():
        created = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.recipient_id == buyer_id,
            MeetingRequest.sender_id == participation_by_email("supplier1@demo.example").id))
        assert created.status is RequestStatus.PENDING
        assert created.expires_at <= first  # answered before the event starts, or expired


def test_booking_stops_once_every_meeting_time_has_passed(live_app):
    """Asked with the slots loaded or not (pages ask without loading them), the same answer:
    open until the last meeting time starts, then closed with the reason."""
    from matchmaker.meetings import rules
    with live_app.app_context():
        starts = sorted(db.session.scalars(select(Slot.starts_at)))
        assert starts
        for moment, open_ in ((starts[0] - timedelta(hours=1), True),
                              (starts[-1] - timedelta(minutes=1), True),
                              (starts[-1], False), (starts[-1] + timedelta(days=1), False)):
            for loaded in (False, True):
                db.session.expire_all()
                event = demo_event()
                if loaded:
                    assert event.slots
                refusal = rules.booking_refusal(event, moment)
                if open_:
                    assert refusal is None, (moment, loaded)
                else:
                    assert refusal == "Every meeting time of the event has passed.", loaded
