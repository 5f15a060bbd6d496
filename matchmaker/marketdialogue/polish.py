"""Re-seat each session on its own for balance and spread, its attendance fixed.

Attendance stays as it is, so the interest value does too; each session is a
small model of its own and exact. Sessions already at their lower bounds are
left alone.
"""
from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from . import cpsat
from .greedy import Placement, canonical
from .index import Index
from .measures import is_competitor
from .model import balance_objective, build, extract, hint, seat_count
from .problem import DialogueProblem


def polish(ix: Index, placed: list[Placement], deadline: float, workers: int, seed: int,
           stop: threading.Event) -> tuple[list[Placement], str]:
    """Re-seat each session's attendees over its tables and sides for balance and spread.

    `workers` sessions are solved at a time. Returns the seating and how many
    sessions are proven best.
    """
    by_session: dict[int, list[Placement]] = defaultdict(list)
    for item in placed:
        by_session[item[1]].append(item)
    todo = [s for s in sorted(by_session) if not at_lower_bound(ix, s, by_session[s])]
    done: dict[int, tuple[list[Placement], bool]] = {}
    lock = threading.Lock()
    queue = list(reversed(todo))

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                s = queue.pop()
                share = max(1, (len(queue) + 1 + workers - 1) // workers)
            left = deadline - time.monotonic()
            if stop.is_set() or left < 0.02:
                continue
            done[s] = _polish_session(ix, s, by_session[s], left / share, seed, stop)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(todo))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result: list[Placement] = []
    proven = len(by_session) - len(todo)
    for s, items in by_session.items():
        if s in done:
            result.extend(done[s][0])
            proven += done[s][1]
        else:
            result.extend(items)
    return result, f"{proven}/{len(by_session)} sessions optimal"


def _polish_session(ix: Index, s: int, items: list[Placement], limit: float, seed: int,
                    stop: threading.Event) -> tuple[list[Placement], bool]:
    session = ix.sessions[s]
    group = session.product_group
    back = sorted({p for p, *_ in items})  # sub-problem participant index -> problem index
    sub = DialogueProblem(
        sessions=(replace(session, tables=tuple(replace(t, moderator=None) for t in session.tables)),),
        participants=tuple(replace(ix.people[p], interests={group: ix.people[p].interests[group]}) for p in back),
        rules=ix.problem.rules)
    sub_ix = Index(sub)
    position = {p: i for i, p in enumerate(back)}
    local = [(position[p], 0, t, side) for p, _s, t, side in items]
    m = build(sub_ix)
    mine: dict[int, list] = defaultdict(list)
    for key, var in m.x.items():
        mine[key[0]].append(var)
    for p in range(len(back)):
        m.model.add_exactly_one(mine[p])
    m.model.minimize(balance_objective(m))
    hint(m, canonical(sub_ix, local))
    solver, status = cpsat.run(m.model, limit, 1, seed, stop, None, interest_phase=False)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [(back[p], s, t, side) for p, _s, t, side in extract(m, solver)], status == cp_model.OPTIMAL
    return items, False


def at_lower_bound(ix: Index, s: int, items: list[Placement]) -> bool:
    """Whether side gaps, fill range and competitor pairs of a session cannot get lower."""
    roles = Counter(ix.people[p].role for p, *_ in items)
    sides: dict[int, Counter] = defaultdict(Counter)
    rivals: Counter = Counter()
    for p, _s, t, side in items:
        sides[t][side] += 1
        rivals[t] += is_competitor(ix, p, s)
    gap = sum(abs(c["buyer"] - c["supplier"]) for c in sides.values())
    if gap > max(0, abs(roles["buyer"] - roles["supplier"]) - roles["facilitator"]):
        return False
    fills = [seat_count(ix, (s, t)) - sum(c.values()) for t, c in sides.items()]
    if len(fills) > 1 and max(fills) > min(fills):
        return False
    if len(ix.sessions[s].tables) > 1:
        total, k = sum(rivals.values()), len(sides)
        low, extra = divmod(total, k)
        least = (k - extra) * low * (low - 1) // 2 + extra * (low + 1) * low // 2
        if sum(n * (n - 1) // 2 for n in rivals.values()) > least:
            return False
    return True
