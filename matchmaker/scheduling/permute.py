"""Reorder the slots of one day as columns: every meeting of a slot moves together.

Nobody's meetings change slot relative to one another's columns, so the only
question is the order of the day's slots: a small assignment model (column c to
position t) whose objective counts the holes (phase 1) or the idle slots and
moves from `previous` (phase 2) of the participants meeting that day, never
more holes than now.
"""
from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from .holes_model import run_starts
from .meetingset import MeetingSet
from .placement import bits_of, occupancy

_Pi = dict[tuple[int, int], cp_model.IntVar]


class DayPermutation:
    """The model for day `d` of `assign`; `ok` is False when some column cannot move
    anywhere (or the day is too short to be worth it)."""

    def __init__(self, data: MeetingSet, assign: list[int], d: int, *, phase: int,
                 w_idle: int) -> None:
        self.data, self.assign, self.ok = data, assign, False
        day = data.days[d]
        if len(day) < 3:
            return
        self.cols: dict[int, list[int]] = defaultdict(list)
        for k, s in enumerate(assign):
            if data.day_of[s] == d:
                self.cols[s].append(k)
        self.model = m = cp_model.CpModel()
        self.pi: _Pi = {}
        if not self._assignment(day):
            return
        pcols: dict[int, list[int]] = defaultdict(list)
        for c, ks in self.cols.items():
            for k in ks:
                for p in data.mparts[k]:
                    pcols[p].append(c)
        holes: list[cp_model.LinearExpr | int] = []
        idle: list[cp_model.LinearExpr | int] = []
        for cs in pcols.values():
            ys = [sum(terms) if (terms := [self.pi[(c, t)] for c in cs if (c, t) in self.pi]) else 0
                  for t in day]
            holes.extend(run_starts(self.model, ys))
            holes.append(-1)
            if phase == 2:
                idle.extend(self._inside(ys))
        h_expr = sum(holes)
        occ = occupancy(data, assign, bits_of(data))
        m.add(h_expr <= sum(occ.day_gaps(p, d)[0] for p in pcols))
        if phase == 1:
            m.minimize(h_expr)
        else:
            m.minimize(sum(idle) * w_idle + sum(self._moved()))
        for (c, t), v in self.pi.items():
            m.add_hint(v, int(c == t))
        self.ok = True

    def _assignment(self, day: list[int]) -> bool:
        """pi[c, t]: column c goes to position t, where all its meetings may go."""
        m, pi = self.model, self.pi
        allowed_sets = [set(a) for a in self.data.allowed]
        for c in day:
            for t in day:
                if all(t in allowed_sets[k] for k in self.cols.get(c, ())):
                    pi[(c, t)] = m.new_bool_var(f"pi{c}_{t}")
            if not any((c, t) in pi for t in day):
                return False
        for c in day:
            m.add_exactly_one(pi[(c, t)] for t in day if (c, t) in pi)
        for t in day:
            m.add_exactly_one(pi[(c, t)] for c in day if (c, t) in pi)
        return True

    def _inside(self, ys: list) -> list[cp_model.IntVar]:
        """Literals of "between the participant's first and last meeting" per position."""
        m = self.model
        bef: list[cp_model.IntVar] = []
        for yv in ys:
            b = m.new_bool_var("")
            if not isinstance(yv, int):
                m.add(b >= yv)
            if bef:
                m.add_implication(bef[-1], b)
            bef.append(b)
        aft: list = [None] * len(ys)
        for i in range(len(ys) - 1, -1, -1):
            a = m.new_bool_var("")
            if not isinstance(ys[i], int):
                m.add(a >= ys[i])
            if i + 1 < len(ys):
                m.add_implication(aft[i + 1], a)
            aft[i] = a
        out = []
        for i in range(len(ys)):
            iv = m.new_bool_var("")
            m.add(iv >= bef[i] + aft[i] - 1)
            out.append(iv)
        return out

    def _moved(self) -> list:
        data = self.data
        moved = []
        for c, ks in self.cols.items():
            for k in ks:
                ps = data.prev_slot[k]
                if data.meetings[k].previous is not None and ps is not None and (c, ps) in self.pi:
                    moved.append(self.pi[(c, ps)].Not())
        return moved

    def placement(self, solver: cp_model.CpSolver) -> list[int]:
        """`assign` with the day's columns where the solver put them."""
        where = {c: t for (c, t), v in self.pi.items() if solver.boolean_value(v)}
        assign = list(self.assign)
        for c, ks in self.cols.items():
            for k in ks:
                assign[k] = where[c]
        return assign
