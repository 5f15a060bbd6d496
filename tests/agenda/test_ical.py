"""The iCalendar module: valid, zoned, stable across exports, safe against injected text."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import icalendar
from sqlalchemy import select

from matchmaker.exports import ical
from matchmaker.extensions import db
from matchmaker.models import Event, Meeting, Phase, Table


HOST = "matchmaker.test"


def _events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_participant_calendar_parses_with_timezone_and_stable_uids(published, by_email):
    with published.app_context():
        supplier = by_email("supplier1@demo.example")
        first = ical.participant_calendar(db.session, supplier, HOST)
        second = ical.participant_calendar(db.session, supplier, HOST)
        cal = icalendar.Calendar.from_ical(first)
        assert cal["PRODID"] == ical.PRODID
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
        events = _events(first)
        meeting_ids = db.session.scalars(select(Meeting.id)).all()
        uids = {str(e["UID"]) for e in events}
        assert {f"meeting-{i}@{HOST}" for i in meeting_ids} <= uids
        assert any(u.startswith("dialogue-seat-") for u in uids)
        assert uids == {str(e["UID"]) for e in _events(second)}
        for event in events:
            assert event.DTSTART.tzinfo is not None
            assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
            assert "DTSTAMP" in event


def test_participant_calendar_names_counterpart_table_and_zone(published, by_email):
    with published.app_context():
        supplier = by_email("supplier1@demo.example")
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        events = {str(e["UID"]): e for e in _events(
            ical.participant_calendar(db.session, supplier, HOST))}
        vevent = events[f"meeting-{meeting.id}@{HOST}"]
        buyer = meeting.request.recipient
        assert str(vevent["SUMMARY"]) == \
            f"Meeting with {buyer.user.name} ({buyer.organisation.name})"
        assert str(vevent["LOCATION"]) == \
            f"Table {meeting.table.number}, {meeting.table.zone}, {meeting.table.event.venue}"
        assert vevent.DTSTART == meeting.slot.starts_at
        assert int(vevent["SEQUENCE"]) == 0


def test_moved_meeting_keeps_uid_and_bumps_sequence(published, by_email):
    with published.app_context():
        supplier = by_email("supplier1@demo.example")
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        meeting.sequence += 1
        meeting.table = db.session.scalars(select(Table).order_by(Table.number.desc())).first()
        db.session.commit()
        events = {str(e["UID"]): e for e in _events(
            ical.participant_calendar(db.session, supplier, HOST))}
        vevent = events[f"meeting-{meeting.id}@{HOST}"]
        assert int(vevent["SEQUENCE"]) == 1
        assert str(vevent["LOCATION"]).startswith(f"Table {meeting.table.number}")


def test_calendar_is_empty_before_publication(published, by_email):
    with published.app_context():
        event = db.session.scalar(select(Event))
        event.phase = Phase.SCHEDULED
        db.session.commit()
        supplier = by_email("supplier1@demo.example")
        assert _events(ical.participant_calendar(db.session, supplier, HOST)) == []


def test_event_and_table_calendars_share_meeting_uids(published, by_email):
    with published.app_context():
        event = db.session.scalar(select(Event))
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        whole = {str(e["UID"]) for e in _events(ical.event_calendar(db.session, event, HOST))}
        table = {str(e["UID"]) for e in _events(
            ical.table_calendar(db.session, meeting.table, HOST))}
        assert table == {f"meeting-{meeting.id}@{HOST}"}
        assert table <= whole
        assert any(u.startswith("dialogue-session-") for u in whole)


def test_text_with_line_breaks_and_semicolons_cannot_inject_properties():
    start = datetime(2026, 12, 10, 9, 30, tzinfo=timezone.utc)
    hostile = "Lunch;\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT\r\nBEGIN:VEVENT, x"
    entry = ical.Entry(uid="meeting-1@h", start=start, end=start + timedelta(minutes=20),
                       summary=hostile, location=hostile, description=hostile)
    data = ical.to_bytes(ical.build_calendar([entry], name=hostile, tz_name="Europe/Brussels",
                                             uid="agenda-1@h"))
    events = _events(data)
    assert len(events) == 1
    assert "ATTENDEE" not in events[0]
    unix = hostile.replace("\r\n", "\n")
    assert str(events[0]["SUMMARY"]) == unix
    assert str(events[0]["LOCATION"]) == unix
    assert b"\r\nATTENDEE" not in data
    assert str(icalendar.Calendar.from_ical(data)["NAME"]) == " ".join(hostile.split())


def test_uid_host_comes_from_configuration_not_the_request():
    assert ical.host_from_config({"CALENDAR_HOST": "events.example"}) == "events.example"
    assert ical.host_from_config({"SERVER_NAME": "mm.example"}) == "mm.example"
    assert ical.host_from_config({}) == "matchmaker.local"


def test_feed_and_download_use_the_configured_uid_host(published, login_as, by_email):
    published.config["CALENDAR_HOST"] = "events.example"
    data = login_as("supplier1@demo.example").get("/events/demo/agenda.ics").data
    assert all(str(e["UID"]).endswith("@events.example") for e in _events(data))
