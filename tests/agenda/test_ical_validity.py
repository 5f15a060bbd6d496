"""The calendar properties have the value types RFC 5545/7986 give them, read back by
icalendar and by an independent parser (vobject), so a strict client does not drop them."""
from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from matchmaker.exports import ical
from matchmaker.extensions import db
from matchmaker.models import Event, Meeting


HOST = "matchmaker.test"


def _lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    return data.decode().replace("\r\n ", "").split("\r\n")


@pytest.fixture
def feed(published, by_email):
    with published.app_context():
        supplier = by_email("supplier1@demo.example")
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        data = ical.participant_calendar(db.session, supplier, HOST)
        return data, meeting.id, meeting.table.number, meeting.table.zone, meeting.table.event.venue


def test_refresh_and_ttl_are_durations_in_the_text(feed):
    lines = _lines(feed[0])
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines


def test_icalendar_reads_refresh_and_ttl_as_one_hour(feed):
    cal = icalendar.Calendar.from_ical(feed[0])
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert icalendar.vDuration.from_ical(str(cal["X-PUBLISHED-TTL"])) == timedelta(hours=1)


def test_vobject_reads_the_feed_with_durations_and_located_meetings(feed):
    data, meeting_id, number, table_zone, venue = feed
    cal = vobject.readOne(data.decode())
    assert cal.refresh_interval.params["VALUE"] == ["DURATION"]
    assert vobject.icalendar.stringToDurations(cal.refresh_interval.value) == [timedelta(hours=1)]
    assert vobject.icalendar.stringToDurations(cal.x_published_ttl.value) == [timedelta(hours=1)]
    events = {e.uid.value: e for e in cal.vevent_list}
    meeting = events[f"meeting-{meeting_id}@{HOST}"]
    assert meeting.location.value == f"Table {number}, {table_zone}, {venue}"
    assert meeting.dtstart.value.tzinfo is not None
    assert meeting.dtend.value - meeting.dtstart.value > timedelta(0)
    seat = next(e for e in cal.vevent_list if e.uid.value.startswith("dialogue-seat-"))
    assert seat.location.value.endswith(f", {venue}")
    assert [tz.tzid.value for tz in cal.vtimezone_list] == ["Europe/Brussels"]


def test_vobject_reads_event_and_table_calendars(published):
    with published.app_context():
        event = db.session.scalar(select(Event))
        table = db.session.scalars(select(Meeting).order_by(Meeting.id)).first().table
        for data in (ical.event_calendar(db.session, event, HOST),
                     ical.table_calendar(db.session, table, HOST)):
            cal = vobject.readOne(data.decode())
            assert cal.vevent_list
            assert all(e.location.value.endswith(event.venue) for e in cal.vevent_list)


def test_location_falls_back_to_the_event_name_without_a_venue(published, by_email):
    with published.app_context():
        event = db.session.scalar(select(Event))
        event.venue = ""
        db.session.commit()
        data = ical.participant_calendar(db.session, by_email("supplier1@demo.example"), HOST)
    cal = vobject.readOne(data.decode())
    assert all(e.location.value.endswith(f", {event.name}") for e in cal.vevent_list)
