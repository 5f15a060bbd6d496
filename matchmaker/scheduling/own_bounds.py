"""Per participant, the fewest idle gaps it could have on its own (others ignored).

Gaps add up over participants, so the sum is a proven lower bound for the whole
schedule; it is often tight when forbidden slots and session limits force a
participant's gap (it is the optimum of the `forumt-14` B2B-forum instances), and
MaxSAT's caps are set from these minima.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from .budget import StopSignal, stopped
from .holes_model import run_starts
from .meetingset import MeetingSet


def fits_window(data: MeetingSet, ks: list[int]) -> bool:
    """True when the meetings fill some run of consecutive slots of one day exactly.

    A perfect matching between the meetings and the window's slots (each meeting
    to a slot it may use) is looked for with augmenting paths; the sizes here
    are tiny.
    """
    n = len(ks)
    allowed = [set(data.allowed[k]) for k in ks]
    for day in data.days:
        for b in range(len(day) - n + 1):
            window = day[b:b + n]
            match: dict[int, int] = {}  # slot -> meeting position

            def augment(i: int, seen: set[int]) -> bool:
                for s in window:
                    if s in allowed[i] and s not in seen:
                        seen.add(s)
                        if s not in match or augment(match[s], seen):
                            match[s] = i
                            return True
                return False

            if all(augment(i, set()) for i in range(n)):
                return True
    return False


def participant_bounds(data: MeetingSet, until: float, stop: StopSignal | None) -> dict[int, int]:
    """Participant index -> the fewest gaps it could have alone: 0 where its meetings
    fit a window, else a small CP-SAT model's bound. A participant not reached
    before `until` (or `stop`) gets 0."""
    out: dict[int, int] = {}
    for q, ks in enumerate(data.by_part):
        if len(ks) < 2 or fits_window(data, ks):
            out[q] = 0
    for q, ks in enumerate(data.by_part):
        if q in out:
            continue
        if time.monotonic() >= until or stopped(stop):
            out[q] = 0
            continue
        out[q] = _alone(data, ks, max(0.01, min(1.0, until - time.monotonic())))
    return out


def _alone(data: MeetingSet, ks: list[int], seconds: float) -> int:
    """A lower bound on the gaps of a participant with meetings `ks` and nobody else."""
    m = cp_model.CpModel()
    at: dict[int, list] = defaultdict(list)
    for k in ks:
        xs = {s: m.new_bool_var("") for s in data.allowed[k]}
        m.add_exactly_one(xs.values())
        for s, v in xs.items():
            at[s].append(v)
    y: dict[int, cp_model.IntVar] = {}
    for s, vs in at.items():
        if len(vs) == 1:
            y[s] = vs[0]
        else:
            yv = m.new_bool_var("")
            m.add(sum(vs) == yv)
            y[s] = yv
    terms: list = []
    for day in data.days:
        used = [s for s in day if s in y]
        if not used:
            continue
        terms.extend(run_starts(m, [y.get(s, 0) for s in day]))
        has = m.new_bool_var("")
        m.add_max_equality(has, [y[s] for s in used])
        terms.append(-has)
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return max(0, math.ceil(solver.best_objective_bound - 1e-6))
    return 0
