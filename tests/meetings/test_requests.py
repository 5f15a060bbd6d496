"""Meeting requests through the web pages: send, answer, cancel, and every refusal."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.meetings import services
from matchmaker.models import (Event, MeetingRequest, Participation, Phase, Priority,
                               RequestStatus, User)
from support import DEMO_PASSWORD, register


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1).decode()


def pid(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Participation.id).join(User).where(User.email == email))


def request_between(app, sender: str, recipient: str) -> MeetingRequest | None:
    with app.app_context():
        return db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.sender_id == pid(app, sender),
            MeetingRequest.recipient_id == pid(app, recipient)
        ).order_by(MeetingRequest.id.desc()))


def count_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MeetingRequest))


def set_event(app, **values) -> None:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        for key, value in values.items():
            setattr(event, key, value)
        db.session.commit()


@pytest.fixture
def pending(demo) -> MeetingRequest:
    """supplier12's pending request to buyer1, made fresh (not past its expiry)."""
    request_id = request_between(demo, "supplier12@demo.example", "buyer1@demo.example").id
    with demo.app_context():
        row = db.session.get(MeetingRequest, request_id)
        row.expires_at = utcnow() + timedelta(days=5)
        row.recipient.event.default_max_meetings = 50  # room to accept, whatever the demo drew
        db.session.commit()
        return db.session.get(MeetingRequest, row.id)


def new_url(app, email: str) -> str:
    return f"/events/demo/requests/new/{pid(app, email)}"


