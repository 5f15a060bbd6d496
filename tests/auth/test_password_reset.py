"""Forgot password: the same answer for every address, a signed one-hour single-use link."""
from __future__ import annotations

import re

import pytest
from itsdangerous.timed import TimestampSigner

from matchmaker.auth.services import LOCK_AFTER_FAILURES
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.mail import outbox
from support import DEMO_PASSWORD, login, user_by_email

NEW_PASSWORD = "reclaimed-timber-42"


def forgot(client, email: str, **environ):
    return client.post("/password/forgot", data={"email": email},
                       environ_base=environ)


def reset_path(app, email: str) -> str:
    with app.app_context():
        mail = [m for m in outbox() if m.to == email][-1]
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def set_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password,
                                   "confirm": password if confirm is None else confirm})


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(demo):
    known, unknown = demo.test_client(), demo.test_client()
    a = forgot(known, "buyer1@demo.example")
    b = forgot(unknown, "nobody@demo.example")
    assert a.status_code == b.status_code == 302
    assert a.headers["Location"] == b.headers["Location"] == "/login"
    page_a = known.get("/login").get_data(as_text=True)
    page_b = unknown.get("/login").get_data(as_text=True)
    assert "If buyer1@demo.example has an account, we sent it a link" in page_a
    assert "If nobody@demo.example has an account, we sent it a link" in page_b
    with demo.app_context():
        assert [m.to for m in outbox()] == ["buyer1@demo.example"]
        assert "60 minutes" in outbox()[0].body


def test_bad_address_is_reshown_with_a_message(demo, client):
    for email in ("", "not-an-address", "x" * 300 + "@demo.example"):
        response = forgot(client, email)
        assert response.status_code == 400, email
        assert b'class="errors"' in response.data
    with demo.app_context():
        assert outbox() == []


def test_the_link_sets_the_password_once_and_logs_in(demo):
    client = demo.test_client()
    forgot(client, "supplier1@demo.example")
    path = reset_path(demo, "supplier1@demo.example")
    page = client.get(path)
    assert page.status_code == 200 and b"supplier1@demo.example" in page.data
    response = set_password(client, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/demo/me"
    assert b"Log out" in client.get("/").data
    assert login(demo.test_client(), "supplier1@demo.example", DEMO_PASSWORD).status_code == 400
    assert login(demo.test_client(), "supplier1@demo.example", NEW_PASSWORD).status_code == 302

    reused = demo.test_client()
    for response in (reused.get(path), set_password(reused, path, "yet-another-pass-9")):
        assert response.status_code == 400
        assert b"has been used already" in response.data
    assert login(demo.test_client(), "supplier1@demo.example", NEW_PASSWORD).status_code == 302


def test_an_expired_link_is_refused(demo, monkeypatch):
    client = demo.test_client()
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) - demo.config["PASSWORD_RESET_MAX_AGE"] - 5)
    forgot(client, "buyer2@demo.example")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    path = reset_path(demo, "buyer2@demo.example")
    response = set_password(client, path)
    assert response.status_code == 400
    assert b"has expired" in response.data and b"/password/forgot" in response.data
    assert login(demo.test_client(), "buyer2@demo.example").status_code == 302


def test_a_link_made_an_hour_ago_less_a_minute_still_works(demo, monkeypatch):
    client = demo.test_client()
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 3540)
    forgot(client, "buyer2@demo.example")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    assert set_password(client, reset_path(demo, "buyer2@demo.example")).status_code == 302


@pytest.mark.parametrize("tamper", [lambda p: p[:-3] + "abc", lambda p: p + "x",
                                    lambda p: "/password/reset/nonsense"])
def test_a_damaged_link_is_refused(demo, client, tamper):
    forgot(client, "buyer2@demo.example")
    response = client.get(tamper(reset_path(demo, "buyer2@demo.example")))
    assert response.status_code == 400
    assert b"not valid" in response.data


def test_a_bad_new_password_is_reshown_and_the_link_still_works(demo, client):
    forgot(client, "buyer2@demo.example")
    path = reset_path(demo, "buyer2@demo.example")
    for password, confirm, message in [("short", None, b"at least 10"),
                                       ("1234567890", None, b"too common"),
                                       (NEW_PASSWORD, "something-else-12", b"differ"),
                                       ("", None, b"This field is required")]:
        response = set_password(client, path, password, confirm)
        assert response.status_code == 400, password
        assert message in response.data, password
    assert login(demo.test_client(), "buyer2@demo.example").status_code == 302
    assert set_password(client, path).status_code == 302


def test_a_reset_ends_a_lock_and_confirms_the_address(demo):
    with demo.app_context():
        user = user_by_email("buyer3@demo.example")
        user.failed_logins = 0
        user.locked_until = utcnow().replace(year=utcnow().year + 1)
        user.email_verified = False
        db.session.commit()
    locked = login(demo.test_client(), "buyer3@demo.example")
    assert locked.status_code == 400 and b"locked" in locked.data
    assert b"/password/forgot" in locked.data
    client = demo.test_client()
    forgot(client, "buyer3@demo.example")
    assert set_password(client, reset_path(demo, "buyer3@demo.example")).status_code == 302
    assert login(demo.test_client(), "buyer3@demo.example", NEW_PASSWORD).status_code == 302
    with demo.app_context():
        user = user_by_email("buyer3@demo.example")
        assert user.locked_until is None and user.failed_logins == 0
        assert user.email_verified is True


def test_a_lock_from_wrong_passwords_ends_through_the_reset_link(demo):
    """The per-account limit is lifted here so the wrong passwords reach the lock."""
    demo.config["LOGIN_ACCOUNT_FAILURE_LIMIT"] = "1000/minute"
    for _ in range(LOCK_AFTER_FAILURES):
        assert login(demo.test_client(), "buyer4@demo.example",
                     "wrong-password-123").status_code == 400
    refused = login(demo.test_client(), "buyer4@demo.example")
    assert refused.status_code == 400 and b"locked" in refused.data
    client = demo.test_client()
    forgot(client, "buyer4@demo.example")
    assert set_password(client, reset_path(demo, "buyer4@demo.example")).status_code == 302
    with demo.app_context():
        assert user_by_email("buyer4@demo.example").locked_until is None


def test_reset_e_mails_are_throttled_per_account_and_per_address(demo):
    for i in range(3):
        assert forgot(demo.test_client(), "buyer1@demo.example",
                      REMOTE_ADDR=f"10.3.0.{i}").status_code == 302
    too_many = forgot(demo.test_client(), "buyer1@demo.example", REMOTE_ADDR="10.3.0.9")
    assert too_many.status_code == 429
    with demo.app_context():
        assert len(outbox()) == 3
    # Another account is not held back by the first one's limit.
    assert forgot(demo.test_client(), "buyer2@demo.example",
                  REMOTE_ADDR="10.3.0.9").status_code == 302


def test_unknown_addresses_are_throttled_like_known_ones(demo):
    answers = [forgot(demo.test_client(), "ghost@demo.example",
                      REMOTE_ADDR=f"10.4.0.{i}").status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]


def test_a_password_reset_logs_out_other_sessions(demo, login_as):
    other = login_as("supplier2@demo.example")
    assert b"Log out" in other.get("/").data
    client = demo.test_client()
    forgot(client, "supplier2@demo.example")
    set_password(client, reset_path(demo, "supplier2@demo.example"))
    assert b"Log out" not in other.get("/").data


def test_the_login_page_links_to_the_reset_form(demo, client):
    assert b'href="/password/forgot"' in client.get("/login").data
    assert client.get("/password/forgot").status_code == 200
