"""Solver runs started from the console, executed off the request thread.

A run is a `SolveRun` row. `start_run` creates it (queued) and hands a job to the
app's job runner; the job builds the problem, calls the solver with a progress
callback that writes elapsed/value/bound (and for meetings idle gaps, their bound
and the phase) to the row (its own short transactions, at most about once a second) and stores the draft in `SolveRun.result`.

The job runner is chosen by configuration from a small registry
(`runners.RUNNERS`, set up by `runners.init_runs`): a thread pool inside the web
process, or an RQ queue on Redis (`queue_rq.RQJobRunner`, worked by
`matchmaker worker`), which takes the run's id (`enqueue_run`), not a closure, since the
job runs in another process that builds its own app. Stopping goes through the row (`stop_requested`), which the job
polls, so a stop pressed in one web worker reaches a run in another; within one
process the stop event is also set directly.

Each process marks its rows with a runner id (host, pid, a token made at start); a run
waiting in a queue carries the queue's mark (`QUEUE_RUNNER_PREFIX`) until a worker
takes it. When an app starts, runs left queued or running by a process that is gone are
marked `interrupted`; runs of other live workers on this host are left alone.
"""
from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..database import read_only_transactions, utcnow
from ..domain import DomainError
from ..extensions import db
from ..i18n import in_language
from ..marketdialogue.formats import dumps_plan
from ..marketdialogue.solve import solve as solve_dialogues
from ..models import Event, RunKind, RunStatus, SolveRun
from ..scheduling import FormatError, dumps_schedule, solve as solve_meetings
from . import explain, reason_text, solving

PROCESS_TOKEN = uuid.uuid4().hex[:12]
PROGRESS_EVERY_S = 1.0
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
DONE = (RunStatus.FINISHED, RunStatus.STOPPED)
QUEUE_RUNNER_PREFIX = "queue:"
DEFAULT_MAX_RUN_SECONDS = 600
USAGE_WINDOW_S = 3600


# A run's message is stored as a code with parameters (`reason_text.encode_message`) and
# shown in the reader's language by `describe_message`; an unexpected error's own words
# are stored as they are.
RESTARTED = reason_text.encode_message(reason_text.RESTARTED)
PROCESS_GONE = reason_text.encode_message(reason_text.PROCESS_GONE)
QUEUE_LOST = reason_text.encode_message(reason_text.QUEUE_LOST)
MAX_MESSAGE_CHARS = 500


class RunFailure(RuntimeError):
    """A run that cannot go on, with its message as a code and parameters."""

    def __init__(self, code: str, **params) -> None:
        self.stored = reason_text.encode_message(code, **params)
        super().__init__(reason_text.message_text(code, params))


def describe_message(message: str | None) -> str:
    """A stored run message in the current language; a plain text (an unexpected error)
    is shown as it is."""
    return reason_text.describe_message(message)


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{PROCESS_TOKEN}"


_stops: dict[int, threading.Event] = {}
_stops_lock = threading.Lock()


def _stop_event(run_id: int) -> threading.Event:
    with _stops_lock:
        return _stops.setdefault(run_id, threading.Event())


def _forget(run_id: int) -> None:
    with _stops_lock:
        _stops.pop(run_id, None)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; only nobody has reaped it yet (its parent died too)
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _owner_alive(owner: str | None) -> bool:
    """Whether the process that took a run is still there (as far as this host can tell)."""
    if not owner:
        return False
    if owner.startswith(QUEUE_RUNNER_PREFIX):
        return True  # waiting in a queue that outlives web processes
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid, token = parts[0], int(parts[1]), parts[2]
    if host != socket.gethostname():
        return True  # another machine: not ours to judge
    if pid == os.getpid():
        return token == PROCESS_TOKEN
    return _process_alive(pid)


def mark_interrupted_runs(session: Session) -> int:
    count = 0
    for run in session.scalars(select(SolveRun).where(SolveRun.status.in_(ACTIVE))):
        if not _owner_alive(run.runner):
            run.status = RunStatus.INTERRUPTED
            run.finished_at = utcnow()
            run.message = RESTARTED
            count += 1
    session.flush()
    return count


