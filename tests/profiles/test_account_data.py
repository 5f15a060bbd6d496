"""Personal data: download everything as JSON, delete the account with its data."""
import json

import pytest
from sqlalchemy import func, or_, select

from matchmaker.extensions import db
from matchmaker.models import (Booking, Listing, MeetingFeedback, MeetingRequest,
                               Notification, Participation, RequestStatus, Slot, Table, User)
from support import DEMO_PASSWORD, place_meeting, user_by_email


@pytest.fixture(autouse=True)
def uploads_in_tmp(app, tmp_path):
    """Keep uploaded logos out of the real instance folder."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def my_participation(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(Participation.id).where(
            Participation.user_id == user_by_email(email).id))


def schedule_one_meeting(app, participation_id) -> int:
    """Put one accepted request of this participant in the first slot at a free table."""
    with app.app_context():
        req = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED,
            or_(MeetingRequest.sender_id == participation_id,
                MeetingRequest.recipient_id == participation_id)).order_by(MeetingRequest.id))
        slot = db.session.scalar(select(Slot).where(Slot.event_id == req.event_id)
                                 .order_by(Slot.starts_at))
        table = db.session.scalar(select(Table).where(Table.event_id == req.event_id)
                                  .order_by(Table.number))
        meeting_id = place_meeting(req, slot, table).id
        db.session.commit()
        return meeting_id


def test_download_my_data_holds_account_profiles_listings_requests_and_meetings(demo, login_as):
    me = my_participation(demo, "buyer1@demo.example")
    meeting_id = schedule_one_meeting(demo, me)
    with demo.app_context():
        db.session.add(MeetingFeedback(meeting_id=meeting_id, participation_id=me, useful=4,
                                       comment="Good talk about chairs"))
        db.session.add(Notification(participation_id=me, kind="request", text="A new request"))
        db.session.commit()
    response = login_as("buyer1@demo.example").get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "buyer1@demo.example"
    assert "password" not in json.dumps(data).lower()
    [part] = data["participations"]
    assert part["event"]["slug"] == "demo" and part["role"] == "buyer"
    with demo.app_context():
        listings = db.session.scalar(select(func.count()).select_from(Listing).where(
            Listing.participation_id == me))
        sent = db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
            MeetingRequest.sender_id == me))
        received = db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
            MeetingRequest.recipient_id == me))
    assert len(part["listings"]) == listings and listings > 0
    assert len(part["requests_sent"]) == sent
    assert len(part["requests_received"]) == received and received > 0
    assert [m["id"] for m in part["meetings"]] == [meeting_id]
    assert part["meetings"][0]["starts_at"].endswith("+00:00")
    assert part["meeting_feedback"][0]["comment"] == "Good talk about chairs"
    assert part["notifications"][0]["text"] == "A new request"


def test_account_page_and_export_need_login(demo):
    client = demo.test_client()
    for url in ("/account", "/account/export"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/delete", data={"password": DEMO_PASSWORD,
                                                "confirm": "y"}).status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) > 0


def test_delete_account_refuses_a_wrong_password_or_missing_confirmation(demo, login_as):
    client = login_as("buyer1@demo.example")
    for data in ({"password": "wrong-password-1", "confirm": "y"},
                 {"password": DEMO_PASSWORD},
                 {"password": "", "confirm": "y"}):
        response = client.post("/account/delete", data=data)
        assert response.status_code == 400, data
        assert b'class="errors"' in response.data
    with demo.app_context():
        assert user_by_email("buyer1@demo.example") is not None


def test_delete_account_removes_the_user_and_their_data_and_logs_out(demo, login_as):
    me = my_participation(demo, "buyer1@demo.example")
    schedule_one_meeting(demo, me)
    with demo.app_context():
        users_before = db.session.scalar(select(func.count()).select_from(User))
        other_listings = db.session.scalar(select(func.count()).select_from(Listing).where(
            Listing.participation_id != me))
    client = login_as("buyer1@demo.example")
    assert b"Delete my account" in client.get("/account").data
    response = client.post("/account/delete", data={"password": DEMO_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with demo.app_context():
        assert user_by_email("buyer1@demo.example") is None
        assert db.session.get(Participation, me) is None
        assert db.session.scalar(select(func.count()).select_from(User)) == users_before - 1
        assert db.session.scalar(select(func.count()).select_from(Listing).where(
            Listing.participation_id == me)) == 0
        assert db.session.scalar(select(func.count()).select_from(MeetingRequest).where(or_(
            MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me))) == 0
        assert db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.participation_id == me)) == 0
        assert db.session.scalar(select(func.count()).select_from(Listing)) == other_listings
    after = client.get("/account")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
