"""Phase 1 of `compact()`: the fewest idle gaps, by a portfolio of searches.

- Per-participant bounds first (`own_bounds.py`): their sum is a proven lower
  bound, often the optimum.
- Where the clause set fits (`maxsat.applicable`), core-guided MaxSAT
  (`maxsat.py`), each participant held to its own minimum plus two holes, in
  spawned children started before anything else, so that their start-up
  overlaps the bounds. Two formulations, each fast where the other stalls: the
  plain one (Glucose) proves most instances within a second or two, the one
  with an implied per-slot count (CaDiCaL) the crowded ones in tens of seconds.
  With two workers the second has one core for the whole time; the other core
  first runs the plain one for a short share, then the annealing. With one,
  they run in turn before the annealing, with a short full CP-SAT solve after
  the plain one (it settles small cases). A proof under way reports each bound it reaches, so
  the search stops once the incumbent has it, and a run stopped before its
  placement still leaves its bound.
- Simulated annealing over Kempe chains (`anneal.py`), in rounds restarted
  from the best placement, which always has a placement to give and does the
  work where MaxSAT cannot finish; a core that MaxSAT leaves runs a second chain
  in a spawned process.
- Where MaxSAT fits, the annealing rounds after the first alternate with SAT
  neighbourhood search from the best placement (`sat_lns.py`): on the crowded
  instances the proof of the bound comes early but the placement at that bound
  late, and the annealing alone levels off a few holes above it.
- Where MaxSAT does not fit: a short CP-SAT solve of the full model, and CP-SAT
  on "everyone at their own minimum" before the second chain.

The search stops as soon as the gaps reach the proven bound.
"""
from __future__ import annotations

import threading
import time

from . import children, maxsat
from .anneal import anneal_child
from .compact_search import CompactSearch
from .maxsat import Variant
from .maxsat_runs import Answer, MaxsatRun
from .own_bounds import participant_bounds
from .placement import as_ids, from_start
from .sat_lns import HoleSearch, improve

# MaxSAT: each participant held to its own minimum plus this many holes
MAXSAT_CAP_ABOVE_OWN = 2
# MaxSAT is tried when phase 1 has at least this many seconds
MAXSAT_MIN_SECONDS = 2.0
PLAIN, IMPLIED = maxsat.VARIANTS
# the plain formulation's share of phase 1 (from its start-up); with one worker the
# formulation with the implied count gets this share of what is left, then the annealing
PLAIN_SHARE = 0.15
IMPLIED_SHARE_ONE_WORKER = 0.6
# but at least this long (from its start-up), when there is that much time: small
# cases are proven in milliseconds of a core, which a short run on a busy machine
# may not get within its share
MIN_PROOF_SECONDS = 1.0
# with one worker, a full CP-SAT solve after the plain proof, for this share of what
# is left but at most this long
SHORT_SOLVE_SHARE = 0.5
SHORT_SOLVE_SECONDS = 1.0
# the per-participant bounds may take this share of phase 1
OWN_BOUNDS_SHARE = 0.1
# with MaxSAT, annealing rounds after the first and SAT neighbourhood search take
# turns of this many seconds, once at least SAT_LNS_MIN_LEFT are left
SAT_LNS_TURN = 3.0
SAT_LNS_MIN_LEFT = 2.0


