"""A self-registered account confirms its address before its first meeting request leaves."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from matchmaker.auth.tokens import VERIFY_SALT

from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Event, MeetingRequest, Participation, Role, User
from support import login, register, user_by_email

PASSWORD = "green-deal-circular-9"
EMAIL = "nina@new.example"


def register_and_join(app):
    """A newcomer registers, logs in with the password before following the link, and
    takes part in the demo event as a supplier."""
    client = app.test_client()
    register(client, EMAIL, PASSWORD, confirm=False)
    assert b"Log out" not in client.get("/").data  # registering does not log in
    assert login(client, EMAIL, PASSWORD).status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        db.session.add(Participation(event=event, user=user_by_email(EMAIL), role=Role.SUPPLIER))
        db.session.commit()
    return client


def verify_path(app, email: str = EMAIL) -> str:
    with app.app_context():
        mail = [m for m in outbox() if m.to == email][-1]
    match = re.search(r"https?://[^/\s]+(/verify/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def buyer_url(app) -> str:
    with app.app_context():
        buyer = db.session.scalar(select(Participation.id).join(User)
                                  .where(User.email == "buyer2@demo.example"))
    return f"/events/demo/requests/new/{buyer}"


def request_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MeetingRequest))


def test_an_unconfirmed_newcomer_cannot_send_a_request_until_the_link_is_followed(demo):
    client = register_and_join(demo)
    before = request_count(demo)
    page = client.get(buyer_url(demo))
    assert page.status_code == 200
    assert b"Confirm your e-mail address first" in page.data
    assert b'action="/verify/resend"' in page.data
    refused = client.post(buyer_url(demo), data={"priority": "2", "message": "Hello"})
    assert refused.status_code == 400
    assert b"Confirm your e-mail address first" in refused.data
    assert request_count(demo) == before

    path = verify_path(demo)
    assert client.get(path).status_code == 200  # opening the link changes nothing yet
    with demo.app_context():
        assert user_by_email(EMAIL).email_verified is False
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert b"Your e-mail address is confirmed" in client.get("/").data
    assert b'action="/verify/resend"' not in client.get("/").data
    sent = client.post(buyer_url(demo), data={"priority": "2", "message": "Hello"})
    assert sent.status_code == 302
    assert request_count(demo) == before + 1


def test_the_link_can_be_sent_again_and_the_old_one_keeps_working(demo):
    client = register_and_join(demo)
    first = verify_path(demo)
    response = client.post("/verify/resend", data={"next": "/events/demo/me"})
    assert response.status_code == 302 and response.headers["Location"] == "/events/demo/me"
    with demo.app_context():
        assert [m.to for m in outbox()].count(EMAIL) == 2
    assert demo.test_client().post(first).status_code == 302
    with demo.app_context():
        assert user_by_email(EMAIL).email_verified is True


def test_resending_is_throttled(demo):
    client = register_and_join(demo)
    answers = [client.post("/verify/resend").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    with demo.app_context():
        assert [m.to for m in outbox()].count(EMAIL) == 4  # one at registration, three resent


def test_following_the_link_logs_in_once(demo):
    register(demo.test_client(), EMAIL, PASSWORD, confirm=False)
    path = verify_path(demo)
    person = demo.test_client()
    page = person.get(path)
    assert page.status_code == 200 and b"Yes, confirm it" in page.data
    response = person.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = person.get("/").data
    assert b"Log out" in home and b"Nina New" in home
    assert b"Your e-mail address is confirmed and you are logged in." in home

    stranger = demo.test_client()
    for again in (stranger.get(path), stranger.post(path)):
        assert again.status_code == 400
        assert b"has been used already" in again.data
        assert b'href="/login"' in again.data
    assert b"Log out" not in stranger.get("/").data
    # Its owner, logged in, just goes on.
    assert person.get(path).status_code == 302


def test_an_expired_link_is_refused_with_a_way_to_a_new_one(demo, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) - demo.config["EMAIL_VERIFICATION_MAX_AGE"] - 5)
    register(demo.test_client(), EMAIL, PASSWORD, confirm=False)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    client = demo.test_client()
    for response in (client.get(verify_path(demo)), client.post(verify_path(demo))):
        assert response.status_code == 400
        assert b"has expired" in response.data
        assert b'href="/register/check-your-mailbox"' in response.data
    assert b"Log out" not in client.get("/").data
    with demo.app_context():
        assert user_by_email(EMAIL).email_verified is False


def test_a_damaged_or_forged_confirmation_link_is_refused(demo):
    client = register_and_join(demo)
    path = verify_path(demo)
    with demo.app_context():
        user_id = user_by_email(EMAIL).id
    forged = "/verify/" + URLSafeTimedSerializer("not-the-secret-key",
                                                 salt=VERIFY_SALT).dumps({"u": user_id})
    for bad in (path[:-2] + "xx", "/verify/nonsense", forged):
        for response in (client.get(bad), client.post(bad)):
            assert response.status_code == 400
            assert b"not valid" in response.data
    with demo.app_context():
        assert user_by_email(EMAIL).email_verified is False


def test_demo_imported_and_invited_accounts_count_as_confirmed(demo):
    with demo.app_context():
        unconfirmed = db.session.scalar(select(func.count()).select_from(User)
                                        .where(User.email_verified.is_(False)))
        assert unconfirmed == 0
        imported = User(email="imported@x.example", name="Imported", password_hash="!")
        db.session.add(imported)
        db.session.flush()
        assert imported.email_verified is True
        db.session.rollback()
