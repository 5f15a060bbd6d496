"""Phase 1 of `compact()`: the fewest idle gaps, by a portfolio of searches.

Per-participant bounds first (their sum is a proven lower bound, often the
optimum); core-guided MaxSAT (`maxsat.py`) in spawned children, each
participant held to its own minimum plus two holes; a short full CP-SAT solve
that settles small cases; and simulated annealing over Kempe chains
(`anneal.py`), which always has a placement to give and does the work on
instances too large for MaxSAT. With two workers MaxSAT starts at once on the
second core, and when it ends without a proof that core runs a second
annealing chain in a spawned process; both share the best placement. Without
MaxSAT (too large) a CP-SAT model holding everyone to their own minimum takes
its place.
"""
from __future__ import annotations

import threading
import time

from . import children, maxsat
from .anneal import anneal_child
from .compact_search import CompactSearch
from .maxsat import Variant
from .own_bounds import participant_bounds
from .placement import as_ids, from_start

# MaxSAT: each participant held to its own minimum plus this many holes; the share
# of the time the first variant gets (counted from its start-up) before the next one
# takes over
MAXSAT_CAP_ABOVE_OWN = 2
MAXSAT_FIRST_SHARE = 0.25

_Got = str | tuple[list[int], dict[int, str], int] | None


class _Portfolio:
    def __init__(self, search: CompactSearch) -> None:
        self.search = search

    def stopped(self) -> bool:
        return self.search.halted() or self.search.done(1)

    def helper(self, until: float, caps: dict[int, int], runner: threading.Thread | None) -> None:
        """The second core's share, run in a background thread.

        First the MaxSAT runner (already started) or, without one, CP-SAT (one
        worker) on "everyone at their own minimum"; then a second annealing
        chain in a child process (the annealing is Python, so a thread would
        not run in parallel), in rounds restarted from the shared best placement.
        """
        search = self.search
        if runner is not None:
            runner.join()
        elif caps:
            search.capped_solve(min(until - time.monotonic(), (until - time.monotonic()) * 0.35 + 1.0),
                                caps, workers=1)
        if self.stopped() or until - time.monotonic() < 2.0:
            return
        child = children.start(anneal_child, search.data, search.rng.randrange(1 << 30))
        if child is None:
            return
        try:
            self._second_chain(child, until)
        finally:
            child.close()

    def _second_chain(self, child: children.Child, until: float) -> None:
        search = self.search
        hot = True
        while not self.stopped():
            left = until - time.monotonic()
            if left < 0.5:
                break
            chunk = left if left < 8 else max(8.0, left / 2)
            with search.lock:
                base, choice = search.assign, search.choice
            child.conn.send((base, choice, chunk, hot, search.lb_holes))
            hot = False
            got, stopping = self._await_round(child)
            if got is not None:
                search.move = "anneal-2"
                search.chain_rounds += 1
                search.accept(got, choice, 1)
            if stopping or got is None:
                break

    def _await_round(self, child: children.Child) -> tuple[list[int] | None, bool]:
        """The child's answer to one annealing round (None if it died), and whether
        this process asked it to stop early."""
        stopping = False
        while child.alive():
            if child.conn.poll(0.05):
                try:
                    return child.conn.recv(), stopping
                except (EOFError, OSError):  # the child died mid-round
                    return None, stopping
            if not stopping and self.stopped():
                child.conn.send(None)
                stopping = True
        return None, stopping

    def maxsat(self, until: float, own: list[int]) -> None:
        """Core-guided MaxSAT (see `maxsat.py`), each variant in a child process.

        The solver cannot be stopped from outside mid-proof, so each variant runs
        in a spawned child that is terminated when its share of the time is up:
        the first variant (quick where it succeeds) a share, the last one the
        rest. With two workers or more they run side by side, otherwise in turn.
        A result is the optimum with every participant at most two holes above
        its own minimum; `maxsat.proven_bound` turns it into a bound without caps.
        """
        search = self.search
        caps = [o + MAXSAT_CAP_ABOVE_OWN for o in own]
        variants = list(maxsat.VARIANTS)
        batches = [variants] if search.workers >= 2 else [[v] for v in variants]
        for batch in batches:
            left = until - time.monotonic()
            if self.stopped() or left < 0.5:
                return
            runs = []
            for variant in batch:
                last = variant == variants[-1]
                child = children.start(maxsat.child, search.data, caps, variant)
                if child is not None:
                    runs.append([variant, child, until, left if last else left * MAXSAT_FIRST_SHARE])
            if not runs or self._await_maxsat(runs, until, caps, own):
                return

    def _await_maxsat(self, runs: list[list], until: float, caps: list[int], own: list[int]) -> bool:
        """Wait for the MaxSAT children; True once one settled the search (a result,
        or nobody within the caps). Each share counts from its child's start-up."""
        try:
            while runs and time.monotonic() < until and not self.stopped():
                for run in list(runs):
                    variant, child, end, share = run
                    got: _Got = None
                    try:
                        if child.conn.poll():
                            got = child.conn.recv()
                    except (EOFError, OSError):
                        got = "died"
                    if got == "ready":
                        run[2] = min(until, time.monotonic() + share)
                    elif got is not None or not child.alive() or time.monotonic() >= end:
                        runs.remove(run)
                        child.close(grace=0.0)
                        if self._maxsat_outcome(variant, got, caps, own):
                            return True
                time.sleep(0.05)
            return False
        finally:
            for _variant, child, _end, _share in runs:
                child.close(grace=0.0)

    def _maxsat_outcome(self, variant: Variant, got: _Got, caps: list[int], own: list[int]) -> bool:
        search = self.search
        name = f"maxsat-{'redundant-' if variant.redundant else ''}{variant.solver}"
        if got is None or got == "died":
            search.note(name + "-stopped")
            return False
        if got == "infeasible":
            # nobody can stay within their cap: the other variants would say the same
            search.note(name + "-over-caps")
            return True
        assert isinstance(got, tuple), got
        assign, choice, holes = got
        if from_start(search.data, as_ids(search.data, assign, choice))[0] is None:
            return True  # never expected: the encoding states every hard rule
        search.move = name
        search.accept(assign, choice, 1)
        search.raise_bound(maxsat.proven_bound(holes, caps, own))
        if search.done(1):
            search.halt.set()  # proven: stop the CP-SAT solve under way (compact() clears it)
        return True


