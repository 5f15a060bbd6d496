"""End to end in a real browser: after publication, with live booking on, a buyer
accepts a supplier's request and chooses the time; the meeting shows on both agendas
and in both calendar feeds at once, without a solver run."""
from __future__ import annotations

import urllib.request

import icalendar
import pytest
from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import live
from matchmaker.models import Meeting, RequestStatus, Role
from journey import Journey
from live_helpers import pending_requests, seed_live_event
from support import chromium, demo_event, served_as_in_production


@pytest.fixture
def live_site(app):
    seed_live_event(app)
    with served_as_in_production(app) as base:
        yield app, base


def _feed(base: str, token: str) -> icalendar.Calendar:
    with urllib.request.urlopen(f"{base}/feed/{token}.ics", timeout=30) as response:
        return icalendar.Calendar.from_ical(response.read())


def test_buyer_accepts_live_and_chooses_the_time(live_site):
    app, base = live_site
    with app.app_context():
        event = demo_event()
        request = next(r for r in pending_requests()
                       if r.sender.role is Role.SUPPLIER and r.recipient.role is Role.BUYER
                       and len(live.free_times(db.session, event, r, utcnow())) >= 2)
        request_id = request.id
        buyer, supplier = request.recipient, request.sender
        buyer_email, supplier_email = buyer.user.email, supplier.user.email
        buyer_name, supplier_name = buyer.user.name, supplier.user.name
        tokens = (buyer.feed_token, supplier.feed_token)
        chosen = live.free_times(db.session, event, request, utcnow())[1].slot

    with chromium(1280, 900) as driver:
        j = Journey(driver, base)
        j.log_in(buyer_email)
        j.open("/events/demo/requests")
        assert "Booking is live" in driver.page_source
        j.click(j.find(f"a[href$='/requests/{request_id}/place']"))
        assert supplier_name in j.heading()
        j.click(j.find(f"input[name=slot][value='{chosen.id}']"), navigates=False)
        j.submit()
        j.assert_no_error_page()
        assert driver.current_url.endswith("/events/demo/agenda"), driver.current_url
        assert "Booked: you meet" in driver.page_source
        assert f"Meeting with {supplier_name}" in j.find("main").text

        j.log_in(supplier_email)
        j.open("/events/demo/agenda")
        assert f"Meeting with {buyer_name}" in j.find("main").text
        assert "Change the time" in driver.page_source

    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.request_id == request_id))
        assert meeting is not None and meeting.slot_id == chosen.id
        assert meeting.request.status is RequestStatus.ACCEPTED
        uid = f"meeting-{meeting.id}@"
        starts = meeting.slot.starts_at
    for token, other in zip(tokens, (supplier_name, buyer_name)):
        events = [e for e in _feed(base, token).walk("VEVENT")
                  if str(e.get("UID")).startswith(uid)]
        assert len(events) == 1
        assert events[0].decoded("DTSTART") == starts
        assert other in str(events[0].get("SUMMARY"))
