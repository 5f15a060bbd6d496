"""Notifications: the first e-mail goes at once, the rest wait and go out as one digest."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.cli import cli
from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Event, Notification, Participation, User
from matchmaker.notifications import services

WINDOW = timedelta(minutes=30)


def part(email: str) -> Participation:
    return db.session.scalar(select(Participation).join(User).where(User.email == email))


def test_a_single_notification_is_sent_at_once_as_a_plain_email(demo):
    with demo.app_context():
        now = utcnow()
        buyer = part("buyer2@demo.example")
        services.notify(db.session, buyer, services.REQUEST_RECEIVED, "Anna asks to meet you.",
                        now, WINDOW)
        assert outbox() == []  # not before the commit
        db.session.commit()
        assert len(outbox()) == 1
        mail = outbox()[0]
        assert mail.to == "buyer2@demo.example"
        assert mail.subject.startswith("New meeting request")
        assert "Anna asks to meet you." in mail.body
        assert "/events/demo/requests" in mail.body
        assert db.session.scalars(select(Notification)).one().sent_at == now


def test_notifications_within_the_window_wait_and_go_out_as_one_digest(demo):
    with demo.app_context():
        now = utcnow()
        buyer = part("buyer2@demo.example")
        services.notify(db.session, buyer, services.REQUEST_RECEIVED, "First.", now, WINDOW)
        for minute, text in [(1, "Second."), (2, "Third."), (3, "Fourth.")]:
            services.notify(db.session, buyer, services.REQUEST_RECEIVED, text,
                            now + timedelta(minutes=minute), WINDOW)
        db.session.commit()
        assert len(outbox()) == 1  # only the first went out
        assert services.send_digests(db.session, now + timedelta(minutes=10), WINDOW) == 0
        db.session.commit()
        assert len(outbox()) == 1
        assert services.send_digests(db.session, now + WINDOW, WINDOW) == 1
        db.session.commit()
        digest = outbox()[1]
        assert digest.subject == "3 updates from matchmaker"
        assert all(t in digest.body for t in ("Second.", "Third.", "Fourth."))
        assert "First." not in digest.body
        assert services.send_digests(db.session, now + 2 * WINDOW, WINDOW) == 0


def test_digests_are_per_person(demo):
    with demo.app_context():
        now = utcnow()
        for email in ("buyer2@demo.example", "buyer3@demo.example"):
            services.queue(db.session, part(email), services.REQUEST_ACCEPTED, "Yes.", now)
            services.queue(db.session, part(email), services.REQUEST_DECLINED, "No.", now)
        services.queue(db.session, part("buyer4@demo.example"), services.REQUEST_ACCEPTED,
                       "Only one.", now)
        assert services.send_digests(db.session, now, WINDOW) == 3
        db.session.commit()
        by_person = {m.to: m for m in outbox()}
        assert by_person["buyer2@demo.example"].subject == "2 updates from matchmaker"
        assert by_person["buyer4@demo.example"].subject.startswith(
            "Your meeting request was accepted")


def test_schedule_published_notifies_every_participant_given(demo):
    with demo.app_context():
        event = db.session.scalar(select(Event))
        people = [part("buyer1@demo.example"), part("supplier1@demo.example")]
        assert services.notify_schedule_changed(db.session, event, people, "published") == 2
        db.session.commit()
        assert {m.to for m in outbox()} == {"buyer1@demo.example", "supplier1@demo.example"}
        assert all("schedule is ready" in m.subject for m in outbox())
        assert all("/events/demo/agenda" in m.body for m in outbox())
        with pytest.raises(ValueError):
            services.notify_schedule_changed(db.session, event, people, "moved")


def test_send_digests_command(demo):
    with demo.app_context():
        services.queue(db.session, part("buyer2@demo.example"), services.SCHEDULE_CHANGED,
                       "Changed.", utcnow())
        db.session.commit()
    result = demo.test_cli_runner().invoke(cli, ["send-digests", "--min-interval", "30"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail sent." in result.output
    with demo.app_context():
        assert [m.to for m in outbox()] == ["buyer2@demo.example"]
        assert db.session.scalars(select(Notification)).one().sent_at is not None


def test_second_request_within_the_window_waits_for_the_digest(demo, login_as):
    with demo.app_context():
        buyer_id = part("buyer2@demo.example").id
    for email in ("supplier1@demo.example", "supplier2@demo.example"):
        response = login_as(email).post(f"/events/demo/requests/new/{buyer_id}",
                                        data={"priority": "1", "message": ""})
        assert response.status_code == 302
    with demo.app_context():
        assert [m.to for m in outbox()] == ["buyer2@demo.example"]
        waiting = db.session.scalars(select(Notification).where(
            Notification.sent_at.is_(None))).all()
        assert len(waiting) == 1


def test_links_in_emails_use_the_configured_address(demo):
    demo.config["BASE_URL"] = "https://events.example/"
    with demo.app_context():
        services.notify(db.session, part("buyer2@demo.example"), services.REQUEST_RECEIVED,
                        "Hello.", utcnow(), WINDOW)
        db.session.commit()
        assert "https://events.example/events/demo/requests" in outbox()[0].body


def test_nothing_is_mailed_when_the_transaction_rolls_back(demo):
    with demo.app_context():
        services.notify(db.session, part("buyer2@demo.example"), services.REQUEST_RECEIVED,
                        "Never saved.", utcnow(), WINDOW)
        db.session.rollback()
        db.session.commit()  # a later commit does not bring the dropped e-mail back
        assert outbox() == []
        assert db.session.scalars(select(Notification)).all() == []


def test_an_undeliverable_email_is_logged_and_the_notification_kept(demo, caplog):
    demo.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens
    with demo.app_context():
        services.notify(db.session, part("buyer2@demo.example"), services.REQUEST_RECEIVED,
                        "Saved anyway.", utcnow(), WINDOW)
        db.session.commit()
        assert db.session.scalars(select(Notification)).one().text == "Saved anyway."
    assert "not delivered" in caplog.text
