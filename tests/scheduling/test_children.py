"""The one way the scheduler starts a child process."""
import multiprocessing
from types import SimpleNamespace

from matchmaker.scheduling import children


def _never_called(conn) -> None:  # pragma: no cover - a daemon must not start it
    raise AssertionError("started")


def test_a_daemon_process_does_its_work_itself(monkeypatch):
    # a day of `decompose` runs in a daemonic child, and daemons may not have
    # children: start() says so with None instead of raising from Process.start()
    monkeypatch.setattr(multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    assert children.start(_never_called) is None
