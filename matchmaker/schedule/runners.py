"""Where solver runs execute: the job runners and the registry that picks one by
configuration (`RUNS_BACKEND`, or `RUNS_SYNC` for tests and the CLI).

A runner is a small interface (`submit`, `shutdown`). `runs` knows only that the app
has one (`app.extensions["solve_runner"]`); this module knows every kind, so neither
`runs` nor `queue_rq` imports the other's caller.
"""
from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Callable, Hashable, Protocol

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..extensions import db
from . import runs
from .queue_rq import RQJobRunner

Job = Callable[[], None]


class JobRunner(Protocol):
    def submit(self, job: Job, key: Hashable | None = None) -> None: ...

    def shutdown(self) -> None: ...


class ThreadJobRunner:
    """A few threads in the web process: nothing to install or run beside it.

    Waiting jobs are not taken first in, first out: a free thread asks `choose` which
    of the waiting keys goes next (for runs, `runs.next_in_turn`: short runs and
    events that have had little solver time first), so that one event's long runs do
    not hold up everyone else's.
    """

    def __init__(self, workers: int = 1,
                 choose: Callable[[list[Hashable]], Hashable] | None = None) -> None:
        self._workers = max(1, workers)
        self._choose = choose or (lambda keys: keys[0])
        self._waiting: dict[Hashable, Job] = {}
        self._threads: list[threading.Thread] = []
        self._ready = threading.Condition()
        self._closed = False

    def submit(self, job: Job, key: Hashable | None = None) -> None:
        with self._ready:
            if self._closed:
                return
            self._waiting[object() if key is None else key] = job
            if len(self._threads) < self._workers:  # threads start with the first jobs
                thread = threading.Thread(target=self._work, daemon=True,
                                          name=f"solve-run-{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
            self._ready.notify()

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                keys = list(self._waiting)
            try:
                key = self._choose(keys) if len(keys) > 1 else keys[0]
            except Exception:  # noqa: BLE001 - a failed choice falls back to the oldest
                key = keys[0]
            with self._ready:
                job = self._waiting.pop(key, None)
            if job is not None:
                try:
                    job()
                except Exception:  # noqa: BLE001 - jobs report their own failures
                    logging.getLogger(__name__).exception("A job failed")

    def shutdown(self) -> None:
        with self._ready:
            self._closed = True
            self._waiting.clear()
            self._ready.notify_all()


class SyncJobRunner:
    """Runs each job at once, in the caller's thread."""

    def submit(self, job: Job, key: Hashable | None = None) -> None:
        job()

    def shutdown(self) -> None:
        pass


RUNNERS: dict[str, Callable[[Flask], JobRunner]] = {
    "thread": lambda app: ThreadJobRunner(int(app.config["RUNS_WORKERS"]),
                                          partial(runs.next_in_turn, app)),
    "sync": lambda app: SyncJobRunner(),
    "rq": RQJobRunner,
}


def init_runs(app: Flask) -> None:
    """Give the app its job runner and mark runs of vanished processes interrupted."""
    app.config.setdefault("RUNS_SYNC", False)
    app.config.setdefault("RUNS_WORKERS", 1)
    app.config.setdefault("SOLVER_WORKERS", 2)
    app.config.setdefault("RUNS_BACKEND", "thread")
    app.config.setdefault("MAX_RUN_SECONDS", runs.DEFAULT_MAX_RUN_SECONDS)
    backend = "sync" if app.config["RUNS_SYNC"] else app.config["RUNS_BACKEND"]
    if backend not in RUNNERS:
        raise ValueError(f"Unknown RUNS_BACKEND {backend!r}: use one of "
                         f"{', '.join(sorted(RUNNERS))}.")
    app.extensions["solve_runner"] = RUNNERS[backend](app)
    _mark_interrupted_on_first_request(app)


def _mark_interrupted_on_first_request(app: Flask) -> None:
    """Runs left queued or running by a process that is gone are marked interrupted, once
    per process, before its first request: creating the app does not touch the database."""
    done = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def _mark_interrupted_runs() -> None:
        if done.is_set():
            return
        with lock:
            if done.is_set():
                return
            with Session(db.engine) as session:
                try:
                    if runs.mark_interrupted_runs(session):
                        session.commit()
                except SQLAlchemyError:  # no schema yet (before init-db): nothing to mark
                    session.rollback()
            done.set()