def fewest_holes(search: CompactSearch, total: float, phase1_end: float, num_workers: int) -> bool:
    """The portfolio on idle gaps until `phase1_end`; False when no placement came."""
    data = search.data
    folio = _Portfolio(search)
    # 0. per-participant bounds (fast); then MaxSAT, on the other core from the
    #    start with two workers, in line for part of the time with one
    own = participant_bounds(data, time.monotonic() + total * 0.1, search.stop)
    search.lb_holes = max(search.lb_holes, sum(own.values()))
    runner = None
    with_maxsat = not search.done(1) and maxsat.applicable(data)
    if with_maxsat:
        own_list = [own.get(p, 0) for p in range(len(data.pids))]
        if num_workers >= 2:
            runner = threading.Thread(target=folio.maxsat, args=(phase1_end, own_list), daemon=True)
            runner.start()
        else:
            folio.maxsat(time.monotonic() + (phase1_end - time.monotonic()) * 0.5, own_list)
    # 1. a first placement, unless `start` or MaxSAT gave one
    while search.assign is None and not search.proven_infeasible and not search.halted() \
            and time.monotonic() < phase1_end:
        search.full_solve(phase1_end - time.monotonic(), 1, first=True)
    if search.assign is None:
        search.halt.set()
        if runner is not None:
            runner.join()
        return False
    # 2. a short full solve: proves small cases (on one core while MaxSAT has the other)
    if not search.done(1):
        search.full_solve(min(total * 0.1, phase1_end - time.monotonic()), 1,
                          workers=1 if runner is not None else None)
    background = _second_core(search, folio, own, runner, phase1_end, num_workers, with_maxsat)
    _anneal_rounds(search, phase1_end)
    search.halt.set()
    for thread in (background, runner):
        if thread is not None:
            thread.join()
    search.halt.clear()
    return True


def _second_core(search: CompactSearch, folio: _Portfolio, own: dict[int, int],
                 runner: threading.Thread | None, phase1_end: float, num_workers: int,
                 with_maxsat: bool) -> threading.Thread | None:
    """With two workers or more, the other core goes on with MaxSAT or, without it,
    tries "everyone at their own minimum" with CP-SAT, then runs a second annealing
    chain (`_Portfolio.helper`); with one, that CP-SAT model runs here first."""
    if search.done(1) or search.halted() or phase1_end - time.monotonic() <= 1.0:
        return None
    if num_workers >= 2:
        background = threading.Thread(target=folio.helper, args=(phase1_end, own, runner), daemon=True)
        background.start()
        return background
    if own and not with_maxsat:
        search.capped_solve((phase1_end - time.monotonic()) * 0.3, own)
    return None


def _anneal_rounds(search: CompactSearch, phase1_end: float) -> None:
    """Annealing on Kempe chains and slot moves, in rounds restarted from the best
    (Python: one core)."""
    rounds = 0
    while not search.done(1) and not search.halted() and time.monotonic() < phase1_end - 0.05:
        left = phase1_end - time.monotonic()
        chunk = left * 0.3 if rounds == 0 else left if left < 8 else max(8.0, left / 2)
        search.anneal(time.monotonic() + chunk, hot=rounds == 0)
        rounds += 1