class _Portfolio:
    def __init__(self, search: CompactSearch, until: float, num_workers: int) -> None:
        self.search = search
        self.until = until
        self.workers = num_workers
        self.runs: list[MaxsatRun] = []
        self.caps: list[int] = []
        self.own: list[int] = []
        self.chain: threading.Thread | None = None
        self.sat_lns = False  # SAT neighbourhood search between annealing rounds
        self.holes_sat: HoleSearch | None = None

    def settled(self) -> bool:
        """Whether the search should end: stopped, at its proven bound, or no longer
        gaining while no MaxSAT proof is under way (`stall.py`)."""
        search = self.search
        return search.halted() or search.done(1) or (not self.runs and search.stall.stalled())

    def left(self) -> float:
        return self.until - time.monotonic()

    # -- MaxSAT ---------------------------------------------------------------

    def spawn(self, how_many: int) -> None:
        for _ in range(how_many):
            run = MaxsatRun.spawn()
            if run is not None:
                self.runs.append(run)

    def close_runs(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []

    def watch(self) -> bool:
        """Poll the MaxSAT runs; True when one ended (an annealing round then ends, and
        the next starts from the incumbent, perhaps with a second chain) or all is
        settled."""
        ended = False
        for run in [r for r in self.runs if r.variant is not None]:
            before = run.bound
            got = run.poll()
            if run.bound > before:
                self._proof_bound(run)
            if got is None or run not in self.runs:
                continue
            ended = True
            self.runs.remove(run)
            run.close()
            assert run.variant is not None
            self._outcome(run.variant, got)
        return ended or self.settled()

    def _proof_bound(self, run: MaxsatRun) -> None:
        """A proof under way raised its bound: the search stops if the incumbent has it."""
        assert run.variant is not None
        search = self.search
        search.raise_bound(maxsat.proven_bound(run.bound, self.caps, self.own))
        search.note(f"{run.variant.name}-bound-{run.bound}")
        if search.done(1):
            search.halt.set()
            self.close_runs()

    def _outcome(self, variant: Variant, got: Answer) -> None:
        search = self.search
        if got in ("stopped", "died"):
            search.note(variant.name + "-stopped")
            return
        if got == "infeasible":
            # nobody can stay within their cap: the other formulation would say the same
            search.note(variant.name + "-over-caps")
            self.close_runs()
            return
        assert isinstance(got, tuple), got
        assign, choice, holes = got
        if from_start(search.data, as_ids(search.data, assign, choice))[0] is None:
            return  # never expected: the encoding states every hard rule
        search.move = variant.name
        search.accept(assign, choice, 1)
        search.raise_bound(maxsat.proven_bound(holes, self.caps, self.own))
        if search.done(1):
            search.halt.set()  # proven: stop whatever runs (compact() clears it)
        self.close_runs()  # the other formulation has the same optimum to give

    def wait_for(self, run: MaxsatRun) -> None:
        """Poll every run until `run` has answered or all is settled."""
        while run in self.runs and not self.settled() and self.left() > 0:
            self.watch()
            time.sleep(0.02)

    def _share(self, share: float) -> float:
        return max(self.left() * share, MIN_PROOF_SECONDS)

    def exact(self) -> None:
        """MaxSAT (already spawned) and the annealing, as the module doc says."""
        data = self.search.data
        if self.workers >= 2 and len(self.runs) >= 2:
            implied, plain = self.runs[0], self.runs[1]
            implied.give(data, self.caps, IMPLIED, self.left(), self.until)
            plain.give(data, self.caps, PLAIN, self._share(PLAIN_SHARE), self.until)
            self.wait_for(plain)
        else:
            for run, variant, share in zip(list(self.runs), (PLAIN, IMPLIED),
                                           (PLAIN_SHARE, IMPLIED_SHARE_ONE_WORKER)):
                if self.settled() or run not in self.runs:
                    break
                run.give(data, self.caps, variant, self._share(share), self.until)
                self.wait_for(run)
                if variant == PLAIN and not self.settled():
                    # a short full CP-SAT solve settles the small cases a busy core
                    # kept the plain proof from
                    self.search.full_solve(min(SHORT_SOLVE_SECONDS, self.left() * SHORT_SOLVE_SHARE), 1)
        self.sat_lns = True
        self.anneal_rounds()

    # -- annealing --------------------------------------------------------------

    def anneal_rounds(self) -> None:
        """Annealing in rounds restarted from the best (Python: one core), taking turns
        with SAT neighbourhood search after the first when `sat_lns` says so; once no
        MaxSAT run is left and another core is free, a second chain there."""
        search = self.search
        rounds = 0
        while not self.settled() and self.left() > 0.05:
            if self.workers >= 2 and not self.runs and self.chain is None and self.left() > 2.0:
                self.chain = threading.Thread(target=self.second_chain, daemon=True)
                self.chain.start()
            left = self.left()
            turns = self.sat_lns and rounds > 0
            if turns and left >= SAT_LNS_MIN_LEFT:
                self.sat_turn(time.monotonic() + min(left, SAT_LNS_TURN))
                if self.settled():
                    break
                left = self.left()
            if turns:
                chunk = min(left, SAT_LNS_TURN)
            else:
                chunk = left * 0.3 if rounds == 0 else left if left < 8 else max(8.0, left / 2)
            search.anneal(time.monotonic() + chunk, hot=rounds == 0,
                          watch=self.watch)
            rounds += 1

    def sat_turn(self, until: float) -> None:
        """SAT neighbourhood search (`sat_lns.py`) from the best placement until `until`."""
        search = self.search
        with search.lock:
            assign, holes = search.assign, search.score[0] if search.score else 0
        if assign is None or holes <= search.lb_holes:
            return
        if self.holes_sat is None:
            self.holes_sat = HoleSearch(search.data, self.caps, self.own, holes,
                                        seed=search.rng.randrange(1 << 30))

        def better(assign: list[int], choice: dict[int, str]) -> None:
            search.move = "sat-lns"
            search.accept(assign, choice, 1)

        improve(self.holes_sat, assign, holes,
                lambda: time.monotonic() >= until or search.halted() or self.watch(),
                better, target=search.lb_holes)

    def second_chain(self) -> None:
        """A second annealing chain in a child process (a thread would not run in
        parallel), in rounds restarted from the shared best placement."""
        search = self.search
        child = children.start(anneal_child, search.data, search.rng.randrange(1 << 30))
        if child is None:
            return
        try:
            hot = True
            while not self.settled() and self.left() >= 0.5:
                left = self.left()
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
        finally:
            child.close()

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
            if not stopping and self.settled():
                child.conn.send(None)
                stopping = True
        return None, stopping

    # -- without MaxSAT ---------------------------------------------------------

    def local(self, own: dict[int, int], total: float) -> None:
        """A short full CP-SAT solve (settles small cases), "everyone at their own
        minimum" with CP-SAT (on the second core with two workers), the annealing."""
        search = self.search
        if not self.settled():
            search.full_solve(min(total * 0.1, self.left()), 1)
        if self.settled() or self.left() <= 1.0 or not own:
            self.anneal_rounds()
            return
        if self.workers >= 2:
            capped = threading.Thread(target=self._capped_then_chain, args=(own,), daemon=True)
            self.chain = capped
            capped.start()
        else:
            search.capped_solve(self.left() * 0.3, own)
        self.anneal_rounds()

    def _capped_then_chain(self, own: dict[int, int]) -> None:
        self.search.capped_solve(min(self.left(), self.left() * 0.35 + 1.0), own, workers=1)
        if not self.settled() and self.left() >= 2.0:
            self.second_chain()


def fewest_holes(search: CompactSearch, total: float, phase1_end: float, num_workers: int) -> bool:
    """The portfolio on idle gaps until `phase1_end`; False when no placement came."""
    data = search.data
    folio = _Portfolio(search, phase1_end, num_workers)
    # a MaxSAT child needs a second or more to start and prove anything; on a shorter
    # search its start-up would only take the CPU the first placement needs
    with_maxsat = total >= MAXSAT_MIN_SECONDS and maxsat.applicable(data)
    if with_maxsat:
        folio.spawn(2)
    try:
        own = participant_bounds(data, time.monotonic() + total * OWN_BOUNDS_SHARE, search.stop)
        search.raise_bound(sum(own.values()))
        folio.own = [own.get(p, 0) for p in range(len(data.pids))]
        folio.caps = [o + MAXSAT_CAP_ABOVE_OWN for o in folio.own]
        if not _first_placement(search, folio):
            return False
        if with_maxsat:
            folio.exact()
        else:
            folio.local(own, total)
        return True
    finally:
        search.halt.set()
        folio.close_runs()
        if folio.holes_sat is not None:
            folio.holes_sat.close()
        if folio.chain is not None:
            folio.chain.join()
        search.halt.clear()


def _first_placement(search: CompactSearch, folio: _Portfolio) -> bool:
    """A placement to start from, unless `start` gave one: CP-SAT's first solution."""
    while search.assign is None and not search.proven_infeasible and not search.halted() \
            and folio.left() > 0:
        search.full_solve(folio.left(), 1, first=True)
    return search.assign is not None
