"""The CP-SAT model of a hole search: a slot per free meeting, the others held.

Pooled tables (those nobody owns) are interchangeable, so the model only chooses
a slot per meeting, with a per-slot capacity on the pool and capacity 1 per
stand; concrete tables are assigned afterwards (`placement.assign_tables`).
Idle gaps are counted per participant and day as the number of runs of meetings
minus one; idle slots as the slots between the first and last meeting of a day
that hold none.
"""
from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from typing import Final, TypeAlias

from ortools.sat.python import cp_model

from .meetingset import MeetingSet
from .placement import bits_of, occupancy


class _Held(enum.Enum):
    ONE = 1


_ONE: Final = _Held.ONE  # a participant's slot taken by a meeting held in place
# a participant's slot: held in place, or the literal of the meetings that may take it
_Cell: TypeAlias = "cp_model.IntVar | _Held"
_Row: TypeAlias = "dict[int, _Cell]"


class HolesModel:
    """CP-SAT model over the `free` meetings, the others held where `assign` puts them.

    With every meeting free it is the full model. x[k][s] chooses a slot per free
    meeting; participant occupancy, run starts (holes = runs - 1 per day) and,
    when asked, first/last-meeting markers for idle slots are built only for the
    participants the free meetings touch; the rest of the schedule is constant.
    `ok` is False when some free meeting has no slot left (nothing else is built).
    """

    def __init__(self, data: MeetingSet, assign: list[int] | None, choice: dict[int, str],
                 free: Iterable[int] | None, *, idle: bool, windows: bool = True) -> None:
        self.data = data
        self.ok = True
        self.model = cp_model.CpModel()
        free_set = set(range(data.n)) if free is None else set(free)
        self.free = sorted(free_set)
        busy, pool_load, stand_taken = self._held(assign, choice, free_set)
        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        self.w: dict[tuple[int, int, str], cp_model.IntVar] = {}
        if not self._slot_vars(busy, pool_load, stand_taken):
            self.ok = False
            return
        self.parts = sorted({p for k in self.free for p in data.mparts[k]})
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        self.row = {p: self._cells(p, busy[p]) for p in self.parts}
        self.starts: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.has: list[tuple[cp_model.IntVar, int, int]] = []
        self.windows: list[tuple[cp_model.IntVar, int, list[int]]] = []
        self.p_holes: dict[int, tuple[list, int]] = {}
        terms: list = []
        const = 0
        for p in self.parts:
            pterms, pconst = self.p_holes[p] = self._holes_of(p, windows)
            terms.extend(pterms)
            const += pconst
        self.holes = sum(terms) + const
        self.before: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.after: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.inside: list[tuple[cp_model.IntVar, int, int, int]] = []
        self.idle: cp_model.LinearExpr | int = self._idle_slots() if idle else 0
        self.moved = sum(self._moved_terms())

    def _held(self, assign: list[int] | None, choice: dict[int, str], free: set[int]
              ) -> tuple[list[set[int]], dict[int, int], set[tuple[str, int]]]:
        """Busy slots per participant, pool load per slot and stands taken by the held meetings."""
        data = self.data
        busy: list[set[int]] = [set() for _ in data.pids]
        pool_load: dict[int, int] = defaultdict(int)
        stand_taken: set[tuple[str, int]] = set()
        for k in range(data.n):
            if k in free:
                continue
            assert assign is not None
            s = assign[k]
            for p in data.mparts[k]:
                busy[p].add(s)
            cands = data.tables[k]
            if not cands:
                pool_load[s] += 1
            else:
                stand_taken.add((choice.get(k, cands[0]), s))
        return busy, pool_load, stand_taken

    def _slot_vars(self, busy: list[set[int]], pool_load: dict[int, int],
                   stand_taken: set[tuple[str, int]]) -> bool:
        """x (and the stand choice w) of every free meeting, with the table capacities;
        False when a free meeting has no slot left."""
        data, m = self.data, self.model
        cap = len(data.pool)
        uses: dict[tuple[str, int], list] = defaultdict(list)
        pool_use: dict[int, list] = defaultdict(list)
        for k in self.free:
            a, b = data.mparts[k]
            cands = data.tables[k]
            xs: dict[int, cp_model.IntVar] = {}
            for s in data.allowed[k]:
                if s in busy[a] or s in busy[b]:
                    continue
                if not cands and pool_load[s] >= cap:
                    continue
                open_tables = [t for t in cands if (t, s) not in stand_taken]
                if cands and not open_tables:
                    continue
                v = xs[s] = m.new_bool_var(f"x{k}_{s}")
                if not cands:
                    pool_use[s].append(v)
                elif len(cands) == 1:
                    uses[(cands[0], s)].append(v)
                else:
                    ws = []
                    for t in open_tables:
                        wv = self.w[(k, s, t)] = m.new_bool_var(f"w{k}_{s}_{t}")
                        uses[(t, s)].append(wv)
                        ws.append(wv)
                    m.add(sum(ws) == v)
            if not xs:
                return False
            m.add_exactly_one(xs.values())
            self.x[k] = xs
        for vs in uses.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
        for s, vs in pool_use.items():
            if len(vs) > cap - pool_load[s]:
                m.add(sum(vs) <= cap - pool_load[s])
        return True

    def _cells(self, p: int, busy: set[int]) -> _Row:
        """Participant p's occupancy: 1 (held meeting), a literal, or absent (0)."""
        at: dict[int, list] = defaultdict(list)
        for k in self.data.by_part[p]:
            for s, v in self.x.get(k, {}).items():
                at[s].append(v)
        row: _Row = {s: _ONE for s in busy}
        for s, vs in at.items():
            if len(vs) == 1:
                row[s] = vs[0]
            else:
                yv = self.y[(p, s)] = self.model.new_bool_var(f"y{p}_{s}")
                self.model.add(sum(vs) == yv)
                row[s] = yv
        return row

    def _holes_of(self, p: int, windows: bool) -> tuple[list, int]:
        """Participant p's holes as terms plus a constant: starts of runs minus days met."""
        data, m, row = self.data, self.model, self.row[p]
        days_used = sorted({data.day_of[s] for s in row})
        single_day = len(days_used) == 1
        pterms: list = []
        pconst = 0
        for d in days_used:
            pconst += self._run_starts(p, d, pterms)
            if single_day or any(row.get(s) is _ONE for s in data.days[d]):
                pconst -= 1
            else:
                hv = m.new_bool_var(f"has{p}_{d}")
                m.add_max_equality(hv, [cell for s in data.days[d]
                                        if (cell := row.get(s)) is not None and cell is not _ONE])
                self.has.append((hv, p, d))
                pterms.append(-hv)
        if single_day and windows:
            self._windows(p, row, data.days[days_used[0]], pterms, pconst)
        return pterms, pconst

    def _run_starts(self, p: int, d: int, pterms: list) -> int:
        """Appends to `pterms` the literals of p's runs of meetings starting on day d;
        returns the runs that start at a held meeting."""
        m, row = self.model, self.row[p]
        const = 0
        prev: _Cell | None = None
        prev_s = -1
        for s in self.data.days[d]:
            cur = row.get(s)
            if cur is _ONE:
                if prev is None:
                    const += 1
                elif prev is not _ONE:
                    pterms.append(prev.Not())
            elif cur is not None:
                if prev is None:
                    pterms.append(cur)
                elif prev is not _ONE:
                    st = m.new_bool_var(f"st{p}_{s}")
                    m.add(st >= cur - prev)
                    m.add_implication(st, cur)
                    m.add_implication(st, prev.Not())
                    self.starts.append((st, p, s, prev_s))
                    pterms.append(st)
            prev, prev_s = cur, s
        return const

    def _windows(self, p: int, row: _Row, day: list[int], pterms: list, pconst: int) -> None:
        """Redundant structure for a participant meeting on one day only.

        With no hole, its n meetings fill one window of n consecutive slots: one
        Boolean per feasible window, at most one true, implying the window's
        slots; no window true means at least one hole. Choosing a window fixes
        the participant's whole row, which propagates far better than run
        starts alone.
        """
        m = self.model
        n = len(self.data.by_part[p])
        lits = [v for v in row.values() if v is not _ONE]
        held = sum(1 for v in row.values() if v is _ONE)
        if lits:
            m.add(sum(lits) == n - held)
        us = []
        for b in range(len(day) - n + 1):
            win = day[b:b + n]
            if any(row.get(s) is None for s in win):
                continue
            inside = set(win)
            if any(v is _ONE and s not in inside for s, v in row.items()):
                continue
            u = m.new_bool_var(f"u{p}_{b}")
            for s in win:
                cell = row[s]
                if cell is not _ONE:
                    m.add_implication(u, cell)
            self.windows.append((u, p, win))
            us.append(u)
        if len(us) > 1:
            m.add_at_most_one(us)
        # holes of p >= 1 - (a window is used)
        m.add(sum(pterms) + pconst >= 1 - sum(us))

    def _idle_slots(self) -> cp_model.LinearExpr:
        """Idle slots: slots between a participant's first and last meeting of a day."""
        data = self.data
        iterms: list = []
        iconst = 0
        for p in self.parts:
            iconst -= len(data.by_part[p])
            for d in sorted({data.day_of[s] for s in self.row[p]}):
                iconst += self._day_span(p, d, iterms)
        return sum(iterms) + iconst

    def _day_span(self, p: int, d: int, iterms: list) -> int:
        """Appends to `iterms` the literals of "p is inside its span of day d" at each
        slot; returns the slots certainly inside (between two held meetings)."""
        m, row = self.model, self.row[p]
        day = self.data.days[d]
        idx = [i for i, s in enumerate(day) if s in row]
        lo, hi = idx[0], idx[-1]
        bef = self._reach(p, d, range(lo, hi + 1), -1, self.before)
        aft = self._reach(p, d, range(hi, lo - 1, -1), 1, self.after)
        const = 0
        for i in range(lo, hi + 1):
            bi, ai = bef[i], aft[i]
            if bi is _ONE and ai is _ONE:
                const += 1
            elif bi is _ONE:
                iterms.append(ai)
            elif ai is _ONE:
                iterms.append(bi)
            else:
                iv = m.new_bool_var(f"in{p}_{day[i]}")
                m.add(iv >= bi + ai - 1)
                self.inside.append((iv, p, d, i))
                iterms.append(iv)
        return const

    def _reach(self, p: int, d: int, order: range, step: int,
               out: list[tuple[cp_model.IntVar, int, int, int]]) -> dict[int, _Cell]:
        """At each day position in `order`: p has met at it or at one before it in that
        order (`step` -1: earlier slots, "before"; 1: later slots, "after")."""
        m, row = self.model, self.row[p]
        day = self.data.days[d]
        name = "bf" if step < 0 else "af"
        marks: dict[int, _Cell] = {}
        for i in order:
            cur = row.get(day[i])
            prior = marks.get(i + step)
            if cur is _ONE or prior is _ONE:
                marks[i] = _ONE
                continue
            v = m.new_bool_var(f"{name}{p}_{day[i]}")
            if cur is not None:
                m.add_implication(cur, v)
            if prior is not None:
                m.add_implication(prior, v)
            marks[i] = v
            out.append((v, p, d, i))
        return marks

    def _moved_terms(self) -> list:
        """Meetings away from their previous slot (tables are assigned afterwards)."""
        data = self.data
        terms: list = []
        for k in self.free:
            if data.meetings[k].previous is None:
                continue
            ps = data.prev_slot[k]
            if ps is not None and ps in self.x[k]:
                terms.append(self.x[k][ps].Not())
            else:
                terms.append(1)
        return terms

    def values(self, assign: list[int], choice: dict[int, str]) -> dict[int, int]:
        """Every variable's value for a placement: a complete hint."""
        data = self.data
        bits = bits_of(data)
        occ = occupancy(data, assign, bits)
        vals: dict[int, int] = {}
        for k, xs in self.x.items():
            for s, v in xs.items():
                vals[v.index] = int(assign[k] == s)
        for (k, s, t), v in self.w.items():
            vals[v.index] = int(assign[k] == s and choice.get(k) == t)
        for (p, s), v in self.y.items():
            vals[v.index] = int(occ.busy(p, s))
        for v, p, s, prev in self.starts:
            vals[v.index] = int(occ.busy(p, s) and not occ.busy(p, prev))
        for v, p, d in self.has:
            vals[v.index] = int(bool(occ.mask.get(p, 0) & bits.day_masks[d]))
        for v, p, win in self.windows:
            vals[v.index] = int(occ.mask.get(p, 0) == bits.mask(win))
        span = {(p, d): got for p in self.parts for d in range(len(data.days))
                if (got := bits.span(occ.mask.get(p, 0), d)) is not None}
        for v, p, d, i in self.before:
            vals[v.index] = int((p, d) in span and span[(p, d)][0] <= i)
        for v, p, d, i in self.after:
            vals[v.index] = int((p, d) in span and span[(p, d)][1] >= i)
        for v, p, d, i in self.inside:
            vals[v.index] = int((p, d) in span and span[(p, d)][0] <= i <= span[(p, d)][1])
        return vals

    def set_hint(self, assign: list[int], choice: dict[int, str]) -> None:
        hint = self.model.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        vals = self.values(assign, choice)
        hint.vars.extend(vals.keys())
        hint.values.extend(vals.values())

    def read(self, solver: cp_model.CpSolver, assign: list[int], choice: dict[int, str]) -> None:
        """The solution into `assign` and `choice` (free meetings only)."""
        for k, xs in self.x.items():
            for s, v in xs.items():
                if solver.boolean_value(v):
                    assign[k] = s
                    break
            cands = self.data.tables[k]
            if len(cands) > 1:
                for t in cands:
                    wv = self.w.get((k, assign[k], t))
                    if wv is not None and solver.boolean_value(wv):
                        choice[k] = t


def run_starts(model: cp_model.CpModel, ys: list) -> list:
    """Literals of the runs of meetings a participant starts over one day's positions:
    `ys` holds, per position, the literal or expression of "meets there", or an int
    where no meeting can be (which ends a run). Their count minus one, when positive,
    is the day's holes."""
    out: list = []
    prev = None
    for yv in ys:
        if isinstance(yv, int):
            prev = None
            continue
        if prev is None:
            out.append(yv)
        else:
            st = model.new_bool_var("")
            model.add(st >= yv - prev)
            out.append(st)
        prev = yv
    return out