def create_run(session: Session, event: Event, kind: RunKind, *, time_limit_s: float,
               user_id: int | None = None, include_spare: bool = False,
               max_time_limit_s: float | None = None) -> SolveRun:
    """A queued run; refuses a second active run of the same kind for the event, and a
    time limit beyond `max_time_limit_s` (the site's `MAX_RUN_SECONDS`).

    `include_spare` lets a meetings run place meetings at spare tables."""
    if time_limit_s <= 0:
        raise DomainError(_("The time limit must be positive."), field="time_limit")
    if max_time_limit_s is not None and time_limit_s > max_time_limit_s:
        raise DomainError(_("Between 1 and %(max)s seconds.", max=f"{max_time_limit_s:g}"),
                          field="time_limit")
    active = session.scalar(select(SolveRun).where(
        SolveRun.event_id == event.id, SolveRun.kind == kind, SolveRun.status.in_(ACTIVE)))
    if active is not None:
        raise DomainError(_("Run %(id)s is still %(status)s; stop it or wait for it to "
                            "finish before starting another.", id=active.id,
                            status=active.status.label.lower()))
    run = SolveRun(event_id=event.id, kind=kind, status=RunStatus.QUEUED,
                   time_limit_s=float(time_limit_s), created_by_id=user_id, runner=runner_id(),
                   include_spare=include_spare and kind is RunKind.MEETINGS)
    session.add(run)
    session.flush()
    return run


def max_run_seconds(app: Flask) -> float:
    return float(app.config.get("MAX_RUN_SECONDS", DEFAULT_MAX_RUN_SECONDS))


def _turn_keys(session: Session, now) -> list[tuple[float, int]]:
    """(turn, run id) of every queued run, in the order the runners take them.

    A run's turn is the moment it would end if it ran alone from when it was queued
    (queued at + time limit), pushed back by the solver time its event used in the last
    `USAGE_WINDOW_S`. A short run is thus not stuck behind long ones queued just before
    it, and an event that keeps starting runs (or a crowd of throwaway events, each
    with a long run) waits behind events that have had less; a long run still gets its
    turn, at the latest once its own time limit has passed.
    """
    since = now - timedelta(seconds=USAGE_WINDOW_S)
    used = dict(session.execute(
        select(SolveRun.event_id,
               func.sum(func.coalesce(SolveRun.elapsed_s, SolveRun.time_limit_s)))
        .where(SolveRun.started_at.is_not(None), SolveRun.started_at >= since)
        .group_by(SolveRun.event_id)).all())
    keys = []
    for run_id, event_id, created_at, limit in session.execute(
            select(SolveRun.id, SolveRun.event_id, SolveRun.created_at, SolveRun.time_limit_s)
            .where(SolveRun.status == RunStatus.QUEUED)):
        turn = created_at.timestamp() + limit + float(used.get(event_id) or 0)
        keys.append((turn, run_id))
    return sorted(keys)


def queue_positions(session: Session) -> dict[int, int]:
    """{run id: 1-based place in the queue} for every queued run of every event."""
    return {run_id: place for place, (_, run_id)
            in enumerate(_turn_keys(session, utcnow()), start=1)}


def next_in_turn(app: Flask, run_ids: list[int]) -> int:
    """Which of RUN_IDS (runs this process holds) a free runner takes next."""
    try:
        with app.app_context(), read_only_transactions(), Session(db.engine) as session:
            ordered = [run_id for _, run_id in _turn_keys(session, utcnow())]
    except SQLAlchemyError:
        return min(run_ids)
    held = set(run_ids)
    return next((run_id for run_id in ordered if run_id in held), min(run_ids))


def submit_run(app: Flask, run_id: int) -> None:
    """Hand a committed run to the app's runner."""
    runner = app.extensions["solve_runner"]
    enqueue_run = getattr(runner, "enqueue_run", None)
    if enqueue_run is not None:  # another process executes it; the stop flag reaches it there
        enqueue_run(run_id)
        return
    stop = _stop_event(run_id)
    runner.submit(lambda: execute_run(app, run_id, stop), key=run_id)


def request_stop(session: Session, run: SolveRun) -> bool:
    """Ask a run to stop; it keeps its best schedule. False if it is not active.

    The flag on the row reaches the job wherever it runs; a run whose process is
    gone is marked interrupted at once, since nobody will ever finish it.
    """
    if run.status not in ACTIVE:
        return False
    run.stop_requested = True
    with _stops_lock:
        stop = _stops.get(run.id)
    if stop is not None:
        stop.set()
    elif not _owner_alive(run.runner):
        run.status = RunStatus.INTERRUPTED
        run.finished_at = utcnow()
        run.message = PROCESS_GONE
    elif _lost_by_queue(run):
        run.status = RunStatus.INTERRUPTED
        run.finished_at = utcnow()
        run.message = QUEUE_LOST
    session.flush()
    return True


