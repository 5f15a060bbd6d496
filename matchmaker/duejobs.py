"""Due jobs: the messages whose time has come, sent by `matchmaker send-due`.

Run it every minute (cron, a systemd timer, or `matchmaker send-due --loop`); the web
process also starts it through the job runner when an organiser sends a broadcast.
What has been sent is known from the database (`MailReceipt` rows written in the
transaction that queues each e-mail), so running it twice, or again after a crash,
sends nothing twice. Each batch is committed on its own: its e-mails leave on commit,
through one SMTP connection.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .database import utcnow
from .extensions import db
from .schedule.queue_rq import SEND_DUE_JOB, RQJobRunner

_running = threading.Lock()  # one sender per process; receipts guard across processes


@dataclass
class DueReport:
    reminders: int = 0
    broadcast_mails: int = 0
    outcome_mails: int = 0


def send_reminders(session: Session, now: datetime) -> int:
    from .notifications import reminders
    sent = reminders.send_reminders(session, now)
    session.commit()
    return sent


def send_broadcasts(session: Session, now: datetime) -> int:
    from .broadcasts import services as broadcasts
    sent = 0
    for broadcast_id in [b.id for b in broadcasts.unfinished(session)]:
        broadcast = session.get(broadcasts.Broadcast, broadcast_id)
        while broadcast is not None and broadcast.finished_at is None:
            try:
                sent += broadcasts.send_batch(session, broadcast, now)
                session.commit()
            except IntegrityError:  # another sender took this batch: its e-mails are dropped
                session.rollback()
                broadcast = session.get(broadcasts.Broadcast, broadcast_id)
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
