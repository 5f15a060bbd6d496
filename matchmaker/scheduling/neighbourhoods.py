"""Which meetings a CP-SAT neighbourhood search frees, the rest held in place.

Three kinds, drawn at random: the meetings of a participant with holes grown
through its meeting partners; all meetings of a few slots of one day; those of
participants with holes plus random ones.
"""
from __future__ import annotations

import random

from .meetingset import MeetingSet
from .placement import occupancy


def with_gaps(data: MeetingSet, assign: list[int], phase: int) -> list[int]:
    """Participants with an idle gap (phase 1) or an idle slot (phase 2)."""
    occ = occupancy(data, assign)
    which = 0 if phase == 1 else 1
    return [p for p in range(len(data.pids)) if occ.gaps(p)[which] > 0]


def neighbourhood(data: MeetingSet, assign: list[int], rng: random.Random, size: int,
                  phase: int) -> tuple[str, set[int]]:
    """(kind, meetings to free) of about `size` meetings."""
    kind = rng.random()
    if kind < 0.45:
        return "lns-participants", _partners(data, assign, rng, size, phase)
    if kind < 0.8:
        return "lns-slots", _slots(data, assign, rng, size)
    return "lns-random", _holey_and_random(data, assign, rng, size, phase)


def _partners(data: MeetingSet, assign: list[int], rng: random.Random, size: int,
              phase: int) -> set[int]:
    """One participant with holes, grown through its meeting partners."""
    holey = with_gaps(data, assign, phase)
    first = rng.choice(holey) if holey and rng.random() < 0.8 else rng.randrange(len(data.pids))
    chosen = [first]
    seen = {first}
    frontier = [first]
    load = len(data.by_part[first])
    while frontier and load < size:
        p = frontier.pop(rng.randrange(len(frontier)))
        partners = [q for k in data.by_part[p] for q in data.mparts[k] if q != p]
        rng.shuffle(partners)
        for q in partners:
            if q not in seen:
                seen.add(q)
                chosen.append(q)
                frontier.append(q)
                load += len(data.by_part[q])
                if load >= size:
                    break
    free: set[int] = set()
    for p in chosen:
        free.update(data.by_part[p])
    return free


def _slots(data: MeetingSet, assign: list[int], rng: random.Random, size: int) -> set[int]:
    """A few slots of one day, with all their meetings."""
    day = data.days[rng.randrange(len(data.days))]
    per_slot = max(1, data.n // max(1, len(data.slots)))
    want = max(2, min(len(day), round(size / per_slot)))
    if rng.random() < 0.5:
        lo = rng.randrange(max(1, len(day) - want + 1))
        picked = set(day[lo:lo + want])
    else:
        picked = set(rng.sample(day, min(want, len(day))))
    return {k for k, s in enumerate(assign) if s in picked}


def _holey_and_random(data: MeetingSet, assign: list[int], rng: random.Random, size: int,
                      phase: int) -> set[int]:
    """Participants with holes, up to half the size, plus random meetings."""
    holey = with_gaps(data, assign, phase)
    rng.shuffle(holey)
    free: set[int] = set()
    for p in holey:
        if len(free) >= size // 2:
            break
        free.update(data.by_part[p])
    rest = [k for k in range(data.n) if k not in free]
    free.update(rng.sample(rest, min(len(rest), max(0, size - len(free)))))
    return free
