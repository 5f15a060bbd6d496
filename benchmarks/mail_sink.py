"""A local SMTP server that accepts every message and counts what it received.

It speaks real SMTP (aiosmtpd) on a loopback port, so the app sends through its own
mail settings (`MATCHMAKER_MAIL_BACKEND=smtp`) exactly as it would to a relay. It keeps,
per message, when it arrived, to whom, its subject and on which connection, and counts
the connections opened (with or without a message).
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic()
    to: str
    subject: str
    connection: int


class MailCount:
    """The aiosmtpd handler: a thread-safe record of connections and messages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections: list[float] = []  # when each connection was opened
        self.messages: list[Received] = []

    def connection_opened(self) -> int:
        with self._lock:
            self.connections.append(time.monotonic())
            return len(self.connections)

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content,
                                    policy=policy.default)
        subject = str(parsed["Subject"] or "")
        connection = getattr(session, "bench_connection", 0)
        with self._lock:
            now = time.monotonic()
            for to in envelope.rcpt_tos:
                self.messages.append(Received(now, to.lower(), subject, connection))
        return "250 OK"

    def mark(self) -> tuple[int, int]:
        """Where the record stands now; `since(mark)` gives what came after."""
        with self._lock:
            return len(self.connections), len(self.messages)

    def since(self, mark: tuple[int, int]) -> "Window":
        with self._lock:
            return Window(list(self.connections[mark[0]:]), list(self.messages[mark[1]:]))

    def count_since(self, mark: tuple[int, int]) -> int:
        with self._lock:
            return len(self.messages) - mark[1]


@dataclass(frozen=True)
class Window:
    connections: list[float]
    messages: list[Received]

    def per_recipient(self) -> Counter[str]:
        return Counter(m.to for m in self.messages)

    def per_message(self) -> Counter[tuple[str, str]]:
        """(recipient, subject): the same message twice to one person counts twice here."""
        return Counter((m.to, m.subject) for m in self.messages)

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_message().values() if n > 1)


class _CountingSMTP(SMTP):
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.session.bench_connection = self.event_handler.connection_opened()


class _Controller(Controller):
    def factory(self):
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


class MailSink:
    """`with MailSink() as sink:` a server on 127.0.0.1:`sink.port`; `sink.count` holds
    what it received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.count = MailCount()
        self._controller = _Controller(self.count, hostname="127.0.0.1", port=port)

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
