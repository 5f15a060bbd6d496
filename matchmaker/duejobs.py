"""Due jobs: the messages whose time has come, sent by `matchmaker send-due`.

Run it every minute (cron, a systemd timer, or `matchmaker send-due --loop`); the web
process also starts it through the job runner when an organiser sends a broadcast.
What has been sent is known from the database (`MailReceipt` rows written in the
transaction that queues each e-mail), so running it twice, or again after a crash,
sends nothing twice. Reminders and broadcasts go out in batches of BATCH_SIZE through
one SMTP connection each, and each e-mail is claimed (its receipt committed) just
before it leaves: a sender killed part-way loses at most the one e-mail it was handing
to the mail server, and the next run sends the rest.
"""
from __future__ import annotations

import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Callable, Sequence, TypeVar

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .database import utcnow
from .extensions import db
from .schedule.queue_rq import SEND_DUE_JOB, RQJobRunner
from .mail import one_connection

BATCH_SIZE = 50  # e-mails per SMTP connection
_running = threading.Lock()  # one sender per process; receipts guard across processes
Item = TypeVar("Item")


@dataclass
class DueReport:
    reminders: int = 0
    broadcast_mails: int = 0
    outcome_mails: int = 0


def send_reminders(session: Session, now: datetime) -> int:
    from .notifications import reminders
    mails = reminders.due_mails(session, now)
    session.commit()
    return send_one_by_one(session, mails, partial(reminders.claim, session, now=now))


def send_broadcasts(session: Session, now: datetime) -> int:
    from .broadcasts import services as broadcasts
    sent = 0
    for broadcast_id in [b.id for b in broadcasts.unfinished(session)]:
        while True:
            broadcast = session.get(broadcasts.Broadcast, broadcast_id)
            if broadcast is None or broadcast.finished_at is not None:
                break
            mails = broadcasts.next_mails(session, broadcast, BATCH_SIZE)
            session.commit()
            sent += send_one_by_one(session, mails,
                                    partial(broadcasts.claim, session, broadcast_id, now=now))
            if len(mails) < BATCH_SIZE:
                broadcast = session.get(broadcasts.Broadcast, broadcast_id)
                if broadcast is not None:
                    broadcasts.finish(session, broadcast, now)
                    session.commit()
    return sent


def send_one_by_one(session: Session, mails: Sequence[Item],
                    claim: Callable[[Item], None]) -> int:
    """Claim and commit each e-mail in a transaction of its own, BATCH_SIZE e-mails per
    SMTP connection; returns how many were claimed.

    An e-mail leaves right after its claim commits, so none is ever sent twice, and a
    sender killed part-way has claimed at most one e-mail the mail server did not take.
    (Claiming a whole batch in one transaction lost the rest of the batch instead.) A
    claim another sender made first is skipped. A mail server that cannot be reached
    stops the run before anything more is claimed."""
    sent = 0
    for start in range(0, len(mails), BATCH_SIZE):
        with one_connection():
            for mail in mails[start:start + BATCH_SIZE]:
                try:
                    claim(mail)
                    session.commit()
                except IntegrityError:
                    session.rollback()
                else:
                    sent += 1
    return sent


def send_outcome_questions(session: Session, now: datetime) -> int:
    from .outcomes import services as outcomes
    sent = outcomes.send_questions(session, now)
    session.commit()
    return sent


def send_due(session: Session, now: datetime | None = None) -> DueReport:
    """Everything due now: reminders, broadcast batches, outcome questions."""
    now = now or utcnow()
    with _running:
        return DueReport(reminders=_guarded(send_reminders, session, now),
                         broadcast_mails=_guarded(send_broadcasts, session, now),
                         outcome_mails=_guarded(send_outcome_questions, session, now))


def _guarded(job, session: Session, now: datetime) -> int:
    try:
        return job(session, now)
    except IntegrityError:  # a concurrent sender wrote the same receipts first
        session.rollback()
        return 0
    except (OSError, smtplib.SMTPException):
        session.rollback()
        current_app.logger.exception("Mail server unreachable: %s stopped; the next run "
                                     "sends the rest", job.__name__)
        return 0


def start(app: Flask) -> None:
    """Run `send_due` in the background through the app's job runner."""
    runner = app.extensions["solve_runner"]
    if isinstance(runner, RQJobRunner):
        try:
            runner.queue().enqueue(SEND_DUE_JOB, result_ttl=0, job_timeout=3600,
                                   description="matchmaker send-due")
        except Exception:  # noqa: BLE001 - redis errors of every kind; cron sends it later
            app.logger.exception("Could not enqueue send-due; the next `send-due` sends it")
        return
    runner.submit(partial(run_in_app, app))


def run_in_app(app: Flask) -> None:
    with app.app_context():
        try:
            send_due(db.session)
        except SQLAlchemyError:
            current_app.logger.exception("send-due failed; the next run picks it up")
            db.session.rollback()
        finally:
            db.session.remove()
