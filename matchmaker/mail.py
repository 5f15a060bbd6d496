"""Outgoing e-mail through Flask-Mailman.

`MAIL_BACKEND`: `console` (development: printed on standard output, where `make run`
shows it, whatever the log level), `memory` (tests: kept in `outbox()`), or `smtp`
(MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_TIMEOUT, and either
MAIL_USE_SSL for implicit TLS, the default on port 465, or MAIL_USE_TLS for STARTTLS).
Messages come from MAIL_SENDER.

A message written while the open database transaction has changes leaves only
when that transaction commits, and is dropped when it rolls back: nobody is told
of a request, an acceptance or a schedule that was never saved. Outside such a
transaction (nothing written yet, or only read) it leaves at once. The messages of
one transaction leave through one connection; inside `one_connection()` the messages
of every commit share the block's connection (a batch committed one e-mail at a time
is still one SMTP session). A message that cannot be delivered after the commit is
logged; what was saved stays saved.
"""
from __future__ import annotations

import smtplib
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

from flask import Flask, current_app
from flask_mailman import EmailMessage, Mail
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

_WAITING = "mail_waiting_for_commit"
_WROTE = "mail_transaction_wrote"  # the open transaction has written to the database

mailman = Mail()
T = TypeVar("T")
_kept: ContextVar[BaseEmailBackend | None] = ContextVar("matchmaker_mail_connection",
                                                        default=None)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    sender: str

    def to_email(self, connection: BaseEmailBackend) -> EmailMessage:
        return EmailMessage(subject=self.subject, body=self.body, from_email=self.sender,
                            to=[self.to], connection=connection)

    @classmethod
    def from_email(cls, email: EmailMessage) -> "Message":
        return cls(to=", ".join(email.to), subject=email.subject, body=email.body,
                   sender=email.from_email)


class MemoryBackend(BaseEmailBackend):
    """Keeps each message in `outbox()` (tests)."""

    def send_messages(self, messages) -> int:
        box = current_app.extensions["mail_outbox"]
        for email in messages:
            box.append(Message.from_email(email))
        return len(messages)


class ConsoleBackend(BaseEmailBackend):
    """Prints each message readably (from, to, subject, body) on standard output."""

    def send_messages(self, messages) -> int:
        for email in messages:
            print_message(Message.from_email(email))
        return len(messages)


BACKENDS = {"memory": MemoryBackend, "console": ConsoleBackend, "smtp": "smtp"}


def init_mail(app: Flask) -> None:
    config = app.config
    config.setdefault("MAIL_BACKEND", "memory" if app.testing else "console")
    config.setdefault("MAIL_SENDER", "matchmaker <no-reply@matchmaker.example>")
    config.setdefault("MAIL_SERVER", "localhost")
    config.setdefault("MAIL_PORT", 25)
    config.setdefault("MAIL_USE_TLS", False)
    config.setdefault("MAIL_USE_SSL", None)  # None: implicit TLS on port 465
    config.setdefault("MAIL_USERNAME", None)
    config.setdefault("MAIL_PASSWORD", None)
    config.setdefault("MAIL_TIMEOUT", 20)
    if config["MAIL_BACKEND"] not in BACKENDS:
        raise ValueError(f"Unknown MAIL_BACKEND {config['MAIL_BACKEND']!r}: use one of "
                         f"{', '.join(sorted(BACKENDS))}.")
    config["MAIL_DEFAULT_SENDER"] = config["MAIL_SENDER"]
    mailman.init_app(app)
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
        deliver([message])
    return message


def send_each(recipients: Iterable[T], send: Callable[[T], object],
              address: Callable[[T], str]) -> tuple[int, list[str]]:
    """Send each recipient their e-mail, after the commit of what it announces: a mail
    server down must not undo that, so a failure is logged and its address returned.
    Returns (sent, failed addresses)."""
    sent, failed = 0, []
    for recipient in recipients:
        try:
            send(recipient)
        except Exception:  # a mail server down must not undo what was saved
            current_app.logger.exception("Mail to %s not sent", address(recipient))
            failed.append(address(recipient))
        else:
            sent += 1
    return sent, failed


def connection() -> BaseEmailBackend:
    """A connection of the configured backend; open it once for many messages.

    The settings are read at each call, so a changed configuration takes effect."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend not in BACKENDS:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}")
    if backend != "smtp":
        return mailman.get_connection(backend=BACKENDS[backend])
    port = int(config["MAIL_PORT"])
    use_tls = bool(config["MAIL_USE_TLS"])
    use_ssl = config.get("MAIL_USE_SSL")
    if use_ssl is None:
        use_ssl = port == 465 and not use_tls
    return mailman.get_connection(
        backend="smtp", host=config["MAIL_SERVER"], port=port,
        username=config["MAIL_USERNAME"] or "", password=config["MAIL_PASSWORD"] or "",
        use_tls=use_tls, use_ssl=bool(use_ssl), timeout=config["MAIL_TIMEOUT"])


@contextmanager
def one_connection() -> Iterator[None]:
    """Open a connection now and deliver the messages of every commit inside the block
    through it. Opening raises (OSError, smtplib.SMTPException) when the mail server
    cannot be reached, before the caller has written anything."""
    link = connection()
    link.open()
    token = _kept.set(link)
    try:
        yield
    finally:
        _kept.reset(token)
        _close(link)


def deliver(messages: list[Message]) -> int:
    """Send `messages` through one connection (the `one_connection()` block's, if any);
    a message that fails is logged and the others still go. Returns how many left."""
    if not messages:
        return 0
    kept = _kept.get()
    if kept is not None:
        return _send_each(kept, messages)
    link = connection()
    try:
        link.open()
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Mail server unreachable: %d e-mail(s) not delivered",
                                     len(messages))
        return 0
    try:
        return _send_each(link, messages)
    finally:
        _close(link)


def _send_each(link: BaseEmailBackend, messages: list[Message]) -> int:
    sent = 0
    for message in messages:
        try:
            sent += link.send_messages([message.to_email(link)]) or 0
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("E-mail to %s not delivered: %s",
                                         message.to, message.subject)
    return sent


def _close(link: BaseEmailBackend) -> None:
    try:
        link.close()
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Closing the mail connection failed")


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _send_waiting(session: Session) -> None:
    session.info.pop(_WROTE, None)
    deliver(session.info.pop(_WAITING, []))


@event.listens_for(Session, "after_rollback")
def _drop_waiting(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_WAITING, None)


def print_message(message: Message, stream=None) -> None:
    """The console backend: the whole message, readable in the terminal that runs the app."""
    rule = "-" * 72
    stream = stream or sys.stdout
    stream.write(f"{rule}\nE-mail (MAIL_BACKEND=console, not sent)\nFrom: {message.sender}\n"
                 f"To: {message.to}\nSubject: {message.subject}\n\n{message.body.rstrip()}\n"
                 f"{rule}\n")
    stream.flush()
