"""A local SMTP server (aiosmtpd) that records what it receives, per connection."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from scale_helpers import free_port


class Recorder:
    def __init__(self):
        self.sessions = {}  # kept alive, so that no two sessions share an id
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.sessions[id(session)] = session
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()
