"""The one way the scheduler runs CP-SAT: parameters from a time budget, a stop
signal watched from another thread, progress reported from solutions."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from .progress import Progress

# CP-SAT's deterministic time ran about five times slower than the wall clock on
# the 2-core machine the limits were calibrated on; one worker uses it so that
# the same input and seed give the same schedule.
DETERMINISTIC_PER_SECOND = 0.2


class Watch(cp_model.CpSolverSolutionCallback):
    """Reports progress and stops the search on request or once the bound is reached."""

    def __init__(self, started: float, progress: Progress | None, stop: threading.Event | None,
                 target: float | None, report: tuple[float, float] | None = None,
                 scale: int = 1) -> None:
        super().__init__()
        self.scale = scale
        self.started = started
        self.progress = progress
        self.stop = stop
        self.target = target
        self.report = report

    def on_solution_callback(self) -> None:
        value = self.ObjectiveValue() // self.scale
        if self.progress is not None:
            bound = self.BestObjectiveBound() // self.scale
            if self.report is not None:
                value, bound = self.report
            elif self.target is not None:
                bound = min(bound, self.target)
            self.progress(time.perf_counter() - self.started, value, bound)
        if self.stop is not None and self.stop.is_set():
            self.StopSearch()
        elif self.target is not None and self.scale == 1 and value >= self.target - 1e-9:
            self.StopSearch()


def solve_stoppable(solver: cp_model.CpSolver, model: cp_model.CpModel,
                    stopped: Callable[[], bool] | None,
                    callback: cp_model.CpSolverSolutionCallback | None = None
                    ) -> cp_model.CpSolverStatus:
    """`solver.solve(model)`, stopped (best solution kept) as soon as `stopped()` says so."""
    if stopped is None:
        return solver.solve(model, callback)
    done = threading.Event()

    def watcher() -> None:
        while not done.wait(0.05):
            if stopped():
                solver.stop_search()
                return

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    try:
        return solver.solve(model, callback)
    finally:
        done.set()
        thread.join()


def run(model: cp_model.CpModel, budget: float, *, num_workers: int, seed: int,
        watch: Watch, stop: threading.Event | None, ls_only: bool = False
        ) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """CP-SAT on `model` for `budget` seconds (with one worker: deterministic time)."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.use_ls_only = ls_only
    params.num_workers = max(1, num_workers)
    params.random_seed = seed
    budget = max(0.05, budget)
    if num_workers <= 1:
        params.max_deterministic_time = budget * DETERMINISTIC_PER_SECOND
        params.max_time_in_seconds = budget * 10 + 10
    else:
        params.max_time_in_seconds = budget
    status = solve_stoppable(solver, model, None if stop is None else stop.is_set, watch)
    return solver, status
