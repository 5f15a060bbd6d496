"""Details a developer or visitor notices: e-mails printed by the console backend, a favicon."""
from __future__ import annotations

import io

from matchmaker.extensions import db
from matchmaker.mail import Message, print_message, send_mail
from matchmaker.models import User
from support import build_app


def test_console_backend_prints_to_subject_and_body_on_stdout(tmp_path, capsys):
    app = build_app(tmp_path, MAIL_BACKEND="console")
    with app.app_context():
        send_mail("ada@example.org", "Your   meeting\nrequest", "Hello Ada,\n\nSee you at table 4.\n")
    out = capsys.readouterr().out
    assert "To: ada@example.org" in out
    assert "Subject: Your meeting request" in out
    assert "Hello Ada,\n\nSee you at table 4.\n" in out
    assert "From: matchmaker <no-reply@matchmaker.example>" in out


def test_console_backend_prints_only_when_the_transaction_commits(tmp_path, capsys):
    app = build_app(tmp_path, MAIL_BACKEND="console")
    with app.app_context():
        db.session.add(User(email="bo@example.org", name="Bo", password_hash="x"))
        db.session.flush()
        send_mail("bo@example.org", "Welcome", "Saved?")
        assert capsys.readouterr().out == ""
        db.session.rollback()
        assert capsys.readouterr().out == ""
        db.session.add(User(email="bo@example.org", name="Bo", password_hash="x"))
        db.session.flush()
        send_mail("bo@example.org", "Welcome", "Saved.")
        db.session.commit()
    out = capsys.readouterr().out
    assert out.count("To: bo@example.org") == 1 and "Saved." in out


def test_print_message_writes_one_block_per_message():
    stream = io.StringIO()
    for n in (1, 2):
        print_message(Message(to=f"p{n}@example.org", subject=f"S{n}", body=f"B{n}",
                              sender="m@example.org"), stream)
    text = stream.getvalue()
    assert text.index("To: p1@example.org") < text.index("B1") < text.index("To: p2@example.org")
    assert text.count("E-mail (MAIL_BACKEND=console, not sent)") == 2


def test_favicon_is_served_and_linked(client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file header
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    page = client.get("/login").data.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert 'rel="icon" href="/favicon.ico"' in page
