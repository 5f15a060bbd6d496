"""Broadcasts: segments, preview, batches with receipts, opt-out, progress, bad input."""
from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from matchmaker import duejobs, mail
from matchmaker.broadcasts import services
from matchmaker.domain import DomainError
from matchmaker.duejobs import send_broadcasts, send_due
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Broadcast, MailReceipt, Participation, Role
from scale_helpers import free_port
from support import demo_event, user_by_email


URL = "/events/demo/console/broadcasts"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def organiser(demo, login_as):
    return login_as("organiser@demo.example")


def _role_count(event, role):
    return len([p for p in db.session.scalars(select(Participation).where(
        Participation.event_id == event.id)) if p.role is role])


def test_segments_count_the_right_people_and_skip_opted_out(demo):
    with demo.app_context():
        event = demo_event()
        everyone = services.preview(db.session, event, "everyone", None)
        buyers = services.preview(db.session, event, "buyers", None)
        assert buyers.recipients == _role_count(event, Role.BUYER)
        assert everyone.recipients > buyers.recipients and len(everyone.sample) == 5
        user_by_email("buyer1@demo.example").organiser_mail = False
        db.session.flush()
        after = services.preview(db.session, event, "buyers", None)
        assert after.recipients == buyers.recipients - 1 and after.opted_out == 1
        assert services.preview(db.session, event, "checked_in", None).recipients == 0
        group = event.product_groups[0]
        in_group = services.preview(db.session, event, "group", group)
        assert 0 < in_group.recipients < everyone.recipients + 1
        with pytest.raises(DomainError):
            services.preview(db.session, event, "group", None)
        with pytest.raises(DomainError):
            services.preview(db.session, event, "nobody", None)


def test_batches_send_each_person_once_even_when_run_again(demo):
    with demo.app_context():
        event = demo_event()
        broadcast = services.create_broadcast(
            db.session, event, author=None, segment="everyone", group=None,
            subject="Lunch", body="Lunch is served in hall B.", now=NOW)
        db.session.commit()
        total = broadcast.total
        mails = services.next_mails(db.session, broadcast, 7)
        for one in mails:
            services.claim(db.session, broadcast.id, one, NOW)
        assert outbox() == []
        db.session.commit()
        assert len(outbox()) == 7
        assert send_broadcasts(db.session, NOW) == total - 7
        assert send_broadcasts(db.session, NOW) == 0  # a second worker: nothing twice
        addresses = [m.to for m in outbox()]
        assert len(addresses) == len(set(addresses)) == total
        assert db.session.get(Broadcast, broadcast.id).finished_at is not None
        assert "Lunch · " in outbox()[0].subject and "/account" in outbox()[0].body


def _everyone(now=NOW) -> Broadcast:
    broadcast = services.create_broadcast(
        db.session, demo_event(), author=None, segment="everyone", group=None,
        subject="Plenary", body="The plenary starts at 14:00.", now=now)
    db.session.commit()
    return broadcast


def test_a_broadcast_leaves_through_one_smtp_session_per_batch(demo, smtp_server, monkeypatch):
    controller, recorder = smtp_server
    demo.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    monkeypatch.setattr(duejobs, "BATCH_SIZE", 7)
    with demo.app_context():
        total = _everyone().total
        assert send_broadcasts(db.session, NOW) == total
    recipients = Counter(tuple(to) for to, _content in recorder.messages)
    assert len(recipients) == total and set(recipients.values()) == {1}
    assert len(recorder.sessions) == math.ceil(total / 7)


class Killed(BaseException):
    """The sending process dies (SIGKILL) while it hands an e-mail to the mail server."""


def test_a_sender_killed_while_sending_loses_only_the_email_in_flight(demo, monkeypatch):
    delivered = []

    def dies_at_the_tenth(self, messages):
        if len(delivered) == 9:
            raise Killed
        delivered.extend(email.to[0] for email in messages)
        return len(messages)

    with demo.app_context():
        broadcast_id, total = (lambda b: (b.id, b.total))(_everyone())
    monkeypatch.setattr(mail.MemoryBackend, "send_messages", dies_at_the_tenth)
    with demo.app_context(), pytest.raises(Killed):
        send_broadcasts(db.session, NOW)
    monkeypatch.undo()
    with demo.app_context():  # the next run, in a new process
        claimed = db.session.query(MailReceipt).filter_by(kind="broadcast").count()
        assert claimed == 10  # nine delivered, one claimed in flight
        assert send_due(db.session, NOW).broadcast_mails == total - 10
        later = [m.to for m in outbox()]
        assert db.session.get(Broadcast, broadcast_id).finished_at is not None
    first = delivered
    assert len(later) == len(set(later)) and not set(first) & set(later)  # nothing twice
    assert len(first) + len(later) == total - 1  # only the e-mail in flight is lost


