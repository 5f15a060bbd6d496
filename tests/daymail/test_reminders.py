"""Meeting reminders: e-mail and notice before each meeting, never twice, opt-out honoured."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from matchmaker.cli import cli
from matchmaker.duejobs import send_one_by_one, send_reminders
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import MailReceipt, Notification
from matchmaker.notifications import reminders

from support import demo_event
from helpers import publish_one_meeting


def _setup(demo):
    with demo.app_context():
        meeting = publish_one_meeting(demo_event())
        db.session.commit()
        return meeting.id, meeting.slot.starts_at, [b.participation.user.email for b in meeting.bookings]


def test_reminder_goes_to_both_sides_once_with_time_table_and_counterpart(demo):
    meeting_id, start, emails = _setup(demo)
    with demo.app_context():
        assert send_reminders(db.session, start - timedelta(minutes=30)) == 0
        now = start - timedelta(minutes=8)
        assert send_reminders(db.session, now) == 2
        mails = list(outbox())
        assert sorted(m.to for m in mails) == sorted(emails)
        for mail in mails:
            assert "Table" in mail.body and re.search(r"\d\d:\d\d", mail.subject)
            assert "/mail/opt-out/" in mail.body
        # a restarted worker finds the receipts: nothing twice
        assert send_reminders(db.session, now + timedelta(minutes=1)) == 0
        assert len(outbox()) == 2
        notices = db.session.scalars(select(Notification).where(
            Notification.kind == "meeting_reminder")).all()
        assert len(notices) == 2 and all(n.sent_at is not None for n in notices)
        assert db.session.query(MailReceipt).filter_by(ref_id=meeting_id, kind="reminder").count() == 2


def test_a_claim_leaves_on_commit_and_a_rolled_back_one_is_sent_by_the_next_run(demo):
    _meeting_id, start, _emails = _setup(demo)
    with demo.app_context():
        now = start - timedelta(minutes=5)
        first, _second = reminders.due_mails(db.session, now, minutes=10)
        reminders.claim(db.session, first, now)
        assert outbox() == []  # not before the commit
        db.session.rollback()  # the worker died before committing
        assert outbox() == []
        assert send_reminders(db.session, now) == 2
        assert len(outbox()) == 2


def test_a_sender_that_died_after_some_claims_leaves_the_rest_to_the_next_run(demo):
    _meeting_id, start, emails = _setup(demo)
    with demo.app_context():
        now = start - timedelta(minutes=5)
        first, second = reminders.due_mails(db.session, now, minutes=10)
        reminders.claim(db.session, first, now)
        db.session.commit()  # then the worker died
        assert [m.to for m in outbox()] == [first.to]
        assert send_reminders(db.session, now) == 1
        assert sorted(m.to for m in outbox()) == sorted(emails)


def test_a_reminder_another_sender_claimed_first_is_skipped(demo):
    _meeting_id, start, _emails = _setup(demo)
    with demo.app_context():
        now = start - timedelta(minutes=5)
        mails = reminders.due_mails(db.session, now, minutes=10)
        db.session.commit()
        assert send_reminders(db.session, now) == 2  # the other sender
        # this one wrote out the same reminders before the other's claims committed
        assert send_one_by_one(db.session, mails,
                               lambda mail: reminders.claim(db.session, mail, now)) == 0
        assert len(outbox()) == 2
        assert db.session.query(Notification).filter_by(kind="meeting_reminder").count() == 2


def test_started_meetings_and_opted_out_people_get_no_reminder(demo):
    _meeting_id, start, emails = _setup(demo)
    with demo.app_context():
        assert send_reminders(db.session, start + timedelta(seconds=1)) == 0
        from support import user_by_email
        user_by_email(emails[0]).meeting_reminders = False
        db.session.commit()
        assert send_reminders(db.session, start - timedelta(minutes=1)) == 1
        assert [m.to for m in outbox()] == [emails[1]]


def test_opt_out_link_in_the_reminder_turns_reminders_off(demo):
    _meeting_id, start, emails = _setup(demo)
    with demo.app_context():
        send_reminders(db.session, start - timedelta(minutes=1))
        mail = next(m for m in outbox() if m.to == emails[0])
    link = re.search(r"http://localhost(/mail/opt-out/\S+)", mail.body).group(1)
    client = demo.test_client()
    page = client.get(link)
    assert page.status_code == 200 and b"Stop these e-mails" in page.data
    with demo.app_context():
        from support import user_by_email
        assert user_by_email(emails[0]).meeting_reminders is True  # GET changes nothing
    assert client.post(link).status_code == 200
    with demo.app_context():
        from support import user_by_email
        assert user_by_email(emails[0]).meeting_reminders is False
        assert user_by_email(emails[0]).outcome_questions is True
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.post(link.replace("opt-out/", "opt-out/x")).status_code == 404


def test_send_reminders_and_send_due_commands(demo):
    _setup(demo)
    runner = demo.test_cli_runner()
    result = runner.invoke(cli, ["send-reminders"])
    assert result.exit_code == 0 and "reminder(s) sent" in result.output
    assert result.output.startswith("0 reminder")  # the first slot is far ahead of now
    result = runner.invoke(cli, ["send-due"])
    assert result.exit_code == 0 and "broadcast" in result.output