def test_supplier_requests_a_meeting_and_the_buyer_is_emailed(demo, login_as):
    client = login_as("supplier1@demo.example")
    page = client.get(new_url(demo, "buyer2@demo.example"))
    assert page.status_code == 200
    assert b"Must meet" in page.data and b"Would like to meet" in page.data
    response = client.post(new_url(demo, "buyer2@demo.example"),
                           data={"priority": "2", "message": "Let's talk about workwear."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/demo/requests?tab=sent")
    created = request_between(demo, "supplier1@demo.example", "buyer2@demo.example")
    assert created.status is RequestStatus.PENDING
    assert created.priority == Priority.MUST_MEET.value
    assert created.expires_at is not None
    with demo.app_context():
        mails = outbox()
        assert [m.to for m in mails] == ["buyer2@demo.example"]
        assert "New meeting request" in mails[0].subject
        assert "workwear" in mails[0].body
    sent = client.get("/events/demo/requests?tab=sent")
    assert b"Pending" in sent.data and b"Withdraw" in sent.data


@pytest.mark.parametrize("data, field_message", [
    ({"priority": "7", "message": ""}, b"Not a valid choice"),
    ({"priority": "x", "message": ""}, b"Invalid Choice"),
    ({"message": "hello"}, b"Choose how much"),
    ({"priority": "1", "message": "x" * 1001}, b"1000 characters"),
])
def test_bad_request_form_is_reshown_with_a_message_and_nothing_saved(demo, login_as, data,
                                                                       field_message):
    before = count_requests(demo)
    client = login_as("supplier1@demo.example")
    response = client.post(new_url(demo, "buyer2@demo.example"), data=data)
    assert response.status_code == 400
    assert field_message in response.data
    assert count_requests(demo) == before


@pytest.mark.parametrize("sender, recipient, message", [
    ("supplier1@demo.example", "supplier1@demo.example", b"with yourself"),
    ("supplier5@demo.example", "supplier6@demo.example", b"your own organisation"),
    ("supplier1@demo.example", "organiser@demo.example", b"takes no one-to-one meetings"),
    ("supplier1@demo.example", "buyer1@demo.example", b"already have a meeting"),
    ("buyer1@demo.example", "supplier1@demo.example", b"already have a meeting"),
    ("buyer1@demo.example", "supplier12@demo.example", b"already an open request"),
])
def test_refused_requests_explain_why_and_save_nothing(demo, login_as, pending, sender,
                                                       recipient, message):
    before = count_requests(demo)
    client = login_as(sender)
    page = client.get(new_url(demo, recipient))
    assert page.status_code == 200
    assert message in page.data.replace(b"&#39;", b"'")
    assert b"Send request" not in page.data
    response = client.post(new_url(demo, recipient), data={"priority": "1", "message": ""})
    assert response.status_code == 400
    assert message in response.data.replace(b"&#39;", b"'")
    assert count_requests(demo) == before


def test_requests_only_while_booking_is_open(demo, login_as):
    set_event(demo, phase=Phase.SCHEDULED)
    client = login_as("supplier1@demo.example")
    response = client.post(new_url(demo, "buyer2@demo.example"), data={"priority": "1"})
    assert response.status_code == 400
    assert b"Booking is closed while the organisers build the schedule" in response.data
    assert request_between(demo, "supplier1@demo.example", "buyer2@demo.example") is None


def test_cap_on_open_requests(demo, login_as):
    set_event(demo, max_open_requests=1)
    client = login_as("supplier1@demo.example")
    assert client.post(new_url(demo, "buyer2@demo.example"),
                       data={"priority": "1"}).status_code == 302
    response = client.post(new_url(demo, "buyer5@demo.example"), data={"priority": "1"})
    assert response.status_code == 400
    assert b"waiting for an answer" in response.data
    assert request_between(demo, "supplier1@demo.example", "buyer5@demo.example") is None


def test_database_index_backs_up_the_duplicate_check(demo):
    """Two racing requests: the second insert hits the partial unique index."""
    sender_id, recipient_id = pid(demo, "supplier1@demo.example"), pid(demo, "buyer2@demo.example")
    with demo.app_context():
        event = db.session.scalar(select(Event))
        sender = db.session.get(Participation, sender_id)
        recipient = db.session.get(Participation, recipient_id)
        db.session.add(MeetingRequest(event_id=event.id, sender_id=recipient.id,
                                      recipient_id=sender.id))
        db.session.flush()
        original = services.open_request_between
        services.open_request_between = lambda *args: None  # the check loses the race
        try:
            with pytest.raises(services.DomainError, match="already an open request"):
                services.request_meeting(db.session, event, sender, recipient, message="",
                                         priority=1, now=utcnow())
        finally:
            services.open_request_between = original


def test_anonymous_is_sent_to_login_and_outsiders_get_403(demo, client, login_as, app):
    response = client.get("/events/demo/requests")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(new_url(demo, "buyer2@demo.example"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    register(client, "out@example.com", "a-long-password", name="Outsider")
    assert client.get("/events/demo/requests").status_code == 403
    assert client.get(new_url(demo, "buyer2@demo.example")).status_code == 403


def test_unknown_or_other_event_participant_is_404(demo, login_as):
    client = login_as("supplier1@demo.example")
    assert client.get("/events/demo/requests/new/99999").status_code == 404
    assert client.get("/events/nope/requests").status_code == 404


def test_buyer_accepts_and_sender_is_emailed(demo, login_as, pending):
    client = login_as("buyer1@demo.example")
    inbox = client.get("/events/demo/requests")
    assert inbox.status_code == 200
    assert f"/requests/{pending.id}/accept".encode() in inbox.data
    response = client.post(f"/events/demo/requests/{pending.id}/accept")
    assert response.status_code == 302
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.ACCEPTED
    with demo.app_context():
        assert [m.to for m in outbox()] == ["supplier12@demo.example"]
        assert "accepted" in outbox()[0].subject


def test_decline_with_reason_and_bad_reason_is_reshown(demo, login_as, pending):
    client = login_as("buyer1@demo.example")
    url = f"/events/demo/requests/{pending.id}/decline"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": "x" * 301})
    assert response.status_code == 400 and b"300 characters" in response.data
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING
    assert client.post(url, data={"reason": "Not this year."}).status_code == 302
    declined = request_between(demo, "supplier12@demo.example", "buyer1@demo.example")
    assert declined.status is RequestStatus.DECLINED
    assert declined.decline_reason == "Not this year."
    with demo.app_context():
        assert "Not this year." in outbox()[0].body
    declined = login_as("supplier12@demo.example").get("/events/demo/requests?tab=declined")
    assert b"Declined" in declined.data and b"Not this year." in declined.data


def test_only_the_recipient_can_accept_or_decline(demo, login_as, pending):
    for email in ("supplier12@demo.example", "supplier1@demo.example", "buyer2@demo.example"):
        client = login_as(email)
        assert client.post(f"/events/demo/requests/{pending.id}/accept").status_code == 404
        assert client.get(f"/events/demo/requests/{pending.id}/decline").status_code == 404
        assert client.post(f"/events/demo/requests/{pending.id}/decline",
                           data={"reason": ""}).status_code == 404
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING


def test_a_supplier_cannot_read_another_inbox(demo, login_as, pending):
    page = login_as("supplier1@demo.example").get("/events/demo/requests")
    assert f"/requests/{pending.id}/".encode() not in page.data
    outsider = login_as("supplier2@demo.example")
    assert outsider.post(f"/events/demo/requests/{pending.id}/cancel").status_code == 404


def test_cancel_rules(demo, login_as, pending):
    buyer = login_as("buyer1@demo.example")
    buyer.post(f"/events/demo/requests/{pending.id}/cancel")
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING  # the recipient declines rather than cancels
    sender = login_as("supplier12@demo.example")
    assert sender.post(f"/events/demo/requests/{pending.id}/cancel").status_code == 302
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.CANCELLED
    accepted = request_between(demo, "supplier1@demo.example", "buyer1@demo.example")
    assert buyer.post(f"/events/demo/requests/{accepted.id}/cancel").status_code == 302
    assert request_between(demo, "supplier1@demo.example", "buyer1@demo.example").status \
        is RequestStatus.CANCELLED
    with demo.app_context():
        assert [m.to for m in outbox()] == ["supplier1@demo.example"]


def test_accepting_is_refused_at_the_meeting_cap(demo, login_as, pending):
    with demo.app_context():
        buyer1 = db.session.get(Participation, pid(demo, "buyer1@demo.example"))
        held = services.accepted_count(db.session, buyer1)
    assert held >= 1
    set_event(demo, default_max_meetings=held)  # buyer1 is now full
    client = login_as("buyer1@demo.example")
    response = client.post(f"/events/demo/requests/{pending.id}/accept", follow_redirects=True)
    assert b"the most allowed" in response.data
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING


def test_accepting_is_refused_when_the_sender_is_full(demo, login_as, pending):
    sender_id = pid(demo, "supplier12@demo.example")
    with demo.app_context():
        from matchmaker.meetings.services import accepted_count
        sender = db.session.get(Participation, sender_id)
        sender.max_meetings = accepted_count(db.session, sender)  # full now
        db.session.commit()
    response = login_as("buyer1@demo.example").post(
        f"/events/demo/requests/{pending.id}/accept", follow_redirects=True)
    assert b"no room for more meetings" in response.data
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING


def test_expired_requests_show_as_expired_and_cannot_be_accepted(demo, login_as, pending):
    with demo.app_context():
        row = db.session.get(MeetingRequest, pending.id)
        row.expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    client = login_as("buyer1@demo.example")
    inbox = client.get("/events/demo/requests")
    assert f"/requests/{pending.id}/accept".encode() not in inbox.data
    everything = client.get("/events/demo/requests?tab=all")
    assert f"/requests/{pending.id}/accept".encode() not in everything.data
    assert b"Expired" in everything.data
    response = client.post(f"/events/demo/requests/{pending.id}/accept", follow_redirects=True)
    assert b"has expired" in response.data
    with demo.app_context():
        event = db.session.scalar(select(Event))
        assert services.expire_requests(db.session, event, utcnow()) >= 1
        db.session.commit()
        assert db.session.get(MeetingRequest, pending.id).status is RequestStatus.EXPIRED
    # the pair is free again: the supplier may ask anew
    again = login_as("supplier12@demo.example").post(
        new_url(demo, "buyer1@demo.example"), data={"priority": "1"})
    assert again.status_code == 302


def test_csrf_token_is_required_on_actions(demo, pending):
    demo.config["WTF_CSRF_ENABLED"] = True
    client = demo.test_client()
    client.post("/login", data={"email": "buyer1@demo.example", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client.get("/login").data)})
    url = f"/events/demo/requests/{pending.id}/accept"
    assert client.post(url).status_code == 400
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.PENDING
    token = csrf_token(client.get("/events/demo/requests").data)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert request_between(demo, "supplier12@demo.example", "buyer1@demo.example").status \
        is RequestStatus.ACCEPTED


def test_the_rules_read_once_per_page_answer_as_the_rules_per_person(demo):
    """A market place page reads the reader's open requests once (`open_requests_of`)
    and asks about every card; each answer is the one the request form would give."""
    with demo.app_context():
        event = db.session.scalar(select(Event))
        people = list(db.session.scalars(select(Participation).where(
            Participation.event_id == event.id)))
        now = utcnow()
        for sender in people[:12]:
            waiting = db.session.scalars(select(MeetingRequest).where(
                MeetingRequest.sender_id == sender.id,
                MeetingRequest.status == RequestStatus.PENDING)).first()
            if waiting is not None:  # pending, but past its expiry: no longer in the way
                waiting.expires_at = now - timedelta(hours=1)
        db.session.flush()
        checked = set()
        for max_open in (event.max_open_requests, 1):
            event.max_open_requests = max_open
            for sender in people[:12]:
                known = services.open_requests_of(db.session, event, sender, now)
                for recipient in people:
                    answer = services.why_not_requestable(db.session, event, sender,
                                                          recipient, now, known)
                    assert answer == services.why_not_requestable(
                        db.session, event, sender, recipient, now), (sender.id, recipient.id)
                    checked.add(answer)
        event.phase = Phase.SCHEDULED
        known = services.open_requests_of(db.session, event, people[0], now)
        assert known.refusal == services.why_not_requestable(db.session, event, people[0],
                                                             people[1], now)
        assert known.refusal is not None
    # every kind of answer came up: none, open request, own organisation, cap reached...
    assert None in checked and len(checked) >= 4, checked
