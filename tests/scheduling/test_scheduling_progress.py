"""What `solve()` reports while it runs: value and bound, then, closing idle gaps, the
idle gaps of the best schedule so far and their proven lower bound."""
from __future__ import annotations

import threading

from matchmaker.scheduling import generate, solve
from matchmaker.scheduling.progress import COMPACTING, PLACING, DaysProgress


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, elapsed, value, bound, *, idle_gaps=None, idle_gaps_bound=None,
                 phase=None) -> None:
        with self.lock:
            self.calls.append({"elapsed": elapsed, "value": value, "bound": bound,
                               "gaps": idle_gaps, "gaps_bound": idle_gaps_bound,
                               "phase": phase})

    def phases(self) -> list[str]:
        return [c["phase"] for c in self.calls if c["phase"] is not None]


def _check_order(recorder: Recorder, gaps_while_placing: bool = False) -> list[dict]:
    """Placing comes before compacting and never after; returns the compacting calls."""
    phases = recorder.phases()
    assert phases[0] == PLACING and COMPACTING in phases
    first = phases.index(COMPACTING)
    assert PLACING not in phases[first:]
    start = next(i for i, c in enumerate(recorder.calls) if c["phase"] == COMPACTING)
    if not gaps_while_placing:
        assert all(c["gaps"] is None for c in recorder.calls[:start])
    return recorder.calls[start:]


def test_solve_reports_idle_gaps_and_their_bound_while_it_closes_them():
    problem = generate(60, seed=4, slots=10)
    recorder = Recorder()
    schedule = solve(problem, time_limit_s=4, progress=recorder)
    compacting = _check_order(recorder)
    assert all(c["value"] <= c["bound"] for c in recorder.calls)
    assert all(c["gaps"] is not None and c["value"] == schedule.stats["weighted_value"]
               for c in compacting)
    bounded = [c for c in compacting if c["gaps_bound"] is not None]
    assert bounded and all(c["gaps_bound"] <= c["gaps"] for c in bounded)
    assert compacting[-1]["gaps"] >= schedule.stats["idle_gaps"]
    assert compacting[0]["gaps"] >= compacting[-1]["gaps"]


def test_a_day_by_day_solve_reports_the_sum_of_its_days():
    problem = generate(60, seed=4, slots=12, days=2)
    recorder = Recorder()
    schedule = solve(problem, time_limit_s=6, num_workers=1, progress=recorder,
                     decompose=True)
    assert schedule.stats["days_solved_apart"] == 2
    compacting = _check_order(recorder, gaps_while_placing=True)  # the days' own phase 2
    assert all(c["gaps"] is not None for c in compacting)
    assert all(c["value"] <= c["bound"] for c in recorder.calls)
    placing = [c for c in recorder.calls if c["phase"] == PLACING]
    assert max(c["value"] for c in placing) >= schedule.stats["weighted_value"] * 0.9
    assert compacting[-1]["gaps"] >= schedule.stats["idle_gaps"]


def test_days_progress_adds_the_days_and_waits_for_every_days_gaps():
    recorder = Recorder()
    days = DaysProgress(recorder, 2, started=0.0, bound=100)
    days.day(0)(1.0, 30, 40, phase=COMPACTING, idle_gaps=5, idle_gaps_bound=2)
    days.day(1)(1.5, 20, 60, phase=PLACING)
    days.day(1)(2.0, 25, 60, idle_gaps=7)
    assert [(c["value"], c["bound"], c["gaps"], c["gaps_bound"], c["phase"])
            for c in recorder.calls] == [(30, 100, None, None, PLACING),
                                         (50, 100, None, None, PLACING),
                                         (55, 100, 12, None, PLACING)]


def test_a_day_in_a_child_process_reports_to_the_parent():
    from matchmaker.scheduling.decompose import _in_child
    problem = generate(30, seed=5, slots=8)
    recorder = Recorder()
    schedule = _in_child(solve, problem, 2.0, 0, None, recorder)
    assert schedule.assignments and recorder.calls
    assert all(c["value"] <= schedule.stats["weighted_value"] for c in recorder.calls)