def test_an_unreachable_mail_server_claims_nothing_and_the_next_run_sends_all(
        demo, smtp_server):
    demo.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                       MAIL_TIMEOUT=2)
    with demo.app_context():
        broadcast_id, total = (lambda b: (b.id, b.total))(_everyone())
        assert send_due(db.session, NOW).broadcast_mails == 0
        assert db.session.query(MailReceipt).filter_by(kind="broadcast").count() == 0
        assert db.session.get(Broadcast, broadcast_id).finished_at is None
    controller, recorder = smtp_server
    demo.config["MAIL_PORT"] = controller.port
    with demo.app_context():
        assert send_due(db.session, NOW).broadcast_mails == total
    assert len(recorder.messages) == total


def test_organiser_previews_then_sends_and_sees_progress(demo, organiser, sync_runs):
    data = {"segment": "suppliers", "product_group": "0", "subject": "Coffee",
            "body": "Coffee at the bar.", "preview": "Preview"}
    page = organiser.post(URL, data=data)
    assert page.status_code == 200
    text = page.data.decode()
    assert "will receive it" in text and "Coffee at the bar." in text and 'name="send"' in text
    with demo.app_context():
        assert db.session.scalar(select(Broadcast)) is None  # a preview sends nothing
        expected = _role_count(demo_event(), Role.SUPPLIER)
    response = organiser.post(URL, data={**data, "send": "Send"})
    assert response.status_code == 302
    progress = organiser.get(response.headers["Location"])
    assert progress.status_code == 200
    with demo.app_context():
        broadcast = db.session.scalar(select(Broadcast))
        assert broadcast.total == expected
        # the sync job runner of the tests sent every batch at once
        assert len(outbox()) == expected
        sent = db.session.query(MailReceipt).filter_by(kind="broadcast").count()
    assert sent == expected
    status = organiser.get(f"{URL}/{broadcast.id}/status").get_json()
    assert status == {"sent": expected, "total": expected, "finished": True,
                      "text": f"{expected} of {expected} e-mails sent"}
    assert "Coffee" in organiser.get(URL).data.decode()


@pytest.mark.parametrize("data, message", [
    ({"segment": "group", "product_group": "0", "subject": "S", "body": "B"},
     "Choose a product group."),
    ({"segment": "group", "product_group": "99999", "subject": "S", "body": "B"}, "Not a valid choice"),
    ({"segment": "martians", "product_group": "0", "subject": "S", "body": "B"}, "Not a valid choice"),
    ({"segment": "everyone", "product_group": "0", "subject": "", "body": "B"}, "Write a subject."),
    ({"segment": "everyone", "product_group": "0", "subject": "S", "body": "  "}, "Write a message."),
    ({"segment": "everyone", "product_group": "x", "subject": "S", "body": "B"}, "Invalid Choice"),
    ({"segment": "everyone", "product_group": "0", "subject": "S" * 151, "body": "B"}, "150"),
    ({"segment": "checked_in", "product_group": "0", "subject": "S", "body": "B", "send": "Send"},
     "Nobody in this segment"),
])
def test_bad_broadcast_input_is_refused_and_nothing_sent(demo, organiser, data, message):
    page = organiser.post(URL, data=data)
    assert page.status_code == 400
    assert message in page.data.decode()
    with demo.app_context():
        assert db.session.scalar(select(Broadcast)) is None and outbox() == []


def test_broadcast_pages_are_for_organisers_only(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    assert buyer.get(URL).status_code == 403
    assert buyer.post(URL, data={"segment": "everyone"}).status_code == 403
    assert demo.test_client().get(URL).status_code == 302
    organiser = login_as("organiser@demo.example")
    assert organiser.get(URL + "/9999").status_code == 404


def test_account_page_turns_organiser_mail_off(demo, login_as):
    buyer = login_as("buyer1@demo.example")
    page = buyer.get("/account").data.decode()
    assert 'name="organiser_mail"' in page and "checked" in page
    response = buyer.post("/account/mail", data={"meeting_reminders": "y",
                                                 "outcome_questions": "y"})
    assert response.status_code == 302
    with demo.app_context():
        user = user_by_email("buyer1@demo.example")
        assert user.organiser_mail is False and user.meeting_reminders is True
    assert demo.test_client().post("/account/mail").status_code == 302  # to the login page
