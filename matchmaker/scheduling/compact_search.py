"""The state of a `compact()` run: the best placement, its proven bounds, and the
CP-SAT searches that improve it (full model, neighbourhoods, day permutations,
everyone at their own minimum) besides the annealing.

Several searches share the incumbent (a CP-SAT solve in a thread, annealing
rounds, solver children), so every change goes through `accept()` under a lock.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable
import time

from ortools.sat.python import cp_model

from .anneal import anneal
from .budget import StopSignal, stopped
from .cpsat import solve_stoppable
from .holes_model import HolesModel
from .meetingset import MeetingSet
from .neighbourhoods import neighbourhood
from .permute import DayPermutation
from .placement import occupancy, score
from .stall import EXACT_STALL_S, Stall

# CP-SAT neighbourhood search: first size (meetings freed), seconds per sub-problem,
# and how often a whole day's slots are reordered instead
LNS_START_SIZE = 30
LNS_SUB_LIMIT = 0.5
LNS_WORKERS = 2
PERMUTE_EVERY = 10

STATUS_NAMES = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
                cp_model.INFEASIBLE: "infeasible", cp_model.MODEL_INVALID: "invalid",
                cp_model.UNKNOWN: "unknown"}

Score = tuple[int, int, int]


class CompactSearch:
    """The incumbent (by holes in phase 1; then idle slots and moves in phase 2),
    the proven lower bounds, and a trace of what improved it when."""

    def __init__(self, data: MeetingSet, *, num_workers: int, seed: int,
                 stop: StopSignal | None) -> None:
        self.data = data
        self.workers = max(1, num_workers)
        self.rng = random.Random(seed)
        self.stop = stop
        self.assign: list[int] | None = None
        self.choice: dict[int, str] = {}
        self.score: Score | None = None
        self.lb_holes = 0
        self.lb_secondary = 0
        self.holes_cap: int | None = None
        self.proven_infeasible = False
        self.iterations = 0
        self.improvements = 0
        self.w_idle = data.n + 1
        self.t0 = time.monotonic()
        self.trace: list[tuple[float, str, Score]] = []
        self.stall = Stall(time.monotonic, EXACT_STALL_S)
        self.move = "start"
        self.lock = threading.Lock()
        # set to end the CP-SAT solve and the annealing under way (a proof arrived)
        self.halt = threading.Event()
        self.chain_rounds = 0
        # hears each better placement's idle gaps and the lower bound proven so far
        self.on_improve: Callable[[int, int], None] | None = None

    def halted(self) -> bool:
        return self.halt.is_set() or stopped(self.stop)

    def done(self, phase: int) -> bool:
        """Whether the incumbent reached its proven bound."""
        if self.score is None:
            return False
        if phase == 1:
            return self.score[0] <= self.lb_holes
        return self.score[1] * self.w_idle + self.score[2] <= self.lb_secondary

    def note(self, what: str) -> None:
        self.trace.append((round(time.monotonic() - self.t0, 2), what, self.score or (0, 0, 0)))

    def raise_bound(self, holes: int) -> None:
        with self.lock:
            self.lb_holes = max(self.lb_holes, holes)

    def _key(self, score: Score, phase: int) -> tuple[int, ...]:
        return (score[0],) if phase == 1 else (score[0], score[1] * self.w_idle + score[2])

    def accept(self, assign: list[int], choice: dict[int, str], phase: int) -> bool:
        """Keep a placement that is as good as the incumbent (sideways moves diversify)."""
        with self.lock:
            new = score(self.data, assign)
            better = self.score is None or self._key(new, phase) < self._key(self.score, phase)
            if self.score is None or self._key(new, phase) <= self._key(self.score, phase):
                self.assign, self.choice, self.score = list(assign), dict(choice), new
            if better:
                self.improvements += 1
                self.stall.gained()
                self.trace.append((round(time.monotonic() - self.t0, 2), self.move, new))
                if self.on_improve is not None:
                    self.on_improve(new[0], self.lb_holes)
            return better

    # -- CP-SAT ---------------------------------------------------------------

    def _solver(self, limit: float, workers: int | None = None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, limit)
        if workers is None:
            workers = self.workers if limit > 1.5 else min(self.workers, LNS_WORKERS)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = self.rng.randrange(1 << 30)
        return solver

    def _objective(self, mm: HolesModel, phase: int, base: list[int] | None) -> None:
        """Phase 1: holes, never worse than `base`. Phase 2: idle slots then moves, holes capped."""
        if base is not None:
            touched = occupancy(self.data, base)
            mm.model.add(mm.holes <= sum(touched.gaps(p)[0] for p in mm.parts))
        if phase == 1:
            mm.model.minimize(mm.holes)
        else:
            mm.model.minimize(mm.idle * self.w_idle + mm.moved)

    def _solve(self, mm: HolesModel, limit: float, phase: int, first: bool = False,
               workers: int | None = None) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        with self.lock:
            base, base_choice = self.assign, self.choice
        self._objective(mm, phase, base)
        if base is not None:
            mm.set_hint(base, base_choice)
        solver = self._solver(limit, workers)
        if first:
            solver.parameters.stop_after_first_solution = True
        status = solve_stoppable(solver, mm.model, self.halted)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            assign = list(base) if base is not None else [0] * self.data.n
            choice = dict(base_choice)
            mm.read(solver, assign, choice)
            self.accept(assign, choice, phase)
        return status, solver

    def full_solve(self, limit: float, phase: int, first: bool = False, workers: int | None = None) -> None:
        """Solve the whole model (incumbent as hint): a placement and a proven bound."""
        self.move = "full"
        t = time.monotonic()
        mm = HolesModel(self.data, self.assign, self.choice, None, idle=phase == 2)
        if not mm.ok:
            self.proven_infeasible = True
            return
        if phase == 2 and self.holes_cap is not None:
            mm.model.add(mm.holes <= self.holes_cap)
        status, solver = self._solve(mm, limit - (time.monotonic() - t), phase, first, workers)
        if status == cp_model.INFEASIBLE and self.assign is None:
            self.proven_infeasible = True
        if status == cp_model.OPTIMAL and not first:
            bound = round(solver.objective_value)
        elif status == cp_model.FEASIBLE and not first:
            bound = int(solver.best_objective_bound + 1 - 1e-6)
        else:
            return
        if phase == 1:
            self.lb_holes = max(self.lb_holes, bound)
        else:
            self.lb_secondary = max(self.lb_secondary, bound)

    def capped_solve(self, limit: float, caps: dict[int, int], workers: int | None = None) -> None:
        """Full model with each participant held to at most `caps` holes.

        Where every participant can reach its own minimum at once, this strongly
        constrained model (most participants must fill one window of slots)
        finds it much faster than the open objective does.
        """
        self.move = "capped"
        t = time.monotonic()
        mm = HolesModel(self.data, self.assign, self.choice, None, idle=False)
        if not mm.ok:
            return
        for p, (terms, const) in mm.p_holes.items():
            mm.model.add(sum(terms) + const <= caps.get(p, 0))
        status, _ = self._solve(mm, limit - (time.monotonic() - t), 1, workers=workers)
        if status == cp_model.INFEASIBLE and mm.free == list(range(self.data.n)):
            # not everyone can be at their own minimum at once: one hole more at least
            self.lb_holes = max(self.lb_holes, sum(caps.values()) + 1)
        self.note("capped-" + STATUS_NAMES.get(status, "?"))

    def lns(self, until: float, phase: int) -> None:
        """Neighbourhood search: sub-models free some meetings, the rest held; every
        `PERMUTE_EVERY`-th step reorders a day's slots instead."""
        size = min(self.data.n, LNS_START_SIZE)
        n_iter = 0
        while time.monotonic() < until - 0.02 and not stopped(self.stop):
            if self.done(phase):
                return
            n_iter += 1
            self.iterations += 1
            if n_iter % PERMUTE_EVERY == 0:
                self.permute_days(min(1.0, until - time.monotonic()), phase)
                continue
            assert self.assign is not None
            self.move, free = neighbourhood(self.data, self.assign, self.rng, size, phase)
            mm = HolesModel(self.data, self.assign, self.choice, free, idle=phase == 2)
            if not mm.ok:
                continue
            status, _ = self._solve(mm, min(LNS_SUB_LIMIT, until - time.monotonic()), phase)
            # adapt the neighbourhood size: grow while sub-problems are solved to optimality
            if status == cp_model.OPTIMAL:
                size = min(self.data.n, int(size * 1.05) + 1)
            elif status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                size = max(8, int(size * 0.9))

    def permute_days(self, limit: float, phase: int) -> None:
        """Reorder the slots of a random day as columns (`permute.py`)."""
        if limit <= 0.05 or self.assign is None:
            return
        self.move = "permute"
        d = self.rng.randrange(len(self.data.days))
        perm = DayPermutation(self.data, self.assign, d, phase=phase, w_idle=self.w_idle)
        if not perm.ok:
            return
        solver = self._solver(limit)
        status = solve_stoppable(solver, perm.model, self.halted)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.accept(perm.placement(solver), dict(self.choice), phase)

    def anneal(self, until: float, hot: bool, watch: Callable[[], bool] | None = None) -> None:
        """One annealing round from the incumbent (`anneal.py`); `watch()` (called every
        few hundred moves) True ends it early."""
        assert self.assign is not None
        self.move = "anneal"
        with self.lock:
            base, choice = self.assign, self.choice

        def stop() -> bool:
            return self.halted() or self.done(1) or (watch is not None and watch())

        best = anneal(self.data, base, choice, until, self.rng, stop,
                      focus=0.5, t_hi=0.6 if hot else 0.3, column=0.02, target=self.lb_holes)
        self.move = "anneal"
        self.accept(best, choice, 1)
