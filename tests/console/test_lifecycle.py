"""The event's lifecycle from the organiser console: every phase action, its refusals,
publishing keeps booking live, the freeze date; and requests that expire by themselves."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.cli import cli
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import services
from matchmaker.models import MeetingRequest, Phase, RequestStatus
from support import demo_event

CONSOLE = "/events/demo/console"


def stage(app) -> tuple[Phase, bool]:
    with app.app_context():
        event = demo_event()
        return event.phase, event.live_booking


def test_the_whole_lifecycle_through_labelled_actions(demo, login_as):
    client = login_as("organiser@demo.example")
    home = client.get(CONSOLE + "/").data
    assert b"Close booking" in home and b"No new requests or answers while you build" in home
    assert b"Open live booking" not in home
    for move, expected, button in [
            ("close", (Phase.BOOKING_CLOSED, False), b"Reopen booking"),
            ("reopen", (Phase.BOOKING_OPEN, False), b"Close booking"),
            ("close", (Phase.BOOKING_CLOSED, False), b"End the event")]:
        page = client.post(CONSOLE + "/phase", data={"move": move}, follow_redirects=True)
        assert stage(demo) == expected
        assert button in page.data
    with demo.app_context():
        demo_event().phase = Phase.PUBLISHED  # as publishing a schedule leaves it
        db.session.commit()
    page = client.post(CONSOLE + "/phase", data={"move": "live_on"}, follow_redirects=True)
    assert stage(demo) == (Phase.PUBLISHED, True)
    assert b"Live booking" in page.data and b"Close live booking" in page.data
    client.post(CONSOLE + "/phase", data={"move": "live_off"})
    assert stage(demo) == (Phase.PUBLISHED, False)
    page = client.post(CONSOLE + "/phase", data={"move": "end"}, follow_redirects=True)
    assert stage(demo) == (Phase.OVER, False)
    assert b"Event over" in page.data and b"Resume the event" in page.data
    client.post(CONSOLE + "/phase", data={"move": "resume"})
    assert stage(demo) == (Phase.PUBLISHED, False)


@pytest.mark.parametrize("move", ["open", "reopen", "live_off", "resume", "nonsense"])
def test_a_phase_action_from_the_wrong_phase_is_refused(demo, login_as, move):
    client = login_as("organiser@demo.example")
    page = client.post(CONSOLE + "/phase", data={"move": move}, follow_redirects=True)
    assert b"is not possible while the event is" in page.data or b"Unknown action" in page.data
    assert stage(demo) == (Phase.BOOKING_OPEN, False)


def test_participants_cannot_move_phases(demo, login_as):
    client = login_as("buyer1@demo.example")
    assert client.post(CONSOLE + "/phase", data={"move": "close"}).status_code == 403
    assert stage(demo) == (Phase.BOOKING_OPEN, False)


def test_freeze_date_is_saved_in_the_event_zone_and_cleared(demo, login_as):
    client = login_as("organiser@demo.example")
    response = client.post(CONSOLE + "/freeze", data={"frozen_day": "2026-12-09",
                                                      "frozen_time": "18:00"})
    assert response.status_code == 302
    with demo.app_context():
        frozen = demo_event().changes_frozen_from
        assert frozen.isoformat() == "2026-12-09T17:00:00+00:00"  # 18:00 in Brussels
    page = client.get(CONSOLE + "/").data
    assert b"frozen from" in page
    half = client.post(CONSOLE + "/freeze", data={"frozen_day": "2026-12-09"})
    assert half.status_code == 400 and b"Give both a day and a time" in half.data
    bad = client.post(CONSOLE + "/freeze", data={"frozen_day": "9 december",
                                                 "frozen_time": "18:00"})
    assert bad.status_code == 400
    with demo.app_context():
        assert demo_event().changes_frozen_from == frozen
    client.post(CONSOLE + "/freeze", data={"frozen_day": "", "frozen_time": ""})
    with demo.app_context():
        assert demo_event().changes_frozen_from is None


def test_default_expiry_falls_before_the_first_meeting_time(demo):
    with demo.app_context():
        event = demo_event()
        first = event.slots[0].starts_at
        now = first - timedelta(days=3)
        assert event.request_expiry_days == 10
        assert services.default_expiry(event, now) == first
        assert services.default_expiry(event, first - timedelta(days=30)) == \
            first - timedelta(days=20)
        during = first + timedelta(minutes=1)
        assert services.default_expiry(event, during) == event.slots[-1].starts_at
        event.request_expiry_days = None
        assert services.default_expiry(event, now) is None


def test_expire_requests_command_stores_the_status(demo, runner):
    with demo.app_context():
        pending = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING)).all()
        for request in pending[:3]:
            request.expires_at = utcnow() - timedelta(minutes=1)
        for request in pending[3:]:
            request.expires_at = utcnow() + timedelta(days=1)
        db.session.commit()
        ids = [r.id for r in pending[:3]]
    result = runner.invoke(cli, ["expire-requests"])
    assert result.exit_code == 0, result.output
    assert "3 requests expired." in result.output
    with demo.app_context():
        assert {db.session.get(MeetingRequest, i).status for i in ids} == {RequestStatus.EXPIRED}
        assert db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING)) is not None
    again = runner.invoke(cli, ["expire-requests", "--event", "demo"])
    assert "0 requests expired." in again.output
    missing = runner.invoke(cli, ["expire-requests", "--event", "nope"])
    assert missing.exit_code != 0 and "No event with the slug" in missing.output
    assert "Traceback" not in missing.output
