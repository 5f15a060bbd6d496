"""Simulated annealing of a placement's slots over Kempe-chain moves.

The meetings of two slots s1 and s2 form paths and cycles (a participant has at
most one meeting per slot); exchanging s1 and s2 on one such component keeps
everyone at one meeting per slot, so only the pool's and stands' capacities and
availabilities need checking. Moving one meeting to a slot where both its
participants are free is the component of size one. A rarer move shifts one
slot's meetings, all together, elsewhere in their day (a rotation of columns).

Cost: idle gaps, plus a small weight on idle slots as a gradient towards compact
days. Half the moves start from a participant with a gap, and half of those
send the meeting into or next to that participant's span of the day. A move is
scored on the new busy masks (`gaps.py`) before anything changes, so a refused
move (most of them) costs no undo.

No OR-Tools here: the second annealing chain runs in a child process that
imports this module.
"""
from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from .budget import StopSignal, stopped
from .meetingset import MeetingSet
from .placement import bits_of, occupancy

# a Kempe component larger than this is not tried
MAX_COMPONENT = 40

_Move = tuple[list[int], dict[int, int]]


class _Walk:
    """The annealing's current placement, with the look-ups a move needs and the best seen."""

    def __init__(self, data: MeetingSet, assign: list[int], choice: dict[int, str],
                 idle_weight: float) -> None:
        n_slots, n_people = len(data.slots), len(data.pids)
        self.data, self.n, self.mparts = data, data.n, data.mparts
        self.idle_weight = idle_weight
        self.at = [[-1] * n_slots for _ in range(n_people)]
        for k, s in enumerate(assign):
            a, b = data.mparts[k]
            self.at[a][s] = k
            self.at[b][s] = k
        self.allowed = [set(a) for a in data.allowed]
        self.cap = len(data.pool)
        self.pool_load = [0] * n_slots
        self.stand: dict[tuple[str, int], int] = {}
        self.table_of: list[str | None] = []
        for k, s in enumerate(assign):
            cands = data.tables[k]
            t = None if not cands else (cands[0] if len(cands) == 1 else choice[k])
            self.table_of.append(t)
            if t is None:
                self.pool_load[s] += 1
            else:
                self.stand[(t, s)] = k
        self.stands = any(t is not None for t in self.table_of)
        self.bits = bits_of(data)
        # the shared occupancy (`gaps.Agendas`); every participant has a meeting, so a mask
        busy = occupancy(data, assign, self.bits).mask
        self.mask = [busy[p] for p in range(n_people)]
        self.bit, self.gaps = self.bits.bit, self.bits.gaps
        self.ph = [self.gaps(m) for m in self.mask]
        self.holey = {p for p in range(n_people) if self.ph[p][0]}
        self.holes = sum(h for h, _ in self.ph)
        self.idle = sum(i for _, i in self.ph)
        self.cur = list(assign)
        self.best = list(self.cur)
        self.best_key = (self.holes, self.idle)

    def reached(self, target: int) -> bool:
        holes, idle = self.best_key
        return holes <= target and (target > 0 or idle == 0)

    # -- proposing a move ---------------------------------------------------

    def column_move(self, rand: Callable[[], float]) -> _Move | None:
        """One slot's meetings, all together, to another position in its day."""
        days = self.data.days
        day = days[int(rand() * len(days))]
        if len(day) < 2:
            return None
        i1 = int(rand() * len(day))
        i2 = int(rand() * len(day))
        if i1 == i2:
            return None
        if i1 < i2:
            new_order = day[i1 + 1:i2 + 1] + [day[i1]]
            span_slots = day[i1:i2 + 1]
        else:
            new_order = [day[i1]] + day[i2:i1]
            span_slots = day[i2:i1 + 1]
        # the column now at span_slots[j] comes from new_order[j]
        moves = {src: dst for dst, src in zip(span_slots, new_order) if dst != src}
        cur, allowed = self.cur, self.allowed
        group = [e for e in range(self.n) if cur[e] in moves]
        if any(moves[cur[e]] not in allowed[e] for e in group):
            return None
        return group, {e: moves[cur[e]] for e in group}

    def focused(self, rng: random.Random) -> tuple[int, list[int]]:
        """A meeting of a participant with a gap; half of the time only the slots in or
        next to that participant's span of the day."""
        rand = rng.random
        p = rng.choice(tuple(self.holey))
        ks = self.data.by_part[p]
        k = ks[int(rand() * len(ks))]
        opts = self.data.allowed[k]
        if rand() < 0.5:
            bits = self.bits
            m = self.mask[p] & bits.day_masks[bits.day_of[self.cur[k]]]
            lo = (m & -m) >> 1
            hi = 1 << m.bit_length()
            row, bit = self.at[p], bits.bit
            near = [s for s in opts if row[s] < 0 and lo <= bit[s] <= hi]
            if near:
                opts = near
        return k, opts

    def component(self, k: int, s1: int, s2: int) -> _Move | None:
        """The Kempe component of meeting k in slots s1/s2, each meeting sent to the other
        slot; None when a meeting may not go there, the component is too large or a
        table capacity would break."""
        comp = [k]
        dest = {k: s2}
        d1 = 0  # pooled meetings gained by s1
        allowed, table_of, at, cur, mparts = self.allowed, self.table_of, self.at, self.cur, self.mparts
        i = 0
        while i < len(comp):
            e = comp[i]
            i += 1
            other = dest[e]
            if other not in allowed[e]:
                return None
            if table_of[e] is None:
                d1 += 1 if other == s1 else -1
            back_to = cur[e]
            for p in mparts[e]:
                f = at[p][other]
                if f >= 0 and f not in dest:
                    dest[f] = back_to
                    comp.append(f)
            if len(comp) > MAX_COMPONENT:
                return None
        if self.pool_load[s1] + d1 > self.cap or self.pool_load[s2] - d1 > self.cap:
            return None
        stand = self.stand
        if self.stands and any((t := table_of[e]) is not None and stand.get((t, dest[e]), e) not in dest
                               for e in comp):
            return None
        return comp, dest

    # -- taking it ----------------------------------------------------------

    def attempt(self, group: list[int], dest: dict[int, int], temp: float,
                rand: Callable[[], float]) -> None:
        """Move every meeting e of `group` to slot dest[e]; keep it by the Metropolis rule."""
        mask, bit, mparts, cur = self.mask, self.bit, self.mparts, self.cur
        new_mask: dict[int, int] = {}
        for e in group:
            b = bit[cur[e]]
            for p in mparts[e]:
                new_mask[p] = new_mask.get(p, mask[p]) & ~b
        for e in group:
            b = bit[dest[e]]
            for p in mparts[e]:
                new_mask[p] |= b
        dh = di = 0
        new = {}
        gaps, ph = self.gaps, self.ph
        for p, m in new_mask.items():
            v = new[p] = gaps(m)
            old = ph[p]
            dh += v[0] - old[0]
            di += v[1] - old[1]
        delta = dh + self.idle_weight * di
        if delta > 0 and rand() >= math.exp(-delta / temp):
            return
        self._apply(group, dest, new, dh, di)

    def _apply(self, group: list[int], dest: dict[int, int], new: dict[int, tuple[int, int]],
               dh: int, di: int) -> None:
        cur, at, mask, bit = self.cur, self.at, self.mask, self.bit
        back = {e: cur[e] for e in group}
        for e in group:
            s = cur[e]
            for p in self.mparts[e]:
                if at[p][s] == e:
                    at[p][s] = -1
                    mask[p] &= ~bit[s]
        for e in group:
            s = cur[e] = dest[e]
            for p in self.mparts[e]:
                at[p][s] = e
                mask[p] |= bit[s]
        for p, v in new.items():
            self.ph[p] = v
            if v[0]:
                self.holey.add(p)
            else:
                self.holey.discard(p)
        self.holes += dh
        self.idle += di
        self._move_tables(group, back)
        if (self.holes, self.idle) < self.best_key:
            self.best_key = (self.holes, self.idle)
            self.best = list(cur)

    def _move_tables(self, group: list[int], back: dict[int, int]) -> None:
        cur, stand = self.cur, self.stand
        for e in group:
            t = self.table_of[e]
            if t is None:
                self.pool_load[back[e]] -= 1
                self.pool_load[cur[e]] += 1
            elif stand.get((t, back[e])) == e:
                del stand[(t, back[e])]
        for e in group:
            t = self.table_of[e]
            if t is not None:
                stand[(t, cur[e])] = e


