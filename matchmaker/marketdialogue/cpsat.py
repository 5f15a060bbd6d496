"""Run a CP-SAT model with a stop signal and progress reports."""
from __future__ import annotations

import math
import threading
from typing import Callable

from ortools.sat.python import cp_model

Report = Callable[[float, float], None]


def run(model: cp_model.CpModel, limit: float, workers: int, seed: int, stop: threading.Event,
        report: Report | None, *, interest_phase: bool, enough: Callable[[], bool] | None = None
        ) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve `model` for at most `limit` seconds, stopping early on `stop` or once `enough()` holds.

    `report(value, bound)` hears of each new solution and bound.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit, 0.01)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if interest_phase:
        solver.parameters.linearization_level = 2  # the LP gives the bound; its cuts pay off here
    # Probing and symmetry detection cost seconds of presolve on large models and
    # gained nothing measurable; tables' symmetry is broken in the model itself.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    done = threading.Event()

    def watch() -> None:
        # A stop asked before CP-SAT starts is forgotten when it starts: keep asking.
        while not done.is_set():
            if stop.wait(0.05) or (enough is not None and enough()):
                solver.stop_search()
                done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    callback = _listen(solver, report) if report is not None else None
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        watcher.join()
    return solver, status


def _listen(solver: cp_model.CpSolver, report: Report) -> cp_model.CpSolverSolutionCallback:
    """Pass the solver's solutions and bounds on to `report`; return the solution callback."""
    best = {"value": -math.inf, "bound": math.inf}

    def on_bound(bound: float) -> None:
        best["bound"] = bound
        if math.isfinite(best["value"]):
            report(best["value"], bound)

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            best["value"] = self.objective_value
            best["bound"] = min(best["bound"], self.best_objective_bound)
            report(self.objective_value, self.best_objective_bound)

    solver.best_bound_callback = on_bound
    return Callback()
