"""The CP-SAT model of the one-to-one meeting problem, at slot level.

A meeting gets a slot, not a table: pooled tables are interchangeable, so one
count per slot (meetings on pooled tables <= pooled tables) replaces a variable
per table; concrete tables are chosen afterwards (`tables.py`). Stand tables
need a variable per table only for the rare meeting that may use two stands
(both participants own one) or a stand shared by several owners.

Building is split into variables, constraints and the two objectives, so the
solver (and tests) can assemble phase 1 (value) and phase 2 (compactness,
stability, fairness at that value).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ortools.sat.python import cp_model

from .domains import Domains
from .problem import Meeting

_sum = cp_model.LinearExpr.sum

SHARE_SCALE = 100

# Phase-2 weights: nobody left with nothing first, then stability, then a fair
# minimum share, then compact agendas.
W_NOTHING = 1000
W_MOVED = 40
W_SHARE = 5
W_GAP = 10


class SlotModel:
    def __init__(self, d: Domains, *, compact: bool) -> None:
        self.d = d
        self.model = cp_model.CpModel()
        self.meetings: list[Meeting] = [
            m for m in d.problem.meetings if d.allowed_slots(m) and d.allowed_tables(m)]
        self.x: dict[tuple[str, int], cp_model.IntVar] = {}
        self.y: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.busy: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        self.of_person: dict[str, list[Meeting]] = defaultdict(list)
        self.block_start: dict[tuple[str, int], cp_model.IntVar] = {}
        self.active: dict[tuple[str, int], cp_model.IntVar] = {}
        self.nothing: dict[str, cp_model.IntVar] = {}
        self.share: cp_model.IntVar | None = None
        self.moved: dict[str, cp_model.IntVar] = {}
        self.value_expr: cp_model.LinearExpr = _sum([])
        add_variables(self)
        add_constraints(self)
        if compact:
            add_compact_variables(self)

    def scheduled(self, m: Meeting) -> cp_model.LinearExpr:
        return _sum([self.x[(m.id, pos)] for pos in self.d.allowed_slots(m)
                     if (m.id, pos) in self.x])

    def hint(self, slots: Mapping[str, int], tables: Mapping[str, str]) -> None:
        """A complete hint: every variable, auxiliaries too, from a schedule."""
        self.model.clear_hints()
        values = self.values_from(slots, tables)
        for var, value in values:
            self.model.add_hint(var, value)

    def values_from(self, slots: Mapping[str, int], tables: Mapping[str, str]
                    ) -> list[tuple[cp_model.IntVar, int]]:
        d = self.d
        out = [(var, int(slots.get(mid) == pos)) for (mid, pos), var in self.x.items()]
        out += [(var, int(slots.get(mid) == pos and tables.get(mid) == t))
                for (mid, pos, t), var in self.y.items()]
        busy = {(p, slots[m.id]) for m in self.meetings if m.id in slots for p in m.participants}
        for (p, pos), var in self.block_start.items():
            day_slots = d.days[d.slot_day[pos]]
            before = pos != day_slots[0] and (p, pos - 1) in busy
            out.append((var, int((p, pos) in busy and not before)))
        for (p, day), var in self.active.items():
            out.append((var, int(any((p, pos) in busy for pos in d.days[day]))))
        counts: defaultdict[str, int] = defaultdict(int)
        for m in self.meetings:
            if m.id in slots:
                for p in m.participants:
                    counts[p] += 1
        for p, var in self.nothing.items():
            out.append((var, int(counts[p] == 0)))
        if self.share is not None:
            out.append((self.share, min(
                (SHARE_SCALE * counts[p]) // len(d.meetings_of[p]) for p in self.nothing)))
        for mid, var in self.moved.items():
            previous = d.meeting[mid].previous
            assert previous is not None, "only meetings with a previous slot can move"
            out.append((var, int(slots.get(mid) != d.slot_pos[previous.slot])))
        return out


def add_variables(sm: SlotModel) -> None:
    d, model = sm.d, sm.model
    for m in sm.meetings:
        slots = d.allowed_slots(m)
        if m.fixed is not None:
            slots = (d.slot_pos[m.fixed.slot],)
        for pos in slots:
            var = model.new_bool_var(f"x_{m.id}_{pos}")
            sm.x[(m.id, pos)] = var
            for p in m.participants:
                sm.busy[(p, pos)].append(var)
        for p in m.participants:
            sm.of_person[p].append(m)
        own = d.own_tables(m)
        if len(own) > 1:
            for pos in slots:
                for t in own:
                    sm.y[(m.id, pos, t)] = model.new_bool_var(f"y_{m.id}_{pos}_{t}")
    terms = [(var, d.meeting[mid].priority) for (mid, _), var in sm.x.items()]
    sm.value_expr = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [w for _, w in terms])


def add_constraints(sm: SlotModel) -> None:
    d, model = sm.d, sm.model
    for m in sm.meetings:
        vars_ = [sm.x[(m.id, pos)] for pos in d.allowed_slots(m) if (m.id, pos) in sm.x]
        if m.fixed is not None:
            model.add(_sum(vars_) == 1)
        elif len(vars_) > 1:
            model.add_at_most_one(vars_)
    for vars_ in sm.busy.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    for p, ms in sm.of_person.items():
        cap = d.participant[p].max_meetings
        reachable = len({pos for m in ms for pos in d.allowed_slots(m)})
        if cap is not None and cap < min(len(ms), reachable):
            model.add(_sum([sm.scheduled(m) for m in ms]) <= cap)
    pooled_at: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    stand_at: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for (mid, pos), var in sm.x.items():
        m = d.meeting[mid]
        own = d.own_tables(m)
        if not own:
            pooled_at[pos].append(var)
        elif len(own) == 1:
            stand_at[(own[0], pos)].append(var)
        else:
            ys = [sm.y[(mid, pos, t)] for t in own]
            model.add(_sum(ys) == var)
            pinned = m.fixed.table if m.fixed is not None else None
            for t, yv in zip(own, ys):
                stand_at[(t, pos)].append(yv)
                if pinned is not None and t != pinned:
                    model.add(yv == 0)
    capacity = len(d.pooled)
    for vars_ in pooled_at.values():
        if len(vars_) > capacity:
            model.add(_sum(vars_) <= capacity)
    for (t, pos), vars_ in stand_at.items():
        # A stand with one owner is covered by that owner's one-meeting-per-slot rule.
        if len(vars_) > 1 and len(d.owners[t]) > 1:
            model.add_at_most_one(vars_)


def add_compact_variables(sm: SlotModel) -> None:
    """Auxiliaries for phase 2: agenda blocks per day, fairness, moves from previous."""
    d, model = sm.d, sm.model
    for p, ms in sm.of_person.items():
        for day, positions in enumerate(d.days):
            prev_expr = None
            any_here = False
            for pos in positions:
                here = sm.busy.get((p, pos))
                if here:
                    any_here = True
                    start = model.new_bool_var(f"st_{p}_{pos}")
                    sm.block_start[(p, pos)] = start
                    if prev_expr:
                        model.add(start >= _sum(here) - _sum(prev_expr))
                    else:
                        model.add(start >= _sum(here))
                prev_expr = here
            if any_here:
                act = model.new_bool_var(f"act_{p}_{day}")
                sm.active[(p, day)] = act
                model.add(act <= _sum([v for pos in positions for v in sm.busy.get((p, pos), ())]))
    for p, ms in sm.of_person.items():
        if not ms:
            continue
        var = model.new_bool_var(f"nothing_{p}")
        sm.nothing[p] = var
        model.add(_sum([sm.scheduled(m) for m in ms]) + var >= 1)
    if sm.nothing:
        sm.share = model.new_int_var(0, SHARE_SCALE, "min_share")
        for p in sm.nothing:
            model.add(SHARE_SCALE * _sum([sm.scheduled(m) for m in sm.of_person[p]])
                      >= sm.share * len(d.meetings_of[p]))
    for m in sm.meetings:
        if m.previous is None or m.fixed is not None:
            continue
        pos = d.slot_pos[m.previous.slot]
        var = model.new_bool_var(f"moved_{m.id}")
        sm.moved[m.id] = var
        stay = sm.x.get((m.id, pos))
        if stay is None:
            model.add(var == 1)
        else:
            model.add(var + stay >= 1)


def gaps_expr(sm: SlotModel) -> cp_model.LinearExpr:
    return _sum(list(sm.block_start.values())) - _sum(list(sm.active.values()))


def set_value_objective(sm: SlotModel) -> int:
    """Maximise the value; on a re-solve, break ties by meetings kept in their previous slot.

    Returns the factor the value is scaled by in the objective (1 without ties to break).
    """
    d = sm.d
    stays = [sm.x[(m.id, d.slot_pos[m.previous.slot])] for m in sm.meetings
             if m.previous is not None and m.fixed is None
             and (m.id, d.slot_pos[m.previous.slot]) in sm.x]
    if not stays:
        sm.model.maximize(sm.value_expr)
        return 1
    scale = len(stays) + 1
    sm.model.maximize(scale * sm.value_expr + _sum(stays))
    return scale


def set_compact_objective(sm: SlotModel, value: int) -> None:
    """Keep the phase-1 value, then minimise the weighted phase-2 terms."""
    sm.model.add(sm.value_expr >= value)
    share = sm.share if sm.share is not None else 0
    sm.model.minimize(W_NOTHING * _sum(list(sm.nothing.values()))
                      + W_MOVED * _sum(list(sm.moved.values()))
                      - W_SHARE * share + W_GAP * gaps_expr(sm))
