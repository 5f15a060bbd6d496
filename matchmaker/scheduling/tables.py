"""Concrete tables for meetings whose slots are decided.

Pooled tables are interchangeable, so the model only counts them per slot.
Here each slot's pooled meetings get actual tables, slot by slot in time
order: pins first, then a meeting's previous table (on a re-solve), then the
table one of its participants sat at last, then a table nobody will come back
to. That keeps people at one table where it can.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from .domains import Domains


def assign_tables(d: Domains, slots: Mapping[str, int],
                  chosen: Mapping[str, str] | None = None) -> dict[str, str]:
    """Meeting id -> table for every meeting in `slots` (meeting id -> slot position).

    `chosen` gives the table for meetings that may use two stands (decided by the
    model); a meeting with one allowed stand sits there.
    """
    chosen = chosen or {}
    out: dict[str, str] = {}
    pooled_by_slot: dict[int, list[str]] = defaultdict(list)
    for mid, pos in slots.items():
        m = d.meeting[mid]
        own = d.own_tables(m)
        if not own:
            pooled_by_slot[pos].append(mid)
        elif m.fixed is not None and m.fixed.table is not None:
            out[mid] = m.fixed.table
        elif len(own) == 1:
            out[mid] = own[0]
        else:
            out[mid] = chosen.get(mid, own[0])
    remaining: dict[str, int] = defaultdict(int)
    for mid in slots:
        if d.is_pooled(d.meeting[mid]):
            for p in d.meeting[mid].participants:
                remaining[p] += 1
    last_table: dict[str, str] = {}
    last_user: dict[str, set[str]] = defaultdict(set)
    order = {t: i for i, t in enumerate(d.pooled)}
    for pos in sorted(pooled_by_slot):
        mids = sorted(pooled_by_slot[pos], key=lambda mid: (
            -max(remaining[p] for p in d.meeting[mid].participants), mid))
        taken: set[str] = set()
        placed: dict[str, str] = {}
        for mid in mids:
            fixed = d.meeting[mid].fixed
            if fixed is not None and fixed.table is not None:
                placed[mid] = fixed.table
                taken.add(fixed.table)
        for mid in mids:
            prev = d.meeting[mid].previous
            if mid not in placed and prev is not None and prev.table is not None \
                    and d.slot_pos.get(prev.slot) == pos and prev.table in order \
                    and prev.table not in taken:
                placed[mid] = prev.table
                taken.add(prev.table)
        for mid in mids:
            if mid in placed:
                continue
            for p in sorted(d.meeting[mid].participants, key=lambda p: -remaining[p]):
                t = last_table.get(p)
                if t is not None and t not in taken:
                    placed[mid] = t
                    taken.add(t)
                    break
        free = sorted((t for t in d.pooled if t not in taken),
                      key=lambda t: (any(remaining[p] > 0 for p in last_user[t]), order[t]))
        free_iter = iter(free)
        for mid in mids:
            if mid not in placed:
                placed[mid] = next(free_iter)
        for mid, t in placed.items():
            out[mid] = t
            for p in d.meeting[mid].participants:
                remaining[p] -= 1
                if last_table.get(p) is not None:
                    last_user[last_table[p]].discard(p)
                last_table[p] = t
                last_user[t].add(p)
    return out
