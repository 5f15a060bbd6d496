"""Joining an event with a profile, editing it, logos, and who sees contact details."""
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from matchmaker.extensions import db
from matchmaker.models import Event, Organisation, Participation, Phase, ProductGroup, Role, User
from support import login, register, user_by_email

PASSWORD = "green-deal-circular-9"


@pytest.fixture(autouse=True)
def uploads_in_tmp(app, tmp_path):
    """Keep uploaded logos out of the real instance folder."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def png_bytes(size: int = 0) -> bytes:
    """A valid 1x1 PNG, padded with a text chunk to about `size` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    if size:
        body += chunk(b"tEXt", b"c\x00" + b"x" * size)
    body += chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def post_multipart(client, url, data):
    """Post a multipart form encoded in memory (the test client would spool large ones to an
    unclosed temporary file)."""
    pairs = []
    for key, values in data.items():
        for value in (values if isinstance(values, list) else [values]):
            if isinstance(value, tuple):
                value = FileStorage(stream=value[0], filename=value[1],
                                    content_type="application/octet-stream")
            pairs.append((key, value))
    boundary, body = encode_multipart(MultiDict(pairs))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def new_visitor(app, email="nina@new.example"):
    client = app.test_client()
    response = register(client, email, PASSWORD, next_url="/events/demo/join")
    assert response.headers["Location"] == "/events/demo/join"
    return client


def group_ids(app, *codes):
    with app.app_context():
        return [db.session.scalar(select(ProductGroup.id).where(ProductGroup.code == c))
                for c in codes]


def profile_data(app, **changes):
    data = {"organisation": "Refurb Office Co", "role": "supplier",
            "product_groups": group_ids(app, "furniture", "ict"),
            "pitch": "Refurbished office furniture with a guarantee", "phone": "+32 470 12 34 56"}
    data.update(changes)
    return data


def participation_of(app, email):
    with app.app_context():
        user = user_by_email(email)
        return db.session.scalar(select(Participation).where(Participation.user_id == user.id))


def test_event_page_invites_a_visitor_to_register_for_the_event(demo):
    page = demo.test_client().get("/events/demo")
    assert b"/register?next=/events/demo/join" in page.data


def test_event_page_offers_join_to_a_user_without_profile_and_my_profile_to_a_participant(
        demo, login_as):
    client = new_visitor(demo)
    assert b'href="/events/demo/join"' in client.get("/events/demo").data
    participant = login_as("buyer1@demo.example")
    assert b'href="/events/demo/me"' in participant.get("/events/demo").data


def test_register_then_join_creates_the_profile_and_asks_for_a_first_offer(demo):
    client = new_visitor(demo)
    page = client.get("/events/demo/join")
    assert page.status_code == 200
    assert b"Organisation" in page.data and b"Furniture" in page.data
    assert b"Organiser" not in page.data  # organiser is not self-chosen
    response = client.post("/events/demo/join", data=profile_data(demo))
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/demo/listings/new"
    assert b"Add an offer" in client.get("/events/demo/listings/new").data
    part = participation_of(demo, "nina@new.example")
    with demo.app_context():
        part = db.session.get(Participation, part.id)
        assert part.role is Role.SUPPLIER
        assert part.organisation.name == "Refurb Office Co"
        assert [g.code for g in part.product_groups] == ["furniture", "ict"]
        assert part.share_contact is False
        assert part.user.phone == "+32 470 12 34 56"


def test_join_reuses_an_existing_organisation_by_case_folded_name(demo):
    client = new_visitor(demo)
    buyer = participation_of(demo, "buyer1@demo.example")
    with demo.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Organisation))
        existing = db.session.get(Participation, buyer.id).organisation.name
    shouted = "  " + existing.upper().replace(" ", "   ") + " "
    client.post("/events/demo/join", data=profile_data(demo, organisation=shouted, role="buyer"))
    with demo.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(Organisation))
        part = db.session.scalar(select(Participation).join(User).where(
            User.email == "nina@new.example"))
        assert part.organisation.name == existing
    assert after == before


