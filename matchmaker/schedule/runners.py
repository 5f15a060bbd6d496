"""Where solver runs execute: the job runners and the registry that picks one by
configuration (`RUNS_BACKEND`, or `RUNS_SYNC` for tests and the CLI).

A runner is a small interface (`submit`, `shutdown`). `runs` knows only that the app
has one (`app.extensions["solve_runner"]`); this module knows every kind, so neither
`runs` nor `queue_rq` imports the other's caller.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Protocol

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import runs
from .queue_rq import RQJobRunner

Job = Callable[[], None]


class JobRunner(Protocol):
    def submit(self, job: Job) -> None: ...

    def shutdown(self) -> None: ...


class ThreadJobRunner:
    """A small thread pool in the web process: nothing to install or run beside it."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="solve-run")

    def submit(self, job: Job) -> None:
        self._pool.submit(job)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class SyncJobRunner:
    """Runs each job at once, in the caller's thread."""

    def submit(self, job: Job) -> None:
        job()

    def shutdown(self) -> None:
        pass


RUNNERS: dict[str, Callable[[Flask], JobRunner]] = {
    "thread": lambda app: ThreadJobRunner(int(app.config["RUNS_WORKERS"])),
    "sync": lambda app: SyncJobRunner(),
    "rq": RQJobRunner,
}


def init_runs(app: Flask) -> None:
    """Give the app its job runner and mark runs of vanished processes interrupted."""
    app.config.setdefault("RUNS_SYNC", False)
    app.config.setdefault("RUNS_WORKERS", 1)
    app.config.setdefault("SOLVER_WORKERS", 2)
    app.config.setdefault("RUNS_BACKEND", "thread")
    backend = "sync" if app.config["RUNS_SYNC"] else app.config["RUNS_BACKEND"]
    if backend not in RUNNERS:
        raise ValueError(f"Unknown RUNS_BACKEND {backend!r}: use one of "
                         f"{', '.join(sorted(RUNNERS))}.")
    app.extensions["solve_runner"] = RUNNERS[backend](app)
    with app.app_context():
        try:
            if runs.mark_interrupted_runs(db.session):
                db.session.commit()
            else:
                db.session.rollback()
        except SQLAlchemyError:  # no schema yet (before init-db): nothing to mark
            db.session.rollback()
        finally:
            db.session.remove()
