"""Events too large for one search, solved day by day and then put together.

Above `DECOMPOSE_PAIRS` (meeting, slot) pairs on a several-day event, `solve()`
comes here:

1. A day-level LP (GLOP, one variable per meeting and day it can take place on):
   each meeting at most once, each participant at most once per slot of every
   window of slots its meetings of a day are confined to (the whole day, a late
   arrival, an early leave), caps, shared tables per day. It relaxes the whole
   problem, so its optimum rounded down is a proven bound on the value, tighter
   than the degree bound when people come for part of the event.
2. Its solution splits the meetings: each goes to the day the LP puts most of it
   on, while both participants have room left that day and within their caps;
   pins and, on a re-solve, published days come first; the meetings the LP
   leaves out fill the room that is left.
3. Each day is solved as a problem of its own by the ordinary `solve()`: one
   after the other with one worker (the same input and seed give the same
   schedule), otherwise in child processes (spawned, `children.py`), as many
   at a time as workers, since one Python process runs one local search.
4. The days are joined and polished as a whole: insertions and ejections across
   days (a meeting its day could not place may fit on another), fairness, then
   the hole search for the rest of the limit.
"""
from __future__ import annotations

import logging
import math
import pickle
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from ortools.linear_solver import pywraplp

from . import children
from .agendas import idle_gaps
from .bound import at_most, degree_bound, integral_bound, new_lp
from .domains import Domains
from .holes import reduce_holes
from .improve import improve_fairness, improve_value
from .problem import Meeting, Participant, Problem, Schedule
from .progress import COMPACTING, PLACING, DaysProgress, Progress, gaps_reporter

log = logging.getLogger(__name__)

# (meeting, slot) pairs above which a several-day event is solved day by day.
DECOMPOSE_PAIRS = 1_000_000
LP_SECONDS = 120.0
DAYS_SHARE = 0.75
VALUE_SHARE = 0.3
EVALS_PER_SECOND = 20_000
PROGRESS_MESSAGE = "progress"
CHILD_PROGRESS_S = 0.5

SolveDay = Callable[..., Schedule]  # `solve()` itself: solve(problem, time_limit_s=..., ...)


def day_lp(d: Domains, time_limit_s: float = LP_SECONDS
           ) -> tuple[float, dict[tuple[str, int], float]] | None:
    """The day-level LP's optimum and its value per (meeting, day); None if GLOP
    does not finish in time."""
    solver = new_lp(time_limit_s)
    if solver is None:
        return None
    infinity = solver.infinity()
    x: dict[tuple[str, int], pywraplp.Variable] = {}
    windows: dict[tuple[str, int], dict[frozenset[int], list]] = defaultdict(
        lambda: defaultdict(list))
    per_person: dict[str, list] = defaultdict(list)
    pooled_on: dict[int, list] = defaultdict(list)
    objective = solver.Objective()
    for m in d.problem.meetings:
        if not d.allowed_tables(m):
            continue
        slots = d.allowed_slots(m) if m.fixed is None else (d.slot_pos[m.fixed.slot],)
        by_day: dict[int, list[int]] = defaultdict(list)
        for pos in slots:
            by_day[d.slot_day[pos]].append(pos)
        row = solver.Constraint(1 if m.fixed is not None else 0, 1)
        for day, positions in by_day.items():
            var = solver.NumVar(0.0, 1.0, "")
            x[(m.id, day)] = var
            row.SetCoefficient(var, 1)
            objective.SetCoefficient(var, m.priority)
            window = frozenset(positions)
            for p in m.participants:
                windows[(p, day)][window].append(var)
                per_person[p].append(var)
            if d.is_pooled(m):
                pooled_on[day].append(var)
    objective.SetMaximization()
    for by_window in windows.values():
        union = frozenset().union(*by_window)
        limits = set(by_window) | {union}
        for limit in limits:
            vars_ = [v for w, vs in by_window.items() if w <= limit for v in vs]
            if len(vars_) > len(limit):
                at_most(solver, vars_, len(limit), infinity)
    for p, vars_ in per_person.items():
        cap = d.participant[p].max_meetings
        if cap is not None and len(vars_) > cap:
            at_most(solver, vars_, cap, infinity)
    for day, vars_ in pooled_on.items():
        room = len(d.pooled) * len(d.days[day])
        if len(vars_) > room:
            at_most(solver, vars_, room, infinity)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value(), {key: var.solution_value() for key, var in x.items()}


