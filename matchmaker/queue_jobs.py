"""What a queue worker (`matchmaker worker`, on RQ) runs: each job builds its own app from
the environment, then runs the very code the thread runner runs in the web process.

This module stands above the app: it imports the app factory. The web process names
these jobs by their dotted path (`queue_rq.SOLVE_RUN_JOB`, `queue_rq.SEND_DUE_JOB`),
which is how RQ records every job, so nothing the app imports needs to import this back.
"""
from __future__ import annotations

import threading

from . import duejobs
from .app import create_app
from .extensions import db
from .schedule import runs


def solve_run(run_id: int) -> None:
    """A solver run, as `runs.execute_run` in the thread runner."""
    app = create_app()
    try:
        runs.execute_run(app, run_id, threading.Event())
    finally:
        with app.app_context():
            db.engine.dispose()


def send_due() -> None:
    """The messages whose time has come, as `duejobs.start` sends them in a thread."""
    duejobs.run_in_app(create_app())
