"""Outgoing e-mail with pluggable backends.

`MAIL_BACKEND`: `console` (development: printed on standard output, where `make run`
shows it, whatever the log level), `memory` (tests: kept in
`outbox()`), or `smtp` (MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_USE_TLS). Messages come from MAIL_SENDER.

A message written while the open database transaction has changes leaves only
when that transaction commits, and is dropped when it rolls back: nobody is told
of a request, an acceptance or a schedule that was never saved. Outside such a
transaction (nothing written yet, or only read) it leaves at once. A message that
cannot be delivered after the commit is logged; what was saved stays saved.
"""
from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

_WAITING = "mail_waiting_for_commit"
_WROTE = "mail_transaction_wrote"  # the open transaction has written to the database


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    sender: str


def init_mail(app: Flask) -> None:
    app.config.setdefault("MAIL_BACKEND", "memory" if app.testing else "console")
    app.config.setdefault("MAIL_SENDER", "matchmaker <no-reply@matchmaker.example>")
    app.config.setdefault("MAIL_SERVER", "localhost")
    app.config.setdefault("MAIL_PORT", 25)
    app.config.setdefault("MAIL_USE_TLS", False)
    app.config.setdefault("MAIL_USERNAME", None)
    app.config.setdefault("MAIL_PASSWORD", None)
    app.extensions["mail_outbox"] = []


def outbox() -> list[Message]:
    """Messages sent with the memory backend (tests read them here)."""
    return current_app.extensions["mail_outbox"]


def send_mail(to: str, subject: str, body: str) -> Message:
    """Send now, or when the open database transaction commits (see the module doc)."""
    message = Message(to=to, subject=" ".join(subject.split()), body=body,
                      sender=current_app.config["MAIL_SENDER"])
    session = db.session()
    if session.in_transaction() and (session.info.get(_WROTE) or session.new or session.dirty or session.deleted):
        session.info.setdefault(_WAITING, []).append(message)
    else:
        _dispatch(message)
    return message


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _send_waiting(session: Session) -> None:
    session.info.pop(_WROTE, None)
    for message in session.info.pop(_WAITING, []):
        try:
            _dispatch(message)
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("E-mail to %s not delivered: %s", message.to, message.subject)


@event.listens_for(Session, "after_rollback")
def _drop_waiting(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_WAITING, None)


def _dispatch(message: Message) -> None:
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "console":
        print_message(message)
    elif backend == "smtp":
        _send_smtp(message, config)
    else:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}")


def print_message(message: Message, stream=None) -> None:
    """The console backend: the whole message, readable in the terminal that runs the app."""
    rule = "-" * 72
    stream = stream or sys.stdout
    stream.write(f"{rule}\nE-mail (MAIL_BACKEND=console, not sent)\nFrom: {message.sender}\n"
                 f"To: {message.to}\nSubject: {message.subject}\n\n{message.body.rstrip()}\n"
                 f"{rule}\n")
    stream.flush()


def _send_smtp(message: Message, config) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = message.sender, message.to, message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