def split_days(d: Domains, weights: dict[tuple[str, int], float]) -> list[list[Meeting]]:
    """Meetings per day, guided by the LP's weights (see the module docstring)."""
    room: dict[tuple[str, int], int] = {}
    reach: dict[tuple[str, int], set[int]] = defaultdict(set)
    for m in d.problem.meetings:
        for pos in d.allowed_slots(m):
            for p in m.participants:
                reach[(p, d.slot_day[pos])].add(pos)
    for key, positions in reach.items():
        room[key] = len(positions)
    total: dict[str, int] = defaultdict(int)
    index = {m.id: i for i, m in enumerate(d.problem.meetings)}

    def weight(m: Meeting) -> float:
        return max((weights.get((m.id, day), 0.0) for day in range(len(d.days))), default=0.0)

    order = sorted((m for m in d.problem.meetings if d.allowed_tables(m) and d.allowed_slots(m)),
                   key=lambda m: (m.fixed is None, -round(weight(m), 6), -m.priority,
                                  index[m.id]))
    out: list[list[Meeting]] = [[] for _ in d.days]
    for m in order:
        if m.fixed is not None:
            day = d.slot_day[d.slot_pos[m.fixed.slot]]
        else:
            if any(total[p] >= d.cap(p) for p in m.participants):
                continue
            previous = d.slot_day[d.slot_pos[m.previous.slot]] if m.previous is not None \
                and m.previous.slot in d.slot_pos else None
            days = sorted({d.slot_day[pos] for pos in d.allowed_slots(m)},
                          key=lambda day: (-weights.get((m.id, day), 0.0) - 2.0 * (day == previous),
                                           day))
            free_day = next((day for day in days
                             if all(room.get((p, day), 0) > 0 for p in m.participants)), None)
            if free_day is None:
                continue
            day = free_day
        out[day].append(m)
        for p in m.participants:
            room[(p, day)] = room.get((p, day), 0) - 1
            total[p] += 1
    for meetings in out:
        meetings.sort(key=lambda m: index[m.id])
    return out


def day_problem(d: Domains, day: int, meetings: list[Meeting]) -> Problem:
    """One day as a problem of its own: that day's slots and meetings, availability
    cut to the day, no caps (the split kept every participant within its cap)."""
    problem = d.problem
    slots = tuple(problem.slots[pos] for pos in d.days[day])
    ids = frozenset(s.id for s in slots)

    def cut(available: frozenset[str] | None) -> frozenset[str] | None:
        return None if available is None else available & ids

    participants: list[Participant] = [
        replace(p, available=cut(p.available), max_meetings=None) for p in problem.participants]
    day_meetings = tuple(
        replace(m, available=cut(m.available),
                previous=m.previous if m.previous is not None and m.previous.slot in ids
                else None)
        for m in meetings)
    return replace(problem, slots=slots, participants=tuple(participants),
                   meetings=day_meetings)


