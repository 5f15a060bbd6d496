"""Mail through Flask-Mailman: one SMTP connection per batch, implicit TLS on 465."""
from __future__ import annotations

import smtplib

import pytest

from matchmaker.extensions import db
from matchmaker.mail import one_connection, send_mail
from matchmaker.models import User
from scale_helpers import free_port
from support import build_app


def test_a_committed_batch_leaves_through_one_smtp_connection(tmp_path, smtp_server):
    controller, recorder = smtp_server
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=controller.port)
    with app.app_context():
        db.session.add(User(email="x@example.org", name="X", password_hash="x"))
        db.session.flush()
        for n in range(12):
            send_mail(f"p{n}@example.org", f"Message {n}", f"Body {n}")
        assert recorder.messages == []
        db.session.commit()
    assert len(recorder.messages) == 12
    assert len(recorder.sessions) == 1  # one SMTP session for the whole batch
    assert recorder.messages[0][0] == ["p0@example.org"]
    assert "Subject: Message 0" in recorder.messages[0][1]


def test_commits_inside_one_connection_share_its_smtp_session(tmp_path, smtp_server):
    controller, recorder = smtp_server
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=controller.port)
    with app.app_context():
        with one_connection():
            for n in range(3):
                db.session.add(User(email=f"u{n}@example.org", name="U", password_hash="x"))
                db.session.flush()
                send_mail(f"p{n}@example.org", f"Message {n}", "Body")
                assert len(recorder.messages) == n  # each leaves on its own commit
                db.session.commit()
        send_mail("after@example.org", "After", "Body")  # outside the block: its own session
    assert [m[0] for m in recorder.messages] == [["p0@example.org"], ["p1@example.org"],
                                                 ["p2@example.org"], ["after@example.org"]]
    assert len(recorder.sessions) == 2


def test_one_connection_refuses_to_start_when_the_server_is_unreachable(tmp_path):
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                    MAIL_TIMEOUT=2)
    with app.app_context(), pytest.raises(OSError):
        with one_connection():
            pass


class FakeSMTP:
    opened: list[tuple[str, str, int]] = []

    def __init__(self, host, port, **kwargs):
        FakeSMTP.opened.append((type(self).__name__, host, port))
        self.sent = []

    def starttls(self, context=None):
        FakeSMTP.opened.append(("starttls", "", 0))

    def login(self, user, password):
        pass

    def sendmail(self, sender, recipients, message, **kwargs):
        return {}

    def quit(self):
        pass

    def close(self):
        pass


class FakeSMTP_SSL(FakeSMTP):
    pass


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.opened = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP_SSL)
    return FakeSMTP.opened


def test_port_465_speaks_implicit_tls(tmp_path, fake_smtp):
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="mail.example.org",
                    MAIL_PORT=465, MAIL_USERNAME="u", MAIL_PASSWORD="p")
    with app.app_context():
        send_mail("a@example.org", "Hi", "Body")
    assert fake_smtp == [("FakeSMTP_SSL", "mail.example.org", 465)]


def test_port_587_with_use_tls_speaks_starttls(tmp_path, fake_smtp):
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="mail.example.org",
                    MAIL_PORT=587, MAIL_USE_TLS=True)
    with app.app_context():
        send_mail("a@example.org", "Hi", "Body")
    assert fake_smtp == [("FakeSMTP", "mail.example.org", 587), ("starttls", "", 0)]


def test_an_unreachable_server_loses_no_saved_data(tmp_path):
    app = build_app(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                    MAIL_TIMEOUT=2)
    with app.app_context():
        db.session.add(User(email="kept@example.org", name="Kept", password_hash="x"))
        db.session.flush()
        send_mail("kept@example.org", "Welcome", "Body")
        db.session.commit()  # the delivery failure is logged, the commit stands
        assert db.session.query(User).filter_by(email="kept@example.org").count() == 1


def test_unknown_backend_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        build_app(tmp_path, MAIL_BACKEND="carrier-pigeon")
