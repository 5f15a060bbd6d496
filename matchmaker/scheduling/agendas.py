"""Phase 2 of `solve()`: the scheduled meetings stay, their agendas get compact.

One of two searches, on the same meetings:

1. the iterated Kempe-chain hole search (`holes.py`): fast on any size, and the
   one that charges moves of published meetings on a re-solve;
2. when every request is scheduled, the model fits and nothing was published
   before (see `exact_applies`), the exact portfolio of `compact.py` from the
   phase-1 schedule, with all the time (it anneals on its own, and MaxSAT needs
   every second): core-guided MaxSAT with per-participant caps, a short CP-SAT
   solve and Kempe-chain annealing. It proves the fewest
   idle gaps of the B2B-forum benchmark instances within seconds where the
   local search levels off a few gaps above.

Beside the schedule comes a proven lower bound on the idle gaps of any valid
placement of the scheduled meetings (per participant, the fewest it could have
alone; MaxSAT's bound where it ran), and the search stops once it is reached.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from .compact import compact, fits_exact_search, gaps_lower_bound
from .domains import Domains
from .gaps import Agendas, DayBits
from .holes import reduce_holes
from .tables import assign_tables

BOUND_SECONDS = 1.0


def idle_gaps(d: Domains, slots: Mapping[str, int]) -> int:
    """Idle gaps of the slot assignment, counted as `check()` counts them."""
    busy = Agendas.of(DayBits(d.days, len(d.slot_ids)),
                      ((p, pos) for mid, pos in slots.items() for p in d.meeting[mid].participants))
    return busy.total()[0]


def exact_applies(d: Domains, ids: list[str], *, deterministic: bool) -> bool:
    """Whether the exact portfolio follows the local search: only when every request
    is scheduled (the meeting set is then the problem's own, as in the B2B-forum
    instances), where MaxSAT fits, not on a re-solve (it does not charge moves)
    and not in a reproducible run. Where meetings compete for slots, the local
    search did better with all the time (200 attendees with stands: 0 idle gaps
    against 136 when the portfolio had 85% of phase 2)."""
    return not deterministic and len(ids) == len(d.problem.meetings) \
        and not any(m.previous is not None for m in d.problem.meetings) \
        and fits_exact_search(d.problem, ids)


def compact_agendas(d: Domains, slots: Mapping[str, int], chosen: Mapping[str, str], *,
                    until: float, seed: int, num_workers: int, max_evals: int | None,
                    stopped: Callable[[], bool], bound_seconds: float = BOUND_SECONDS,
                    on_round: Callable[[int, dict[str, int]], None] | None = None,
                    on_bound: Callable[[int, int], None] | None = None,
                    ) -> tuple[dict[str, int], dict[str, str], int]:
    """The same meetings with fewer idle gaps; returns slots, stand choices and the
    proven lower bound on idle gaps (after the local search, computed in at most
    `bound_seconds`; the exact portfolio proves its own).
    `on_round` hears the hole search's best (cost, slots) after each descent,
    `on_bound` the idle gaps and their bound once the bound is known, then as the
    exact portfolio improves either.
    `max_evals` (a reproducible run) keeps to the local search, whose work is
    counted in moves rather than seconds."""
    ids = list(slots)
    chosen = {mid: t for mid, t in chosen.items() if mid in slots}
    left = until - time.perf_counter()
    if left >= 1.0 and not stopped() and exact_applies(d, ids, deterministic=max_evals is not None):
        return _exact(d, dict(slots), chosen, left, seed=seed, num_workers=num_workers,
                      stopped=stopped, on_bound=on_bound)
    slots = reduce_holes(d, slots, seed=seed, deadline=until, max_evals=max_evals,
                         should_stop=stopped, on_round=on_round)
    gaps = idle_gaps(d, slots)
    bound = gaps_lower_bound(d.problem, ids, seconds=bound_seconds) if gaps else 0
    if on_bound is not None:
        on_bound(gaps, min(bound, gaps))
    return dict(slots), chosen, min(bound, gaps)


def _exact(d: Domains, slots: dict[str, int], chosen: dict[str, str], seconds: float, *,
           seed: int, num_workers: int, stopped: Callable[[], bool],
           on_bound: Callable[[int, int], None] | None,
           ) -> tuple[dict[str, int], dict[str, str], int]:
    """`compact()` from the phase-1 schedule, with all the time; its own bounds and
    MaxSAT's give the proven lower bound."""
    tables = assign_tables(d, slots, chosen)
    start = {mid: (d.slot_ids[pos], tables[mid]) for mid, pos in slots.items()}
    result = compact(d.problem, list(slots), start=start, time_limit_s=seconds,
                     num_workers=num_workers, seed=seed, stop=stopped, secondary=False,
                     on_improve=None if on_bound is None else
                     lambda better, proven: on_bound(better, min(better, proven)))
    gaps = idle_gaps(d, slots)
    if result.placements and result.idle_gaps < gaps:
        slots = {mid: d.slot_pos[slot] for mid, (slot, _) in result.placements.items()}
        chosen = {mid: table for mid, (_, table) in result.placements.items()
                  if len(d.own_tables(d.meeting[mid])) > 1}
        gaps = idle_gaps(d, slots)
    return slots, chosen, min(result.lower_bound, gaps)