def _lost_by_queue(run: SolveRun) -> bool:
    """A queued run whose job its queue no longer holds: nobody would ever take it."""
    if run.status is not RunStatus.QUEUED or \
            not (run.runner or "").startswith(QUEUE_RUNNER_PREFIX):
        return False
    has_job = getattr(current_app.extensions.get("solve_runner"), "has_job", None)
    return has_job is not None and not has_job(run.id)


class _ProgressWriter:
    """The solver's progress callback: writes to the run's row at most once a second.

    A call may leave out the idle gaps, their bound or the phase (`scheduling.progress`):
    the row keeps what an earlier call said. A call that comes too soon is not lost:
    `heartbeat()` (from the stop watch, every second) writes the latest report, with
    the time now, when the solver has been quiet for a while (a long search without
    a better schedule), so that the page still sees the run move."""

    def __init__(self, engine, run_id: int, time_limit_s: float) -> None:
        self.engine = engine
        self.run_id = run_id
        self.time_limit_s = time_limit_s
        self.started = time.monotonic()
        self.last = float("-inf")
        self.lock = threading.Lock()
        self.latest: dict[str, float | int | str] = {}

    def __call__(self, elapsed: float, value: float, bound: float, *, idle_gaps: int | None = None,
                 idle_gaps_bound: int | None = None, phase: str | None = None,
                 force: bool = False) -> None:
        now = time.monotonic()
        with self.lock:
            self.latest.update(elapsed_s=float(elapsed), value=float(value), bound=float(bound))
            for key, given in (("idle_gaps", idle_gaps), ("idle_gaps_bound", idle_gaps_bound),
                               ("phase", phase)):
                if given is not None:
                    self.latest[key] = given
            if not force and now - self.last < PROGRESS_EVERY_S:
                return
            self.last = now
            values = dict(self.latest)
        self._write(values)

    def heartbeat(self) -> None:
        now = time.monotonic()
        with self.lock:
            if not self.latest or now - self.last < PROGRESS_EVERY_S:
                return
            self.last = now
            values = dict(self.latest)
            values["elapsed_s"] = max(float(values["elapsed_s"]), now - self.started)
        self._write(values)

    def _write(self, values: dict) -> None:
        elapsed = float(values["elapsed_s"])
        progress = min(1.0, max(0.0, elapsed / self.time_limit_s)) if self.time_limit_s else 0.0
        try:
            with Session(self.engine) as s:
                s.execute(update(SolveRun).where(SolveRun.id == self.run_id).values(
                    progress=progress, **values))
                s.commit()
        except SQLAlchemyError:  # progress is best effort; the result is written at the end
            pass


class _StopWatch:
    """Polls the run's `stop_requested` flag (own read-only sessions) and sets `stop`;
    calls `tick` (the progress heartbeat) on each round."""

    def __init__(self, engine, run_id: int, stop: threading.Event,
                 every_s: float = PROGRESS_EVERY_S, tick: Callable[[], None] | None = None) -> None:
        self.engine, self.run_id, self.stop, self.every_s = engine, run_id, stop, every_s
        self.tick = tick
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True,
                                       name=f"solve-run-{run_id}-stop")

    def __enter__(self) -> "_StopWatch":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        while not self.done.wait(self.every_s):
            if self.tick is not None:
                self.tick()
            try:
                with read_only_transactions(), Session(self.engine) as s:
                    if s.scalar(select(SolveRun.stop_requested)
                                .where(SolveRun.id == self.run_id)):
                        self.stop.set()
                        return
            except SQLAlchemyError:
                continue


def execute_run(app: Flask, run_id: int, stop: threading.Event) -> None:
    """The job: solve, store the draft, record the outcome. Never raises."""
    with app.app_context(), in_language("en"):  # the logs and a failure's own words are English
        session = db.session
        try:
            _execute(session, run_id, stop)
        except Exception as exc:  # noqa: BLE001 - any failure is the run's outcome
            session.rollback()
            app.logger.exception("Solve run %s failed", run_id)
            run = session.get(SolveRun, run_id)
            if run is not None:
                run.status = RunStatus.FAILED
                run.finished_at = utcnow()
                run.message = exc.stored if isinstance(exc, RunFailure) else \
                    (str(exc) or type(exc).__name__)[:MAX_MESSAGE_CHARS]
                session.commit()
        finally:
            session.remove()
            _forget(run_id)