def anneal(data: MeetingSet, assign: list[int], choice: dict[int, str], until: float,
           rng: random.Random, stop: StopSignal | None, idle_weight: float = 0.1,
           focus: float = 0.0, t_hi: float = 0.6, t_lo: float = 0.03, column: float = 0.0,
           target: int = 0) -> list[int]:
    """The best placement seen (by idle gaps, then idle slots) until `until`, `stop`,
    or `target` gaps (with `target` 0: no idle slot either). The temperature falls
    geometrically from `t_hi` to `t_lo` over the time given; `column` is the share
    of whole-slot moves."""
    walk = _Walk(data, assign, choice, idle_weight)
    rand = rng.random
    n, allowed, cur, holey = data.n, data.allowed, walk.cur, walk.holey
    component, attempt = walk.component, walk.attempt
    t_start = time.monotonic()
    span = max(1e-3, until - t_start)
    temp = t_hi
    it = 0
    while True:
        it += 1
        if it & 255 == 0:
            now = time.monotonic()
            if now >= until or stopped(stop) or walk.reached(target):
                break
            temp = t_hi * (t_lo / t_hi) ** ((now - t_start) / span)
        if column and rand() < column:
            move = walk.column_move(rand)
        else:
            # a meeting (focused on gaps with probability `focus`), another of its slots,
            # and the Kempe component that exchanging the two slots drags along
            k = int(rand() * n)
            opts = allowed[k]
            if focus and holey and rand() < focus:
                k, opts = walk.focused(rng)
            s1 = cur[k]
            if len(opts) < 2 and opts[0] == s1:
                continue
            s2 = opts[int(rand() * len(opts))]
            if s2 == s1:
                continue
            move = component(k, s1, s2)
        if move is not None:
            attempt(move[0], move[1], temp, rand)
    return walk.best


def anneal_child(conn: Connection, data: MeetingSet, seed: int) -> None:
    """A second annealing chain in its own process: rounds on request until told to stop.

    A request is (placement, stand choices, seconds, hot, target gaps); the answer is
    the round's best placement."""
    rng = random.Random(seed)
    while True:
        msg = conn.recv()
        if msg is None:
            return
        assign, choice, seconds, hot, target = msg
        best = anneal(data, assign, choice, time.monotonic() + seconds, rng, conn.poll,
                      focus=0.5, t_hi=0.6 if hot else 0.3, column=0.02, target=target)
        conn.send(best)
