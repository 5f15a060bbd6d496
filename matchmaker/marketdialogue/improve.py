"""Local search on the interest value of a valid seating.

`improve` seats missing interests, making room by ejecting a lower-weight
participant or dropping the participant's own lower-weight clashing seat (or
moving it to another session of its group), and opens closed tables with
people who gain by them. Every move keeps the seating valid.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict

from .greedy import Placement
from .index import Index, TableKey

Option = tuple[int, int, str]  # (session, table, side)
Step = tuple[int, Option | None]  # a clashing session left, and where its seat moves (None: dropped)


class _State:
    """A seating with the counts the moves need, kept up to date."""

    def __init__(self, ix: Index, placed: list[Placement]) -> None:
        self.ix = ix
        self.seat: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)  # p -> s -> (t, side)
        self.sides: dict[TableKey, Counter] = defaultdict(Counter)
        self.roles: dict[TableKey, Counter] = defaultdict(Counter)
        self.orgs: dict[TableKey, Counter] = defaultdict(Counter)
        self.members: dict[TableKey, set[int]] = defaultdict(set)
        for p, s, t, side in placed:
            self.add(p, s, t, side)

    def add(self, p: int, s: int, t: int, side: str) -> None:
        person = self.ix.people[p]
        self.seat[p][s] = (t, side)
        self.sides[(s, t)][side] += 1
        self.roles[(s, t)][person.role] += 1
        self.orgs[(s, t)][person.org_key] += 1
        self.members[(s, t)].add(p)

    def remove(self, p: int, s: int) -> tuple[int, str]:
        person = self.ix.people[p]
        t, side = self.seat[p].pop(s)
        self.sides[(s, t)][side] -= 1
        self.roles[(s, t)][person.role] -= 1
        self.orgs[(s, t)][person.org_key] -= 1
        self.members[(s, t)].discard(p)
        return t, side

    def placed(self) -> list[Placement]:
        return [(p, s, t, side) for p, seats in self.seat.items() for s, (t, side) in seats.items()]

    def meets_minimum(self, key: TableKey, role_change: Counter) -> bool:
        """Whether the table is empty or meets the minimums after adding `role_change`."""
        rules = self.ix.problem.rules
        roles = self.roles[key] + Counter()
        roles.update(role_change)
        total = sum(v for v in roles.values() if v > 0)
        return total == 0 or (roles["buyer"] >= rules.min_buyers and roles["supplier"] >= rules.min_suppliers)


def improve(ix: Index, placed: list[Placement], deadline: float) -> list[Placement]:
    """Improve `placed` by the moves above until none helps or `deadline` (`time.monotonic()`) passes."""
    return _Search(ix, placed).run(deadline)


class _Search:
    """The moves of `improve` on one seating."""

    def __init__(self, ix: Index, placed: list[Placement]) -> None:
        self.ix = ix
        self.state = _State(ix, placed)
        self.rules = ix.problem.rules
        self.limit = self.rules.max_per_organisation
        self.wishes = sorted(((w, p, g) for p, person in enumerate(ix.people)
                              for g, w in person.interests.items() if w > 0),
                             key=lambda item: (-item[0], item[1], item[2]))
        self.by_group: list[dict[str, list[Option]]] = []
        for mine in ix.options:
            grouped: dict[str, list[Option]] = defaultdict(list)
            for option in mine:
                if option[:2] in ix.live_tables:
                    grouped[ix.sessions[option[0]].product_group].append(option)
            self.by_group.append(grouped)

    def run(self, deadline: float) -> list[Placement]:
        clock = time.monotonic
        ix, state = self.ix, self.state
        improved = True
        while improved and clock() < deadline:
            improved = False
            for key in ix.table_keys:
                if not state.members[key] and key in ix.live_tables and clock() < deadline:
                    improved |= self.open_table(key)
            for weight, p, group in self.wishes:
                if self.seated_in_group(p, group):
                    continue
                ejected = self.try_seat(p, group, weight, allow_eject=True)
                if ejected is None:
                    continue
                improved = True
                if ejected >= 0:  # give the ejected participant a free seat elsewhere if there is one
                    for g, w in sorted(ix.people[ejected].interests.items(), key=lambda item: -item[1]):
                        if w > 0 and not self.seated_in_group(ejected, g):
                            self.try_seat(ejected, g, w, allow_eject=False)
                if clock() >= deadline:
                    break
        return state.placed()

    def seated_in_group(self, p: int, group: str) -> bool:
        return any(self.ix.sessions[s].product_group == group for s in self.state.seat[p])

    def relocation(self, p: int, o: int, avoid: int) -> Option | None:
        """Another session of the same group for p's seat in `o`, clear of session `avoid`."""
        ix, state, limit = self.ix, self.state, self.limit
        person = ix.people[p]
        for o2, t2, side2 in self.by_group[p].get(ix.sessions[o].product_group, []):
            if o2 == o or o2 in ix.overlapping[avoid]:
                continue
            if any(other != o and other in ix.overlapping[o2] for other in state.seat[p]):
                continue
            key2 = (o2, t2)
            table2 = ix.table(key2)
            if not state.members[key2] or (limit is not None and state.orgs[key2][person.org_key] >= limit):
                continue
            if state.sides[key2][side2] >= (table2.buyer_seats if side2 == "buyer" else table2.supplier_seats):
                continue
            return o2, t2, side2
        return None

    def clear_time(self, p: int, s: int) -> tuple[int, list[Step]] | None:
        """How p frees the time of session s: (weight lost, [(session, relocation or None)])."""
        ix, state = self.ix, self.state
        person = ix.people[p]
        steps: list[Step] = []
        lost = 0
        for o in [o for o in state.seat[p] if o in ix.overlapping[s]]:
            if not state.meets_minimum((o, state.seat[p][o][0]), Counter({person.role: -1})):
                return None
            target = self.relocation(p, o, s)
            if target is None:
                lost += ix.weight(p, o)
            steps.append((o, target))
        return lost, steps

    def apply_clear(self, p: int, steps: list[Step]) -> None:
        for o, _target in steps:
            self.state.remove(p, o)
        for _o, target in steps:
            if target is not None:
                self.state.add(p, *target)

    def try_seat(self, p: int, group: str, weight: int, allow_eject: bool) -> int | None:
        """Apply the best improving move for (p, group); return the ejected participant or -1, None if none."""
        ix, state, limit = self.ix, self.state, self.limit
        person = ix.people[p]
        best = None
        for s, t, side in self.by_group[p].get(group, []):
            key = (s, t)
            if not state.members[key]:
                continue  # opening a closed table takes more than one person
            cleared = self.clear_time(p, s)
            if cleared is None or cleared[0] >= weight:
                continue
            lost, steps = cleared
            table = ix.table(key)
            seats = table.buyer_seats if side == "buyer" else table.supplier_seats
            org_full = limit is not None and state.orgs[key][person.org_key] >= limit
            if state.sides[key][side] < seats and not org_full:
                if state.meets_minimum(key, Counter({person.role: 1})):
                    gain = weight - lost
                    if best is None or gain > best[0]:
                        best = (gain, s, t, side, steps, -1)
                continue
            if not allow_eject:
                continue
            ejection = self.best_ejection(p, key, side, seats, org_full, weight - lost,
                                          best[0] if best is not None else None)
            if ejection is not None:
                best = (ejection[0], s, t, side, steps, ejection[1])
        if best is None:
            return None
        _gain, s, t, side, steps, q = best
        self.apply_clear(p, steps)
        if q >= 0:
            state.remove(q, s)
        state.add(p, s, t, side)
        return q

    def best_ejection(self, p: int, key: TableKey, side: str, seats: int, org_full: bool, worth: int,
                      to_beat: int | None) -> tuple[int, int] | None:
        """The best (gain, participant) to eject from the table `key` to seat p on `side`, above `to_beat`."""
        ix, state = self.ix, self.state
        s = key[0]
        person = ix.people[p]
        best = None
        for q in state.members[key]:
            _q_t, q_side = state.seat[q][s]
            if q_side != side and state.sides[key][side] >= seats:
                continue
            other = ix.people[q]
            if org_full and other.org_key != person.org_key:
                continue
            gain = worth - ix.weight(q, s)
            if gain <= 0 or (to_beat is not None and gain <= to_beat):
                continue
            change = Counter({person.role: 1})
            change[other.role] -= 1
            if state.meets_minimum(key, change):
                best = (gain, q)
                to_beat = gain
        return best

    def open_table(self, key: TableKey) -> bool:
        """Open a closed table with people for whom it is worth more than what they leave."""
        ix, state, rules, limit = self.ix, self.state, self.rules, self.limit
        s, t = key
        table = ix.table(key)
        need = Counter({"buyer": rules.min_buyers, "supplier": rules.min_suppliers})
        log: list[tuple] = []
        total = 0
        for gain, p, clashes in self.opening_pool(key, need):
            person = ix.people[p]
            if gain <= 0 and need[person.role] <= 0:
                continue
            if limit is not None and state.orgs[key][person.org_key] >= limit:
                continue
            free = [side for side in person.sides()
                    if state.sides[key][side] < (table.buyer_seats if side == "buyer" else table.supplier_seats)]
            if not free:
                continue
            if any(not state.meets_minimum((o, state.seat[p][o][0]), Counter({person.role: -1})) for o in clashes):
                continue
            for o in clashes:
                o_t, o_side = state.remove(p, o)
                log.append(("removed", p, o, o_t, o_side))
            side = min(free, key=lambda sd: state.sides[key][sd])
            state.add(p, s, t, side)
            log.append(("added", p, s, t, side))
            total += gain
            need[person.role] -= 1
        if total > 0 and state.meets_minimum(key, Counter()):
            return True
        for entry in reversed(log):
            if entry[0] == "added":
                state.remove(entry[1], entry[2])
            else:
                state.add(entry[1], entry[2], entry[3], entry[4])
        return False

    def opening_pool(self, key: TableKey, need: Counter) -> list[tuple[int, int, list[int]]]:
        """Candidates for a closed table: (gain, participant, clashing sessions), those the minimums need first."""
        ix, state = self.ix, self.state
        s = key[0]
        group = ix.sessions[s].product_group
        pool = []
        for _role, members in ix.candidates[key].items():
            for p in members:
                if self.seated_in_group(p, group):
                    continue
                clashes = [o for o in state.seat[p] if o in ix.overlapping[s]]
                gain = ix.weight(p, s) - sum(ix.weight(p, o) for o in clashes)
                pool.append((gain, p, clashes))
        pool.sort(key=lambda item: (need[ix.people[item[1]].role] == 0, -item[0], item[1]))
        return pool