def _execute(session: Session, run_id: int, stop: threading.Event) -> None:
    run = session.get(SolveRun, run_id)
    if run is None or run.status is not RunStatus.QUEUED:
        return
    run.status = RunStatus.RUNNING
    run.started_at = utcnow()
    run.runner = runner_id()
    kind, time_limit, stop_requested = run.kind, run.time_limit_s, run.stop_requested
    event = run.event
    workers = int(current_app.config.get("SOLVER_WORKERS", 2))
    if kind is RunKind.MEETINGS:
        built = solving.build_problem(session, event, include_spare=run.include_spare)
    else:
        built = solving.build_dialogue_problem(session, event)
    session.commit()  # no transaction stays open while the solver works

    writer = _ProgressWriter(db.engine, run_id, time_limit)
    started = time.monotonic()
    if stop_requested:
        stop.set()
    try:
        with _StopWatch(db.engine, run_id, stop, tick=writer.heartbeat):
            result, text, value, bound, summary = _solve(kind, built, time_limit, workers,
                                                         writer, stop)
    except FormatError as exc:  # a locked meeting that can no longer stay where it is
        reason = explain.namer(session, event, built)(str(exc))[:MAX_MESSAGE_CHARS - 100]
        raise RunFailure(reason_text.LOCKED_CANNOT_STAY, reason=reason) from None
    elapsed = time.monotonic() - started

    run = session.get(SolveRun, run_id)
    run.result = text
    run.value, run.bound, run.elapsed_s = value, bound, elapsed
    if kind is RunKind.MEETINGS:
        run.idle_gaps = _whole(result.stats.get("idle_gaps"))
        run.idle_gaps_bound = _whole(result.stats.get("idle_gaps_bound"))
    run.phase = None
    run.progress = 1.0
    run.finished_at = utcnow()
    run.status = RunStatus.STOPPED if stop.is_set() else RunStatus.FINISHED
    run.message = reason_text.encode_message(reason_text.STOPPED_EARLY, summary=summary) \
        if stop.is_set() else reason_text.encode_message(summary["code"], **summary["params"])
    session.commit()


def _whole(number) -> int | None:
    return int(number) if isinstance(number, (int, float)) else None


def _solve(kind: RunKind, built, time_limit: float, workers: int, writer, stop):
    if kind is RunKind.MEETINGS:
        result = solve_meetings(built.problem, time_limit_s=time_limit, num_workers=workers,
                       progress=writer, stop=stop)
        result = replace(result, stats={**result.stats, **built.stats()})
        text = dumps_schedule(result)
        value = float(result.stats.get("weighted_value", 0))
        bound = float(result.stats.get("upper_bound", value))
        summary = {"code": reason_text.MEETINGS_SUMMARY, "params": {
            "scheduled": sum(1 for a in result.assignments if a.meeting in built.requests),
            "requested": len(built.requests), "status": result.status}}
    else:
        result = solve_dialogues(built.problem, time_limit_s=time_limit, num_workers=workers,
                       progress=writer, stop=stop)
        text = dumps_plan(result)
        value = float(result.stats.get("interest_value", 0))
        bound = float(result.stats.get("upper_bound", value))
        summary = {"code": reason_text.SEATS_SUMMARY,
                   "params": {"seats": len(result.seats), "status": result.status}}
    return result, text, value, bound, summary


def latest_run(session: Session, event: Event, kind: RunKind | None = None,
               *, with_result: bool = False) -> SolveRun | None:
    query = select(SolveRun).where(SolveRun.event_id == event.id)
    if kind is not None:
        query = query.where(SolveRun.kind == kind)
    if with_result:
        query = query.where(SolveRun.status.in_(DONE), SolveRun.result.is_not(None))
    return session.scalar(query.order_by(SolveRun.id.desc()).limit(1))


def event_runs(session: Session, event: Event, limit: int = 30) -> list[SolveRun]:
    return list(session.scalars(select(SolveRun).where(SolveRun.event_id == event.id)
                                .order_by(SolveRun.id.desc()).limit(limit)))


def run_status(run: SolveRun, queue_position: int | None = None) -> dict:
    """The JSON the runs page polls."""
    gap = run.gap
    return {
        "id": run.id, "kind": run.kind.value, "status": run.status.value,
        "active": run.status in ACTIVE,
        "elapsed_s": round(run.elapsed_s, 1) if run.elapsed_s is not None else None,
        "time_limit_s": run.time_limit_s,
        "progress": round(run.progress, 3),
        "value": run.value, "bound": run.bound,
        "gap": round(gap, 4) if gap is not None else None,
        "idle_gaps": run.idle_gaps, "idle_gaps_bound": run.idle_gaps_bound,
        "phase": run.phase if run.status in ACTIVE else None,
        "message": run.message,
        "queue_position": queue_position,
    }
