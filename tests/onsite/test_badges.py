"""Badges with a check-in QR code, scanning them, the entrance code and walk-ins."""
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from matchmaker.attendees.services import has_usable_password
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.models import (Absence, Booking, Event, Meeting, MeetingRequest, Participation,
                               RequestStatus, Role, User)
from matchmaker.onsite import badges
from matchmaker.onsite.services import current_slot
from support import csrf_token_from, demo_app, demo_event, login, participation_by_email

CONSOLE = "/events/demo/console"


def token_for(app, email: str) -> str:
    with app.app_context():
        return badges.checkin_token(participation_by_email(email), secret_key=app.config["SECRET_KEY"])


def pdf_pages(data: bytes, tmp_path) -> list[Image.Image]:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to read the PDFs"
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = []
    for path in sorted(tmp_path.glob("page-*.png")):
        with Image.open(path) as image:
            pages.append(image.copy())
    return pages


def qr_texts(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def organiser(demo, login_as):
    return login_as("organiser@demo.example")


# --- Badges --------------------------------------------------------------------------------

def test_a6_badges_one_page_each_with_a_code_that_checks_the_person_in(demo, organiser,
                                                                      tmp_path):
    with demo.app_context():
        count = db.session.scalar(select(func.count(Participation.id)).where(
            Participation.event_id == demo_event().id))
    response = organiser.get(CONSOLE + "/badges.pdf?layout=a6")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) == count
    texts = qr_texts(pages[0])
    assert len(texts) == 1 and "/events/demo/console/checkin/badge/" in texts[0]
    with demo.app_context():
        person = badges.read_checkin_token(db.session, demo_event(), texts[0],
                                           secret_key=demo.config["SECRET_KEY"])
        first = db.session.scalar(select(Participation).join(User).where(
            Participation.event_id == demo_event().id).order_by(User.name, User.email))
        assert person.id == first.id


def test_label_sheets_hold_ten_badges_each_and_every_code_reads(demo, organiser, tmp_path):
    with demo.app_context():
        ids = set(db.session.scalars(select(Participation.id).where(
            Participation.event_id == demo_event().id)))
    response = organiser.get(CONSOLE + "/badges.pdf?layout=labels")
    assert response.status_code == 200
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) == -(-len(ids) // 10)
    found = set()
    with demo.app_context():
        for image in pages:
            for text in qr_texts(image):
                found.add(badges.read_checkin_token(db.session, demo_event(), text,
                                                    secret_key=demo.config["SECRET_KEY"]).id)
    assert found == ids


def test_one_persons_badge_and_unknown_layout(demo, organiser, tmp_path):
    with demo.app_context():
        pid = participation_by_email("buyer1@demo.example").id
    response = organiser.get(f"{CONSOLE}/badges/{pid}.pdf")
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) == 1
    assert qr_texts(pages[0])[0].endswith(token_for(demo, "buyer1@demo.example"))
    assert organiser.get(f"{CONSOLE}/badges/{pid}.pdf?layout=poster").status_code == 404
    assert organiser.get(f"{CONSOLE}/badges/999999.pdf").status_code == 404


