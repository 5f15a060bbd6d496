"""My agenda, the calendar download and private feed, and availability."""
from __future__ import annotations

import re

import icalendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Absence, Event, Meeting, Participation, Phase, Slot, User
from support import register


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1).decode()


def feed_token(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Participation.feed_token).join(User)
                                 .where(User.email == email))


def test_before_publication_the_agenda_lists_accepted_requests_to_be_scheduled(demo, login_as):
    page = login_as("supplier1@demo.example").get("/events/demo/agenda")
    assert page.status_code == 200
    assert b"To be scheduled" in page.data
    assert b"not published yet" in page.data


def test_published_agenda_shows_meetings_with_time_table_and_zone(published, login_as):
    with published.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        label = meeting.table.label
        other = meeting.request.recipient.user.name
    page = login_as("supplier1@demo.example").get("/events/demo/agenda")
    text = page.data.decode()
    assert page.status_code == 200
    assert "Europe/Brussels" in text
    assert "10:30–10:50" in text  # the first slot, local time
    assert label in text and other in text
    assert "Market dialogue" in text
    assert text.index("Market dialogue") < text.index("10:30–10:50")  # 09:30 comes first


def test_print_view_has_the_agenda_without_controls(published, login_as):
    page = login_as("supplier1@demo.example").get("/events/demo/agenda/print")
    assert page.status_code == 200
    assert b"printable" in page.data
    assert b"New private address" not in page.data


def test_ics_download_needs_login_and_is_a_calendar(published, client, login_as):
    assert client.get("/events/demo/agenda.ics").status_code == 302
    response = login_as("supplier1@demo.example").get("/events/demo/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    assert len(list(cal.walk("VEVENT"))) >= 2


def test_feed_works_without_login_and_rotating_the_token_kills_the_old_url(published, client,
                                                                          login_as):
    old = feed_token(published, "supplier1@demo.example")
    assert client.get(f"/feed/{old}.ics").status_code == 200
    assert client.get("/feed/not-a-token.ics").status_code == 404
    supplier = login_as("supplier1@demo.example")
    assert old.encode() in supplier.get("/events/demo/agenda").data
    assert supplier.post("/events/demo/agenda/feed").status_code == 302
    new = feed_token(published, "supplier1@demo.example")
    assert new != old
    assert client.get(f"/feed/{old}.ics").status_code == 404
    assert client.get(f"/feed/{new}.ics").status_code == 200


def test_agenda_needs_login_and_participation(demo, client):
    response = client.get("/events/demo/agenda")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    register(client, "out@example.com", "a-long-password", name="Outsider")
    assert client.get("/events/demo/agenda").status_code == 403
    assert client.get("/events/demo/availability").status_code == 403


def _slot_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))


def _absences(app, email: str) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Absence.slot_id).join(Participation).join(User)
                                      .where(User.email == email)))


def test_availability_grid_saves_unticked_slots_as_absences(demo, login_as):
    client = login_as("supplier1@demo.example")
    page = client.get("/events/demo/availability")
    assert page.status_code == 200
    assert b"10:30" in page.data and b"Europe/Brussels" in page.data
    slots = _slot_ids(demo)
    response = client.post("/events/demo/availability",
                           data={"slots": [str(s) for s in slots[2:]], "max_meetings": "4"})
    assert response.status_code == 302
    assert _absences(demo, "supplier1@demo.example") == set(slots[:2])
    with demo.app_context():
        me = db.session.scalar(select(Participation).join(User)
                               .where(User.email == "supplier1@demo.example"))
        assert me.max_meetings == 4
    client.post("/events/demo/availability", data={"slots": [str(s) for s in slots],
                                                   "max_meetings": ""})
    assert _absences(demo, "supplier1@demo.example") == set()


def test_bad_availability_is_reshown_and_nothing_saved(demo, login_as):
    client = login_as("supplier1@demo.example")
    before = _absences(demo, "supplier1@demo.example")
    for data, message in [({"slots": ["99999"], "max_meetings": ""}, b"valid choice"),
                          ({"slots": ["abc"], "max_meetings": ""}, b"could not be coerced"),
                          ({"slots": [], "max_meetings": "-1"}, b"at least 0"),
                          ({"slots": [], "max_meetings": "11"}, b"between 0 and 10"),
                          ({"slots": [], "max_meetings": "many"}, b"Not a valid integer")]:
        response = client.post("/events/demo/availability", data=data)
        assert response.status_code == 400, data
        assert message in response.data, data
        assert _absences(demo, "supplier1@demo.example") == before


def test_availability_is_frozen_once_the_schedule_is_made(demo, login_as):
    with demo.app_context():
        db.session.scalar(select(Event)).phase = Phase.SCHEDULED
        db.session.commit()
    client = login_as("supplier1@demo.example")
    assert b"being made" in client.get("/events/demo/availability").data
    response = client.post("/events/demo/availability", data={"slots": []})
    assert response.status_code == 400
    assert _absences(demo, "supplier1@demo.example") == set()


def test_organisers_have_no_availability_page(demo, login_as):
    assert login_as("organiser@demo.example").get("/events/demo/availability").status_code == 403


def test_cancelling_a_scheduled_meeting_frees_the_slot_and_drops_it_from_the_feed(published,
                                                                                  client,
                                                                                  login_as):
    from matchmaker.models import Booking, MeetingRequest, RequestStatus
    with published.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        meeting_id, request_id = meeting.id, meeting.request_id
    token = feed_token(published, "supplier1@demo.example")
    assert f"meeting-{meeting_id}@".encode() in client.get(f"/feed/{token}.ics").data
    response = login_as("supplier1@demo.example").post(
        f"/events/demo/requests/{request_id}/cancel")
    assert response.status_code == 302
    with published.app_context():
        assert db.session.get(MeetingRequest, request_id).status is RequestStatus.CANCELLED
        assert db.session.get(Meeting, meeting_id) is None
        assert db.session.scalars(select(Booking).where(
            Booking.meeting_id == meeting_id)).all() == []
    assert f"meeting-{meeting_id}@".encode() not in client.get(f"/feed/{token}.ics").data


def test_rotating_the_feed_needs_the_csrf_token(demo):
    demo.config["WTF_CSRF_ENABLED"] = True
    old = feed_token(demo, "supplier1@demo.example")
    client = demo.test_client()
    client.post("/login", data={"email": "supplier1@demo.example",
                                "password": "circular-demo-2026",
                                "csrf_token": csrf_token(client.get("/login").data)})
    assert client.post("/events/demo/agenda/feed").status_code == 400
    assert feed_token(demo, "supplier1@demo.example") == old
    token = csrf_token(client.get("/events/demo/agenda").data)
    assert client.post("/events/demo/agenda/feed", data={"csrf_token": token}).status_code == 302
    assert feed_token(demo, "supplier1@demo.example") != old


def test_published_agenda_lists_accepted_requests_left_out_of_the_schedule(published, login_as):
    with published.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        other = meeting.request.recipient.user.name
        db.session.delete(meeting)
        db.session.commit()
    page = login_as("supplier1@demo.example").get("/events/demo/agenda").data.decode()
    assert "Accepted, not in the schedule" in page
    assert other in page.split("Accepted, not in the schedule")[1]
