"""Solver runs on a real job queue: RQ on Redis (`RUNS_BACKEND = "rq"`).

The web process only enqueues the run's id; `matchmaker worker` (an RQ worker on
`RUNS_QUEUE` at `RUNS_REDIS_URL`) takes the job (`matchmaker.queue_jobs.solve_run`),
builds its own app with `create_app()` from the same environment and runs the very
`execute_run` the thread runner runs. Progress, stop requests and the result all go through the run's row,
so any web worker shows and stops a run that any queue worker executes.

Faults: a job that raises or passes its job timeout (`time_limit_s` plus
`RUNS_JOB_GRACE_S`) is marked failed by `execute_run` with the reason; a worker
process killed outright (SIGKILL, out of memory) is marked failed by the worker
that watched it, and failing that, interrupted by the next app start on the host.
Nothing here touches the published schedule: a run only ever writes its draft.

rq and redis are imported lazily: the install-free default (`thread`) needs neither.
"""
from __future__ import annotations

import os
import signal
import threading
from functools import partial
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..database import utcnow
from ..extensions import db
from ..models import RunStatus, SolveRun
from . import runs

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "matchmaker-runs"
DEFAULT_GRACE_S = 600  # problem building and writing the draft, beyond the solver's limit
FAILED_JOBS_KEPT_S = 7 * 24 * 3600
# The jobs a worker runs, by the dotted path RQ records them under: `queue_jobs` builds an
# app to run them in, so it imports the app, which imports this module.
SOLVE_RUN_JOB = "matchmaker.queue_jobs.solve_run"
SEND_DUE_JOB = "matchmaker.queue_jobs.send_due"


def _settings(app: Flask) -> tuple[str, str]:
    app.config.setdefault("RUNS_REDIS_URL", DEFAULT_REDIS_URL)
    app.config.setdefault("RUNS_QUEUE", DEFAULT_QUEUE)
    app.config.setdefault("RUNS_JOB_GRACE_S", DEFAULT_GRACE_S)
    return app.config["RUNS_REDIS_URL"], app.config["RUNS_QUEUE"]


def redis_connection(url: str):
    from redis import Redis
    return Redis.from_url(url)


class RQJobRunner:
    """The app's job runner when runs go to RQ: enqueues run ids, executes nothing itself."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.url, self.queue_name = _settings(app)
        self._queue = None
        self._lock = threading.Lock()

    def queue(self):
        with self._lock:
            if self._queue is None:
                from rq import Queue
                self._queue = Queue(self.queue_name, connection=redis_connection(self.url))
            return self._queue

    def enqueue_run(self, run_id: int) -> None:
        """Mark the run as waiting in the queue, then enqueue it.

        The mark comes first so that a worker taking the job at once is not
        overwritten; if Redis cannot be reached the run is failed with the reason
        instead of waiting forever.
        """
        engine = db.engine
        with Session(engine) as session:
            run = session.get(SolveRun, run_id)
            if run is None:
                return
            time_limit = run.time_limit_s
            run.runner = f"{runs.QUEUE_RUNNER_PREFIX}rq:{self.queue_name}"
            session.commit()
        try:
            self.queue().enqueue(
                SOLVE_RUN_JOB, run_id, job_id=self.job_id(run_id),
                job_timeout=int(time_limit + float(self.app.config["RUNS_JOB_GRACE_S"])) + 1,
                result_ttl=0, failure_ttl=FAILED_JOBS_KEPT_S,
                description=f"matchmaker solve run {run_id}")
        except Exception as exc:  # noqa: BLE001 - redis errors of every kind
            self.app.logger.exception("Could not enqueue solve run %s", run_id)
            _fail(engine, run_id, f"The job queue could not be reached ({type(exc).__name__}); "
                                  "nothing was solved. Try again later.")

    def job_id(self, run_id: int) -> str:
        return f"{self.queue_name}-run-{run_id}"

    def has_job(self, run_id: int) -> bool:
        """Whether the queue still holds the run's job; True when Redis cannot tell."""
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            Job.fetch(self.job_id(run_id), connection=self.queue().connection)
        except NoSuchJobError:
            return False
        except RedisError:
            return True
        return True

    def submit(self, job) -> None:  # the JobRunner interface; closures cannot cross processes
        raise TypeError("The RQ runner takes run ids (enqueue_run), not closures.")

    def shutdown(self) -> None:
        pass


def _fail(engine, run_id: int, message: str) -> bool:
    """Mark a run failed if it is still queued or running; True if it was."""
    try:
        with Session(engine) as session:
            changed = session.execute(
                update(SolveRun)
                .where(SolveRun.id == run_id, SolveRun.status.in_(runs.ACTIVE))
                .values(status=RunStatus.FAILED, finished_at=utcnow(), message=message[:500]))
            session.commit()
            return bool(changed.rowcount)
    except SQLAlchemyError:
        return False


def describe_exit(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by {signal.Signals(number).name}"
        except ValueError:
            return f"killed by signal {number}"
    if status is not None and os.WIFEXITED(status):
        return f"exited with status {os.WEXITSTATUS(status)}"
    return "ended unexpectedly"


def _horse_killed(app: Flask, job, retpid: int, ret_val: int, rusage) -> None:
    """The worker's process running a job died without finishing it: fail the run, say why."""
    if job.func_name != SOLVE_RUN_JOB or not job.args:
        return
    with app.app_context():
        engine = db.engine
        _fail(engine, int(job.args[0]),
              f"The worker process running it was {describe_exit(ret_val)} (memory, a "
              "restart or an operator); the published schedule is unchanged. Start a new run.")
        engine.dispose()  # the next job's process is forked from here: no shared connections


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    """Work the runs queue (forking one process per job, as RQ does); True if it did any job."""
    from rq import Queue, Worker

    url, queue_name = _settings(app)
    connection = redis_connection(url)
    with app.app_context():
        db.engine.dispose()  # nothing pooled may be inherited by the forked job processes
    worker = Worker([Queue(queue_name, connection=connection)], connection=connection,
                    work_horse_killed_handler=partial(_horse_killed, app))
    return worker.work(burst=burst, logging_level="INFO")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for solver runs (RUNS_BACKEND=rq, RUNS_REDIS_URL, RUNS_QUEUE)."""
    app = current_app._get_current_object()
    url, queue_name = _settings(app)
    password = urlsplit(url).password
    safe = url.replace(f":{password}@", ":***@", 1) if password else url
    click.echo(f"Working queue {queue_name!r} on {safe}.")
    run_worker(app, burst=burst)