def test_join_bad_input_is_reshown_with_messages_and_nothing_saved(demo):
    client = new_visitor(demo)
    other_event_group = 10**6
    cases = [
        dict(organisation=""),
        dict(role="organiser"),
        dict(role="moderator"),
        dict(role=""),
        dict(product_groups=[]),
        dict(product_groups=[other_event_group]),
        dict(product_groups=["not-a-number"]),
        dict(pitch="x" * 201),
        dict(phone="call me maybe"),
    ]
    for case in cases:
        response = client.post("/events/demo/join", data=profile_data(demo, **case))
        assert response.status_code == 400, case
        assert b'class="errors"' in response.data, case
    assert participation_of(demo, "nina@new.example") is None


def test_logo_of_wrong_type_or_too_large_is_refused_and_nothing_saved(demo):
    client = new_visitor(demo)
    cases = [
        (b"GIF89a" + b"\x00" * 50, "logo.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.png"),  # lies about type
        (b"%PDF-1.4 not an image", "logo.jpg"),
        (png_bytes(1024 * 1024 + 10), "big.png"),
    ]
    for content, name in cases:
        data = profile_data(demo)
        data["logo"] = (io.BytesIO(content), name)
        response = post_multipart(client, "/events/demo/join", data)
        assert response.status_code == 400, name
        assert b"logo" in response.data.lower()
        assert (b"PNG, JPEG or WebP" in response.data) or (b"larger than 1 MB" in response.data)
    assert participation_of(demo, "nina@new.example") is None


