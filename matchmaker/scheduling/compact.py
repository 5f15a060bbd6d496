"""Place a fixed set of meetings into slots and tables with the fewest idle gaps.

`compact()` is the second phase of scheduling: every given meeting must be placed
(all hard rules of the `matchmaker-instance/1` contract hold), and among those
schedules it minimises, lexicographically,

1. idle gaps ("holes": a maximal run of free slots of a participant between two of
   its meetings on the same day),
2. idle slots (the free slots inside those gaps),
3. table changes (a participant moving to another table between two consecutive
   meetings), and
4. meetings moved from their `previous` placement.

How it works, and why:

- Pooled tables (those nobody owns) are interchangeable, so the searches only
  choose a slot per meeting, with a per-slot capacity on the pool and capacity 1
  per stand; concrete pooled tables are assigned afterwards, slot by slot,
  keeping participants at the table they already sit at (`placement.py`).
  Table changes are therefore optimised only in that greedy step.
- Phase 1 (idle gaps) is a portfolio (`portfolio.py`): per-participant bounds
  (`own_bounds.py`), core-guided MaxSAT (`maxsat.py`) in spawned children, a
  short CP-SAT solve of the full model (`holes_model.py`) and simulated
  annealing over Kempe chains (`anneal.py`); see there for why.
- Phase 2 (idle slots, then moves from `previous`) holds holes at their best and
  runs CP-SAT large-neighbourhood search (`compact_search.py`,
  `neighbourhoods.py`): sub-models free the meetings of a few participants or
  slots and fix the rest; now and then a day's slots are reordered as columns
  (`permute.py`).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from . import maxsat
from .budget import StopSignal, stopped
from .compact_search import CompactSearch
from .meetingset import Infeasible, MeetingSet, default_day_key
from .own_bounds import participant_bounds
from .placement import assign_tables, from_start, score, table_changes
from .portfolio import fewest_holes
from .problem import Problem, Slot


@dataclass
class CompactResult:
    """Outcome of `compact()`.

    `status` is "optimal" when no valid placement of the meetings has a better
    (idle gaps, idle slots, moved-from-previous) value, table changes excepted
    (they are optimised greedily), "feasible" when a placement was found
    without that proof, "infeasible" when none exists and "unknown" when none
    was found in time. `lower_bound` is a proven lower bound on idle gaps.
    """

    placements: dict[str, tuple[str, str]]
    status: str
    idle_gaps: int
    idle_slots: int
    lower_bound: int
    table_changes: int
    moved_from_previous: int = 0
    solve_seconds: float = 0.0
    reason: str = ""
    stats: dict = field(default_factory=dict)


def compact(
    problem: Problem,
    meeting_ids: Iterable[str],
    *,
    start: dict[str, tuple[str, str]] | None = None,
    time_limit_s: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    stop: StopSignal | None = None,
    day_key: Callable[[Slot], Hashable] = default_day_key,
    secondary: bool = True,
    on_improve: Callable[[int, int], None] | None = None,
) -> CompactResult:
    """Place every meeting of `meeting_ids`, fewest idle gaps first (see the module doc).

    `start` is a feasible placement (meeting id -> (slot id, table id)) used as the
    first incumbent. `stop` (a `threading.Event` or a callable returning True)
    ends the search early with the best placement so far. `day_key` groups slots
    into days (holes never span two days). With `secondary=False` only idle gaps
    are minimised; idle slots and moves are then just reported. `on_improve` hears
    each better placement's idle gaps and the lower bound proven so far.
    """
    t0 = time.monotonic()
    deadline = t0 + max(0.1, time_limit_s)
    try:
        data = MeetingSet(problem, meeting_ids, day_key)
    except Infeasible as exc:
        return CompactResult({}, "infeasible", 0, 0, 0, 0, reason=str(exc),
                             solve_seconds=time.monotonic() - t0)
    if data.n == 0:
        return CompactResult({}, "optimal", 0, 0, 0, 0, solve_seconds=time.monotonic() - t0)
    search = CompactSearch(data, num_workers=num_workers, seed=seed, stop=stop)
    search.on_improve = on_improve
    if start is not None:
        assign, choice = from_start(data, start)
        if assign is not None:
            search.accept(assign, choice, 1)
    total = deadline - time.monotonic()
    phase1_end = time.monotonic() + (total * 0.75 if secondary else total)
    if not fewest_holes(search, total, phase1_end, num_workers):
        status = "infeasible" if search.proven_infeasible else "unknown"
        reason = "no placement obeys every hard rule" if search.proven_infeasible else "no placement found in time"
        return CompactResult({}, status, 0, 0, 0, 0, reason=reason, solve_seconds=time.monotonic() - t0)
    assert search.score is not None
    holes_optimal = search.score[0] <= search.lb_holes
    search.holes_cap = search.score[0]
    secondary_optimal = not secondary
    # 4. idle slots and moves, holes held at their best
    if secondary and not stopped(stop) and time.monotonic() < deadline - 0.05:
        remaining = deadline - time.monotonic()
        search.full_solve(remaining * 0.2, 2)
        search.lns(deadline - remaining * 0.25, 2)
        if not search.done(2) and not stopped(stop) and time.monotonic() < deadline - 0.05:
            search.full_solve(deadline - time.monotonic(), 2)
        secondary_optimal = search.done(2) and holes_optimal
    return _result(search, "optimal" if holes_optimal and secondary_optimal else "feasible", t0)


def _result(search: CompactSearch, status: str, t0: float) -> CompactResult:
    data = search.data
    assign, choice = search.assign, search.choice
    assert assign is not None
    tables = assign_tables(data, assign, choice)
    holes, idle, _ = score(data, assign)
    placements = {data.meetings[k].id: (data.slots[assign[k]].id, tables[k]) for k in range(data.n)}
    moved = sum(
        1 for m in data.meetings
        if m.previous is not None and (placements[m.id][0] != m.previous.slot or (
            m.previous.table is not None and placements[m.id][1] != m.previous.table))
    )
    return CompactResult(
        placements=placements,
        status=status,
        idle_gaps=holes,
        idle_slots=idle,
        lower_bound=min(search.lb_holes, holes),
        table_changes=table_changes(data, assign, tables),
        moved_from_previous=moved,
        solve_seconds=time.monotonic() - t0,
        stats={"lns_iterations": search.iterations, "improvements": search.improvements,
               "second_chain_rounds": search.chain_rounds, "trace": search.trace},
    )


def gaps_lower_bound(problem: Problem, meeting_ids: Iterable[str], *, seconds: float = 1.0,
                     day_key: Callable[[Slot], Hashable] = default_day_key) -> int:
    """A proven lower bound on the idle gaps of any valid placement of these meetings:
    the sum over participants of the fewest holes each could have on its own
    (participants not reached within `seconds` count 0)."""
    try:
        data = MeetingSet(problem, meeting_ids, day_key)
    except Infeasible:
        return 0
    return sum(participant_bounds(data, time.monotonic() + seconds, None).values())


def fits_exact_search(problem: Problem, meeting_ids: Iterable[str],
                      day_key: Callable[[Slot], Hashable] = default_day_key) -> bool:
    """Whether these meetings are few enough for the MaxSAT encoding."""
    try:
        return maxsat.applicable(MeetingSet(problem, meeting_ids, day_key))
    except Infeasible:
        return False
