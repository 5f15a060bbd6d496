"""Outgoing e-mail with pluggable backends.

`MAIL_BACKEND`: `console` (development: printed to the log), `memory` (tests: kept in
`outbox()`), or `smtp` (MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_USE_TLS). Messages come from MAIL_SENDER.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app


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
    config = current_app.config
    message = Message(to=to, subject=" ".join(subject.split()), body=body,
                      sender=config["MAIL_SENDER"])
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "console":
        current_app.logger.info("E-mail to %s: %s\n%s", to, message.subject, body)
    elif backend == "smtp":
        _send_smtp(message, config)
    else:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}")
    return message


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