def test_logo_upload_is_stored_and_served_only_to_participants(demo, login_as, tmp_path):
    client = new_visitor(demo)
    data = profile_data(demo)
    data["logo"] = (io.BytesIO(png_bytes()), "logo.png")
    response = client.post("/events/demo/join", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    part = participation_of(demo, "nina@new.example")
    assert part.logo.endswith(".png")
    url = f"/events/demo/people/{part.id}/logo"
    served = login_as("buyer1@demo.example").get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.format == "PNG" and image.size == (1, 1)
    anonymous = demo.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    outsider = new_visitor(demo, email="outsider@new.example")
    assert outsider.get(url).status_code == 403


def test_edit_profile_uses_the_same_form_prefilled_and_saves(demo, login_as):
    client = login_as("supplier1@demo.example")
    assert client.get("/events/demo/join").headers["Location"] == "/events/demo/me"
    page = client.get("/events/demo/profile/edit")
    part = participation_of(demo, "supplier1@demo.example")
    with demo.app_context():
        part = db.session.get(Participation, part.id)
        org_name = part.organisation.name
    assert str(escape(org_name)).encode() in page.data
    response = client.post("/events/demo/profile/edit", data=profile_data(
        demo, organisation=org_name, pitch="Now with take-back", share_contact="y"))
    assert response.status_code == 302
    with demo.app_context():
        part = db.session.get(Participation, part.id)
        assert part.pitch == "Now with take-back"
        assert part.share_contact is True


def test_edit_profile_bad_input_keeps_the_old_profile(demo, login_as):
    client = login_as("supplier1@demo.example")
    before = participation_of(demo, "supplier1@demo.example")
    response = client.post("/events/demo/profile/edit", data=profile_data(
        demo, organisation="", pitch="changed"))
    assert response.status_code == 400
    after = participation_of(demo, "supplier1@demo.example")
    assert after.pitch == before.pitch and after.organisation_id == before.organisation_id


def test_nul_characters_are_dropped_from_every_text_field(demo, login_as):
    # PostgreSQL refuses NUL in text: the shared form base drops it before any query
    client = login_as("supplier1@demo.example")
    response = client.post("/events/demo/profile/edit", data=profile_data(
        demo, organisation="\x00", pitch="Take\x00-back"))
    assert response.status_code == 400  # an organisation name of nothing is refused
    response = client.post("/events/demo/profile/edit", data=profile_data(
        demo, organisation="Circ\x00ular Seats", pitch="Take\x00-back"))
    assert response.status_code == 302
    part = participation_of(demo, "supplier1@demo.example")
    with demo.app_context():
        part = db.session.get(Participation, part.id)
        assert part.pitch == "Take-back"
        assert part.organisation.name == "Circular Seats"


def test_organiser_cannot_turn_themselves_into_a_buyer(demo, login_as):
    client = login_as("organiser@demo.example")
    page = client.get("/events/demo/profile/edit")
    assert b"You take part as" in page.data
    client.post("/events/demo/profile/edit", data=profile_data(demo, role="buyer"))
    assert participation_of(demo, "organiser@demo.example").role is Role.ORGANISER


def test_contact_details_show_only_with_consent(demo, login_as):
    with demo.app_context():
        parts = list(db.session.scalars(select(Participation).where(
            Participation.role == Role.SUPPLIER)))
        shared = next(p for p in parts if p.share_contact)
        hidden = next(p for p in parts if not p.share_contact)
        shared_id, shared_email = shared.id, shared.user.email
        hidden_id, hidden_email, hidden_phone = hidden.id, hidden.user.email, hidden.user.phone
    client = login_as("buyer1@demo.example")
    page = client.get(f"/events/demo/people/{shared_id}")
    assert page.status_code == 200
    assert shared_email.encode() in page.data
    page = client.get(f"/events/demo/people/{hidden_id}")
    assert hidden_email.encode() not in page.data
    assert hidden_phone.encode() not in page.data
    assert b"contact details shared on consent" in page.data.lower()


def test_profile_page_needs_the_same_event_and_hides_other_events_people(demo, login_as):
    with demo.app_context():
        other = Event(name="Other", slug="other")
        db.session.add(other)
        user = user_by_email("buyer2@demo.example")
        stranger = Participation(event=other, user=User(
            email="x@other.example", name="X", password_hash="x"), role=Role.BUYER)
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
        assert user is not None
    client = login_as("buyer1@demo.example")
    assert client.get(f"/events/demo/people/{stranger_id}").status_code == 404
    assert client.get("/events/demo/people/999999").status_code == 404
    assert client.get("/events/other/people/1").status_code == 403
    anonymous = demo.test_client().get("/events/demo/people/1")
    assert anonymous.status_code == 302


def test_join_needs_login_and_an_existing_event(demo):
    anonymous = demo.test_client().get("/events/demo/join")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    client = demo.test_client()
    login(client, "buyer1@demo.example")
    assert client.get("/events/nope/join").status_code == 404


def test_joining_an_event_without_product_groups_needs_none(demo):
    with demo.app_context():
        db.session.add(Event(name="Early event", slug="early", phase=Phase.BOOKING_OPEN))
        db.session.commit()
    client = new_visitor(demo)
    page = client.get("/events/early/join")
    assert page.status_code == 200 and b"Product groups" not in page.data
    data = profile_data(demo)
    del data["product_groups"]
    assert client.post("/events/early/join", data=data).status_code == 302
    listing = client.post("/events/early/listings/new", data={"title": "Chairs"})
    assert listing.status_code == 400 and b"have not chosen" in listing.data


def test_an_upload_beyond_the_request_limit_gets_a_clear_413_page(demo):
    client = new_visitor(demo)
    data = profile_data(demo)
    data["logo"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024)), "huge.png")
    response = post_multipart(client, "/events/demo/join", data)
    assert response.status_code == 413
    assert b"too large" in response.data
    assert participation_of(demo, "nina@new.example") is None


def test_a_new_logo_replaces_the_old_file(demo, login_as):
    client = login_as("supplier1@demo.example")
    part = participation_of(demo, "supplier1@demo.example")
    with demo.app_context():
        org_name = db.session.get(Participation, part.id).organisation.name
    uploads = Path(demo.config["UPLOAD_FOLDER"])
    names = []
    for _ in range(2):
        data = profile_data(demo, organisation=org_name)
        data["logo"] = (io.BytesIO(png_bytes()), "logo.png")
        assert post_multipart(client, "/events/demo/profile/edit", data).status_code == 302
        names.append(participation_of(demo, "supplier1@demo.example").logo)
    assert names[0] != names[1]
    assert not (uploads / names[0]).exists() and (uploads / names[1]).exists()
