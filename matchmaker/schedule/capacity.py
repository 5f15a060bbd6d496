"""The capacity planner: how many more pooled tables or slots would schedule the accepted
requests, said in words for the organiser. Works on a solver problem alone."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

from flask_babel import gettext as _, ngettext

from ..scheduling import Problem
from ..scheduling import Slot as SolverSlot
from ..scheduling import Table as SolverTable
from ..scheduling.domains import Domains
from ..scheduling.fcfs import fcfs_placements


@dataclass(frozen=True)
class CapacityAdvice:
    """How much more room the event needs to schedule the accepted requests."""

    requested: int
    schedulable_now: int  # what a quick greedy schedule places with today's frame
    person_limited: int  # requests beyond a participant's meeting limit or free slots
    tables_needed: int | None  # more pooled tables after which more tables add nothing
    tables_gain: int  # requests those tables let the greedy place on top of today's
    tables_lower_bound: int  # no fewer extra pooled tables can place every pooled meeting
    slots_needed: int | None  # more slots (open to everyone), likewise
    slots_gain: int
    sentences: tuple[str, ...] = ()


def _with_extra_tables(problem: Problem, k: int) -> Problem:
    extra = tuple(SolverTable(id=f"EXTRA{i + 1}") for i in range(k))
    return replace(problem, tables=problem.tables + extra)


def _with_extra_slots(problem: Problem, k: int) -> Problem:
    """k more slots after the last one, open to everyone (availability lists extended)."""
    if not problem.slots:
        return problem
    last = problem.slots[-1]
    length = last.end - last.start
    new = tuple(SolverSlot(id=f"EXTRA{i + 1}", start=last.end + length * i,
                           end=last.end + length * (i + 1)) for i in range(k))
    ids = frozenset(s.id for s in new)
    participants = tuple(replace(p, available=p.available | ids) if p.available is not None
                         else p for p in problem.participants)
    return replace(problem, slots=problem.slots + new, participants=participants)


def _greedy_count(problem: Problem) -> int:
    try:
        return len(fcfs_placements(problem, sorted(problem.meetings, key=lambda m: -m.priority)))
    except ValueError:  # a pin that no longer fits
        return 0


def _plateau(problem: Problem, grow, limit: int) -> tuple[int | None, int]:
    """(smallest k after which growing adds nothing, what the greedy places then).

    `limit` is where growing cannot help any more (every participant could meet in
    every slot); k is found by bisection, the greedy count being close to monotone.
    None when growing does not help at all.
    """
    now = _greedy_count(problem)
    best = _greedy_count(grow(problem, limit)) if limit > 0 else now
    if best <= now:
        return None, now
    low, high = 0, limit
    while high - low > 1:
        mid = (low + high) // 2
        if _greedy_count(grow(problem, mid)) >= best:
            high = mid
        else:
            low = mid
    return high, best


def plan_capacity(problem: Problem) -> CapacityAdvice:
    """How many more pooled tables or slots would schedule the accepted requests, in words.

    Two arguments: a bound (nobody can have more meetings than free slots or their
    cap, and the pooled meetings need at least ceil(demand / slots) tables), and what
    a fast greedy schedule places with +k tables or +k slots. The greedy answer is an
    estimate from above: the solver often does with less.
    """
    d = Domains(problem)
    requested = len(problem.meetings)
    person_limited = 0
    for pid, mids in d.meetings_of.items():
        room = min(d.cap(pid), sum(1 for s in d.slot_ids if d.available(pid, s)))
        person_limited += max(0, len(mids) - room)
    pooled = [m for m in problem.meetings if d.is_pooled(m)]
    n_slots = max(1, len(problem.slots))
    tables_lower = max(0, math.ceil(len(pooled) / n_slots) - len(d.pooled))
    forced = Counter(d.allowed_slots(m)[0] for m in pooled if len(d.allowed_slots(m)) == 1)
    if forced:
        tables_lower = max(tables_lower, max(forced.values()) - len(d.pooled))
    now = _greedy_count(problem)
    most_meetings = max((len(mids) for mids in d.meetings_of.values()), default=0)
    tables_needed, with_tables = _plateau(problem, _with_extra_tables,
                                          len(problem.participants) // 2)
    slots_needed, with_slots = _plateau(problem, _with_extra_slots, most_meetings + 2)

    def frame() -> dict[str, str]:
        return {"slots": ngettext("%(num)d slot", "%(num)d slots", len(problem.slots)),
                "tables": ngettext("%(num)d table", "%(num)d tables", len(problem.tables))}

    sentences = []
    if now >= requested:
        sentences.append(_("All %(requested)d accepted requests fit in the present frame "
                           "(%(slots)s, %(tables)s).", requested=requested, **frame()))
    else:
        sentences.append(_("A quick greedy schedule places %(now)d of %(requested)d accepted "
                           "requests with the present %(slots)s and %(tables)s; the solver "
                           "usually does better.", now=now, requested=requested, **frame()))
        if tables_needed is None:
            sentences.append(_("More tables do not help: the people, not the tables, are busy."))
        else:
            low = max(tables_lower, 1)
            numbers = {"gain": with_tables - now, "fit": with_tables, "requested": requested}
            if with_tables == requested and low < tables_needed:
                sentences.append(_(
                    "With between %(low)d and %(high)d more pooled tables, %(gain)d more "
                    "requests fit (%(fit)d of %(requested)d); more tables add nothing after "
                    "that.", low=low, high=tables_needed, **numbers))
            else:
                sentences.append(ngettext(
                    "With %(num)d more pooled table, %(gain)d more requests fit (%(fit)d of "
                    "%(requested)d); more tables add nothing after that.",
                    "With %(num)d more pooled tables, %(gain)d more requests fit (%(fit)d of "
                    "%(requested)d); more tables add nothing after that.",
                    tables_needed, **numbers))
        if slots_needed is not None:
            sentences.append(ngettext(
                "With %(num)d more slot open to everyone, %(gain)d more requests fit "
                "(%(fit)d of %(requested)d).",
                "With %(num)d more slots open to everyone, %(gain)d more requests fit "
                "(%(fit)d of %(requested)d).",
                slots_needed, gain=with_slots - now, fit=with_slots, requested=requested))
        if person_limited:
            sentences.append(ngettext(
                "At least %(num)d request cannot be placed whatever the tables: some "
                "participants have more accepted requests than their meeting limit or their "
                "free slots. Only a higher limit or more slots place them.",
                "At least %(num)d requests cannot be placed whatever the tables: some "
                "participants have more accepted requests than their meeting limit or their "
                "free slots. Only a higher limit or more slots place them.",
                person_limited))
    return CapacityAdvice(requested=requested, schedulable_now=now,
                          person_limited=person_limited, tables_needed=tables_needed,
                          tables_gain=with_tables - now, tables_lower_bound=tables_lower,
                          slots_needed=slots_needed, slots_gain=with_slots - now,
                          sentences=tuple(sentences))