def _solve_days(solve: SolveDay, problems: list[Problem], limits: list[float], *,
                num_workers: int, seed: int, stop: threading.Event | None,
                days: DaysProgress | None = None) -> list[Schedule]:
    """Every day's schedule by `solve`: in this process with one worker, otherwise in
    child processes, as many at a time as workers (Python runs one search per process).
    `days` hears each day's progress and its result."""

    def day_progress(i: int) -> Progress | None:
        return None if days is None else days.day(i)

    def done(i: int, schedule: Schedule) -> Schedule:
        if days is not None:
            days.update(i, schedule.stats.get("weighted_value", 0), schedule.stats.get("idle_gaps"))
        return schedule

    if num_workers <= 1 or len(problems) == 1:
        return [done(i, solve(problem, time_limit_s=limit, num_workers=num_workers, seed=seed,
                              stop=stop, decompose=False, progress=day_progress(i)))
                for i, (problem, limit) in enumerate(zip(problems, limits))]
    results: list[Schedule | None] = [None] * len(problems)
    todo = list(range(len(problems)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop(0)
            try:
                results[i] = done(i, _in_child(solve, problems[i], limits[i], seed, stop,
                                                day_progress(i)))
            except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as error:
                log.warning("day %d in a child process failed (%s); solving it here", i, error)
                results[i] = done(i, solve(problems[i], time_limit_s=limits[i] / 2, num_workers=2,
                                           seed=seed, stop=stop, decompose=False,
                                           progress=day_progress(i)))

    threads = [threading.Thread(target=work, daemon=True)
               for _ in range(min(num_workers, len(problems)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]


def _in_child(solve: SolveDay, problem: Problem, limit: float, seed: int,
              stop: threading.Event | None, progress: Progress | None = None) -> Schedule:
    """`solve` one day in a spawned child process (a module-level function: it is sent
    by name); `stop` is passed on to it, its progress reports (value, idle gaps) come
    back to `progress`."""
    child = children.start(_day_child, solve, problem, limit, seed)
    if child is None:
        raise RuntimeError("no child process")
    try:
        while True:
            if child.conn.poll(0.1):
                message = child.conn.recv()
                if isinstance(message, tuple) and message[:1] == (PROGRESS_MESSAGE,):
                    if progress is not None:
                        _tag, elapsed, value, bound, gaps = message
                        progress(elapsed, value, bound, idle_gaps=gaps)
                    continue
                return message
            if not child.alive():
                raise RuntimeError(f"exit status {child.process.exitcode}")
            if stop is not None and stop.is_set():
                child.conn.send("stop")
                stop = None
    finally:
        child.close()


class _SendProgress:
    """In a day's child: progress sent to the parent, at most every `CHILD_PROGRESS_S`."""

    def __init__(self, conn) -> None:
        self.conn, self.last, self.lock = conn, float("-inf"), threading.Lock()

    def __call__(self, elapsed: float, value: float, bound: float, *, idle_gaps: int | None = None,
                 idle_gaps_bound: int | None = None, phase: str | None = None) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < CHILD_PROGRESS_S:
                return
            self.last = now
            try:
                self.conn.send((PROGRESS_MESSAGE, elapsed, value, bound, idle_gaps))
            except (OSError, ValueError):
                pass


def _day_child(conn, solve: SolveDay, problem: Problem, limit: float, seed: int) -> None:
    """In the child: solve the day, stop early when the parent says so, send the schedule."""
    stop, finish = children.stop_listener(conn)
    send = _SendProgress(conn)
    schedule = solve(problem, time_limit_s=limit, num_workers=2, seed=seed, stop=stop,
                     decompose=False, progress=send)
    finish()
    with send.lock:
        conn.send(schedule)
    conn.close()


def solve_by_day(problem: Problem, d: Domains, *, solve: SolveDay, time_limit_s: float,
                 num_workers: int, seed: int, started: float, deadline: float, progress, stop
                 ) -> tuple[dict[str, int], dict[str, str], int, float, dict]:
    """Slots (meeting -> position), chosen stands, a proven bound, the seconds the
    value stages took and stats, for `solve()` to finish. Each day is solved by `solve`
    (the whole-problem `solve()`, handed in by its caller)."""
    deterministic = num_workers <= 1
    trivial = sum(m.priority for m in problem.meetings
                  if d.allowed_slots(m) and d.allowed_tables(m))
    bound = trivial
    degree = integral_bound(degree_bound(d))
    if degree is not None:
        bound = min(bound, degree)
    lp = day_lp(d, LP_SECONDS if deterministic else max(1.0, time_limit_s * 0.2))
    weights: dict[tuple[str, int], float] = {}
    if lp is not None:
        bound = min(bound, integral_bound(lp[0]))
        weights = lp[1]
    parts = split_days(d, weights)
    log.info("%.1fs day LP: bound %d (degree %s); meetings per day %s",
             time.perf_counter() - started, bound, degree, [len(p) for p in parts])

    days = [day for day, meetings in enumerate(parts) if meetings]
    problems = [day_problem(d, day, parts[day]) for day in days]
    size = [len(parts[day]) for day in days]
    if deterministic:
        budget = time_limit_s * DAYS_SHARE
        limits = [budget * n / max(1, sum(size)) for n in size]
    else:
        budget = (deadline - time.perf_counter()) * DAYS_SHARE
        waves = math.ceil(len(days) / max(1, min(num_workers, len(days))))
        limits = [max(1.0, budget / waves) for _ in days]
    schedules = _solve_days(solve, problems, limits, num_workers=num_workers, seed=seed, stop=stop,
                            days=None if progress is None else
                            DaysProgress(progress, len(days), started, bound))
    slots: dict[str, int] = {}
    chosen: dict[str, str] = {}
    for schedule in schedules:
        for a in schedule.assignments:
            slots[a.meeting] = d.slot_pos[a.slot]
            if len(d.own_tables(d.meeting[a.meeting])) > 1:
                chosen[a.meeting] = a.table
    value = sum(d.meeting[mid].priority for mid in slots)
    log.info("%.1fs days solved: value %d", time.perf_counter() - started, value)
    if progress is not None:
        progress(time.perf_counter() - started, value, bound, idle_gaps=idle_gaps(d, slots),
                 phase=PLACING)

    if value < bound and not _stopped(stop):
        until = float("inf") if deterministic else \
            time.perf_counter() + (deadline - time.perf_counter()) * VALUE_SHARE
        slots = improve_value(d, slots, deadline=until, target=bound,
                              rounds=2 if deterministic else 6)
        chosen = {mid: t for mid, t in chosen.items() if mid in slots}
        value = sum(d.meeting[mid].priority for mid in slots)
        log.info("%.1fs value across days: value %d", time.perf_counter() - started, value)
    value_seconds = time.perf_counter() - started
    if progress is not None:
        progress(value_seconds, value, bound, idle_gaps=idle_gaps(d, slots), phase=COMPACTING)

    if not _stopped(stop):
        slots = improve_fairness(d, slots, deadline=float("inf") if deterministic else
                                 time.perf_counter() + (deadline - time.perf_counter()) * 0.1)
        remaining = max(0.0, deadline - time.perf_counter())
        if deterministic:
            remaining = time_limit_s * (1 - DAYS_SHARE) * 0.5
        slots = reduce_holes(
            d, slots, seed=seed,
            deadline=float("inf") if deterministic else time.perf_counter() + remaining,
            max_evals=int(remaining * EVALS_PER_SECOND) if deterministic else None,
            should_stop=lambda: _stopped(stop),
            on_round=None if progress is None else
            gaps_reporter(progress, lambda best: idle_gaps(d, best), started, value, bound))
        log.info("%.1fs hole search across days done", time.perf_counter() - started)
    return slots, chosen, bound, value_seconds, {"days_solved_apart": len(days)}


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()