def test_badges_are_for_organisers_only(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    assert buyer.get(CONSOLE + "/badges.pdf").status_code == 403


def test_check_in_links_on_the_attendee_and_check_in_pages(demo, organiser):
    for path in ("/attendees", "/checkin"):
        page = organiser.get(CONSOLE + path).get_data(as_text=True)
        assert f"{CONSOLE}/badges.pdf?layout=labels" in page


def test_a_long_name_still_gives_a_readable_badge(demo, organiser, tmp_path):
    with demo.app_context():
        p = participation_by_email("buyer1@demo.example")
        # as long as the column allows (PostgreSQL enforces it; SQLite would not)
        p.user.name = ("Maximiliaan-Alexander Van den Broeck-Łukaszewicz de la Hoogstraat " * 2)[:120]
        db.session.commit()
        pid = p.id
    pages = pdf_pages(organiser.get(f"{CONSOLE}/badges/{pid}.pdf?layout=labels").data, tmp_path)
    assert len(qr_texts(pages[0])) == 1


# --- Tokens --------------------------------------------------------------------------------

def test_tampered_or_foreign_tokens_are_refused(demo):
    with demo.app_context():
        event = demo_event()
        person = participation_by_email("buyer1@demo.example")
        key = demo.config["SECRET_KEY"]
        good = badges.checkin_token(person, secret_key=key)
        assert badges.read_checkin_token(db.session, event, good, secret_key=key).id == person.id
        forged = badges.checkin_token(person, secret_key="another-secret")
        payload, signature = good.split(".")
        flipped = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
        other_event = Event(name="Other", slug="other")
        db.session.add(other_event)
        db.session.flush()
        for bad in (forged, flipped, "nonsense", ""):
            with pytest.raises(badges.DomainError):
                badges.read_checkin_token(db.session, event, bad, secret_key=key)
        with pytest.raises(badges.DomainError, match="another event"):
            badges.read_checkin_token(db.session, other_event, good, secret_key=key)
        db.session.rollback()


# --- Scanning ------------------------------------------------------------------------------

def test_scan_checks_in_and_answers_json_then_a_repeat_changes_nothing(demo, organiser):
    token = token_for(demo, "buyer1@demo.example")
    headers = {"Accept": "application/json"}
    first = organiser.post(CONSOLE + "/checkin/scan", data={"token": token}, headers=headers)
    assert first.status_code == 200
    assert first.json["ok"] and not first.json["already"]
    assert first.json["name"] and first.json["role"] == "Buyer"
    with demo.app_context():
        checked = participation_by_email("buyer1@demo.example").checked_in_at
        assert checked is not None
    again = organiser.post(CONSOLE + "/checkin/scan",
                           data={"token": f"http://x/events/demo/console/checkin/badge/{token}"},
                           headers=headers)
    assert again.status_code == 200 and again.json["already"]
    with demo.app_context():
        assert participation_by_email("buyer1@demo.example").checked_in_at == checked


def test_scan_without_javascript_redirects_with_a_message(demo, organiser):
    token = token_for(demo, "supplier1@demo.example")
    response = organiser.post(CONSOLE + "/checkin/scan", data={"token": token})
    assert response.status_code == 302 and response.location.endswith("/console/checkin")
    assert "checked in" in organiser.get(response.location).get_data(as_text=True)
    with demo.app_context():
        assert participation_by_email("supplier1@demo.example").checked_in_at is not None


def test_scan_of_a_bad_code_is_refused_without_checking_anyone_in(demo, organiser):
    response = organiser.post(CONSOLE + "/checkin/scan", data={"token": "garbage.code"},
                              headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json["ok"] is False
    assert "damaged" in response.json["error"]
    empty = organiser.post(CONSOLE + "/checkin/scan", data={},
                           headers={"Accept": "application/json"})
    assert empty.status_code == 400 and empty.json["ok"] is False
    with demo.app_context():
        assert db.session.scalar(select(func.count(Participation.id)).where(
            Participation.checked_in_at.is_not(None))) == 0


def test_scan_needs_the_csrf_token(tmp_path):
    app = demo_app(tmp_path, attendees=10, seed=7, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token_page = client.get("/login")
    login(client, "organiser@demo.example", csrf_token=csrf_token_from(token_page.data))
    token = token_for(app, "buyer1@demo.example")
    refused = client.post(CONSOLE + "/checkin/scan", data={"token": token},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 400
    page = client.get(CONSOLE + "/checkin")
    assert page.headers["Permissions-Policy"].startswith("camera=(self)")
    accepted = client.post(CONSOLE + "/checkin/scan",
                           data={"token": token, "csrf_token": csrf_token_from(page.data)},
                           headers={"Accept": "application/json"})
    assert accepted.status_code == 200 and accepted.json["ok"]


def test_only_the_check_in_page_may_use_the_camera(demo, organiser):
    assert organiser.get(CONSOLE + "/checkin").headers["Permissions-Policy"] \
        .startswith("camera=(self)")
    assert "camera=()" in organiser.get(CONSOLE + "/onsite").headers["Permissions-Policy"]
    assert "camera=()" in organiser.get(CONSOLE + "/attendees").headers["Permissions-Policy"]


def test_badge_link_opened_by_a_phone_camera_shows_a_confirm_button(demo, organiser, login_as):
    token = token_for(demo, "buyer2@demo.example")
    page = organiser.get(f"{CONSOLE}/checkin/badge/{token}")
    assert page.status_code == 200 and b"Check in" in page.data
    with demo.app_context():
        assert participation_by_email("buyer2@demo.example").checked_in_at is None
    assert organiser.get(f"{CONSOLE}/checkin/badge/not-a-token").status_code == 404
    assert login_as("buyer1@demo.example").get(
        f"{CONSOLE}/checkin/badge/{token}").status_code == 403


# --- Entrance code -------------------------------------------------------------------------

def test_entrance_code_checks_in_the_participant_who_confirms(demo, organiser, login_as,
                                                               tmp_path):
    poster = organiser.get(CONSOLE + "/checkin/entrance.pdf")
    assert poster.status_code == 200
    texts = qr_texts(pdf_pages(poster.data, tmp_path)[0])
    assert len(texts) == 1 and "/events/demo/checkin/" in texts[0]
    path = texts[0].split("localhost", 1)[1]
    buyer = login_as("buyer3@demo.example")
    page = buyer.get(path)
    assert page.status_code == 200 and b"check me in" in page.data
    with demo.app_context():
        assert participation_by_email("buyer3@demo.example").checked_in_at is None
    response = buyer.post(path)
    assert response.status_code == 302
    assert b"You are checked in" in buyer.get(path).data
    with demo.app_context():
        assert participation_by_email("buyer3@demo.example").checked_in_at is not None
    assert buyer.get("/events/demo/checkin/guessed-code").status_code == 404
    assert buyer.post("/events/demo/checkin/guessed-code").status_code == 404


def test_entrance_code_asks_a_visitor_to_log_in_first(demo, client, organiser, tmp_path):
    with demo.app_context():
        code = badges.entrance_code(demo_event(), secret_key=demo.config["SECRET_KEY"])
    response = client.get(f"/events/demo/checkin/{code}")
    assert response.status_code == 302 and "/login" in response.location


# --- Walk-ins ------------------------------------------------------------------------------

WALK_IN = {"name": "Wanda Walker", "email": "Wanda@Walk.example",
           "organisation": "Walk-in Works", "role": "supplier"}


def test_walk_in_is_registered_checked_in_without_a_password(demo, organiser):
    response = organiser.post(CONSOLE + "/checkin/walk-in", data=WALK_IN)
    assert response.status_code == 302 and "/checkin/walk-in/" in response.location
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.email == "wanda@walk.example"))
        assert user is not None and not has_usable_password(user)
        p = participation_by_email("wanda@walk.example")
        assert p.role is Role.SUPPLIER and p.organisation.name == "Walk-in Works"
        assert p.checked_in_at is not None
    page = organiser.get(response.location)
    assert page.status_code == 200 and b"Wanda Walker" in page.data
    assert f"/badges/{p.id}.pdf".encode() in page.data


def test_walk_in_with_an_invitation_mails_a_link(demo, organiser, monkeypatch):
    sent = []
    monkeypatch.setattr("matchmaker.attendees.invitations.send_mail",
                        lambda to, subject, body: sent.append((to, body)))
    organiser.post(CONSOLE + "/checkin/walk-in", data={**WALK_IN, "invite": "y"})
    assert len(sent) == 1 and sent[0][0] == "wanda@walk.example" and "/invite/" in sent[0][1]


def test_walk_in_of_someone_registered_only_checks_them_in(demo, organiser):
    response = organiser.post(CONSOLE + "/checkin/walk-in", data={
        **WALK_IN, "email": "buyer1@demo.example", "role": "supplier"})
    assert response.status_code == 302
    with demo.app_context():
        p = participation_by_email("buyer1@demo.example")
        assert p.role is Role.BUYER and p.checked_in_at is not None
        assert db.session.scalar(select(func.count(Participation.id)).where(
            Participation.user_id == p.user_id)) == 1


@pytest.mark.parametrize("field, value", [("email", "not-an-address"), ("name", ""),
                                          ("role", "organiser"), ("name", "x" * 121)])
def test_walk_in_with_bad_input_is_shown_again_and_saves_nothing(demo, organiser, field,
                                                                 value):
    with demo.app_context():
        before = db.session.scalar(select(func.count(User.id)))
    response = organiser.post(CONSOLE + "/checkin/walk-in", data={**WALK_IN, field: value})
    assert response.status_code == 400 and b"Register and check in" in response.data
    with demo.app_context():
        assert db.session.scalar(select(func.count(User.id))) == before


def test_walk_in_gets_a_standby_meeting_with_someone_free(demo, organiser):
    organiser.post(CONSOLE + "/checkin/walk-in", data=WALK_IN)
    with demo.app_context():
        event = demo_event()
        slot = current_slot(event, utcnow())
        me = participation_by_email("wanda@walk.example")
        partner = participation_by_email("buyer1@demo.example")
        partner.checked_in_at = utcnow()
        db.session.query(Absence).filter(Absence.participation_id.in_(
            [me.id, partner.id])).delete()
        db.session.query(Booking).filter(Booking.slot_id == slot.id,
                                         Booking.participation_id == partner.id).delete()
        db.session.commit()
        ids = (me.id, partner.id, slot.id)
    page = organiser.get(f"{CONSOLE}/checkin/walk-in/{ids[0]}")
    assert page.status_code == 200
    assert f'name="partner_id" value="{ids[1]}"'.encode() in page.data
    response = organiser.post(f"{CONSOLE}/checkin/walk-in/{ids[0]}/meeting",
                              data={"partner_id": ids[1], "slot_id": ids[2]})
    assert response.status_code == 302
    with demo.app_context():
        meeting = db.session.scalar(select(Meeting).join(MeetingRequest).where(
            MeetingRequest.sender_id == ids[0]))
        assert meeting.slot_id == ids[2] and meeting.request.status is RequestStatus.ACCEPTED
        assert {b.participation_id for b in meeting.bookings} == {ids[0], ids[1]}
    again = organiser.post(f"{CONSOLE}/checkin/walk-in/{ids[0]}/meeting",
                           data={"partner_id": ids[1], "slot_id": ids[2]})
    assert again.status_code == 400


def test_walk_in_pages_are_for_organisers_only(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    assert buyer.post(CONSOLE + "/checkin/walk-in", data=WALK_IN).status_code == 403
    with demo.app_context():
        assert participation_by_email("wanda@walk.example") is None
