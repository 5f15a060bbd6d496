"""The solver: valid plans, proven optima against brute force, closed tables, reasons, progress."""
from __future__ import annotations

import functools
import itertools
import random
import threading
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.marketdialogue.bound import lp_bound
from matchmaker.marketdialogue.check import check
from matchmaker.marketdialogue.formats import dumps_plan, loads_plan, parse_dialogue
from matchmaker.marketdialogue.generate import generate
from matchmaker.marketdialogue.greedy import greedy
from matchmaker.marketdialogue.index import Index
from matchmaker.marketdialogue.problem import (
    DialogueParticipant,
    DialogueProblem,
    DialogueTable,
    Plan,
    Rules,
    Session,
)
from matchmaker.marketdialogue.reasons import describe, explain
from matchmaker.marketdialogue.solve import _seats, solve

DAY = datetime(2026, 11, 21, 10, 0)


def tiny(seed: int, people: int = 7, equal_tables: bool = False) -> DialogueProblem:
    """A random problem small enough to enumerate every seating."""
    rng = random.Random(seed)
    groups = ["textile", "ict", "food"]
    sessions = []
    for i in range(rng.randint(2, 3)):
        start = DAY + timedelta(minutes=rng.choice((0, 30, 90)))
        count = 2 if equal_tables and i == 0 else rng.randint(1, 2)
        seats = (rng.randint(1, 2), rng.randint(1, 2))
        tables = tuple(
            DialogueTable(id=f"T{i}{t}", buyer_seats=seats[0] if equal_tables else rng.choice((0, 1, 2, 2)),
                          supplier_seats=seats[1] if equal_tables else rng.randint(1, 3),
                          moderator=None)
            for t in range(count))
        sessions.append(Session(id=f"d{i}", product_group=rng.choice(groups), start=start,
                                end=start + timedelta(minutes=45), tables=tables))
    participants = []
    for p in range(people):
        role = rng.choice(("buyer", "buyer", "supplier", "supplier", "facilitator"))
        interests = {g: rng.randint(1, 3) for g in rng.sample(groups, rng.randint(1, 2))}
        participants.append(DialogueParticipant(id=f"p{p}", role=role, organisation=f"o{rng.randint(1, 3)}",
                                                interests=interests))
    facilitators = [p.id for p in participants if p.role == "facilitator"]
    if facilitators and rng.random() < 0.5:
        s = sessions[-1]
        sessions[-1] = Session(s.id, s.product_group, s.start, s.end,
                               (DialogueTable(s.tables[0].id, s.tables[0].buyer_seats, s.tables[0].supplier_seats,
                                              moderator=facilitators[0]),) + s.tables[1:])
    rules = Rules(min_buyers=rng.choice((0, 1, 1, 2)), min_suppliers=rng.choice((1, 1, 2)),
                  max_per_organisation=rng.choice((1, 2, None)))
    return DialogueProblem(sessions=tuple(sessions), participants=tuple(participants), rules=rules)


def brute_force(problem: DialogueProblem) -> tuple[int, tuple[int, int]] | None:
    """Best interest value, then the least (balance, spread) at that value, by enumeration.

    Written apart from the solver on purpose: only the rules and the measures' definitions.
    """
    rules = problem.rules
    led = defaultdict(list)
    for s in problem.sessions:
        for t in s.tables:
            if t.moderator:
                led[t.moderator].append(s)
    choices = []
    for person in problem.participants:
        options = []
        for s in problem.sessions:
            if s.product_group not in person.interests or any(s.overlaps(o) for o in led[person.id]):
                continue
            for t in s.tables:
                for side in person.sides():
                    if (t.buyer_seats if side == "buyer" else t.supplier_seats) > 0:
                        options.append((s, t, side))
        subsets = [()]
        for r in (1, 2, 3):
            for combo in itertools.combinations(options, r):
                ss = [c[0] for c in combo]
                if len({s.product_group for s in ss}) == r and not any(
                        a.overlaps(b) for a, b in itertools.combinations(ss, 2)):
                    subsets.append(combo)
        choices.append(subsets)
    total = 1
    for c in choices:
        total *= len(c)
    if total > 60_000:
        return None
    best = None
    for pick in itertools.product(*choices):
        tables = defaultdict(list)
        value = 0
        for person, seats in zip(problem.participants, pick):
            for s, t, side in seats:
                tables[(s.id, t.id)].append((person, side, s, t))
                value += person.interests[s.product_group]
        if best is not None and value < best[0]:
            continue
        ok = True
        gaps = 0
        fills = defaultdict(list)
        pairs = 0
        for (sid, _tid), seated in tables.items():
            s, t = seated[0][2], seated[0][3]
            sides = Counter(side for _p, side, _s, _t in seated)
            roles = Counter(p.role for p, *_ in seated)
            orgs = Counter(p.organisation for p, *_ in seated)
            if sides["buyer"] > t.buyer_seats or sides["supplier"] > t.supplier_seats \
                    or roles["buyer"] < rules.min_buyers or roles["supplier"] < rules.min_suppliers \
                    or (rules.max_per_organisation is not None and max(orgs.values()) > rules.max_per_organisation):
                ok = False
                break
            gaps += abs(sides["buyer"] - sides["supplier"])
            fills[sid].append(t.buyer_seats + t.supplier_seats - len(seated))  # empty seats
            if len(s.tables) > 1:
                rivals = sum(1 for p, *_ in seated if p.role == "supplier"
                             and p.interests[s.product_group] == max(p.interests.values()))
                pairs += rivals * (rivals - 1) // 2
        if not ok:
            continue
        balance = gaps + sum(max(f) - min(f) for f in fills.values() if len(f) > 1)
        key = (value, (-balance, -pairs))
        if best is None or key > (best[0], (-best[1][0], -best[1][1])):
            best = (value, (balance, pairs))
    return best


@functools.lru_cache(maxsize=None)
def _tiny_cases(count: int, people: int = 7, equal_tables: bool = False) -> list[tuple[DialogueProblem, tuple]]:
    """The first `count` tiny problems, with their brute-force optimum, where somebody can sit."""
    cases = []
    seed = 0
    while len(cases) < count:
        seed += 1
        problem = tiny(seed, people=people, equal_tables=equal_tables)
        best = brute_force(problem)
        if best is not None and best[0] > 0:  # a plan with nobody seated proves little
            cases.append((problem, best))
    return cases


@pytest.mark.parametrize("case", range(12))
def test_optimum_equals_brute_force(case):
    problem, best = _tiny_cases(12)[case]
    plan = solve(problem, time_limit_s=10, num_workers=1)
    assert check(problem, plan) == []
    assert plan.status == "optimal"
    assert plan.stats["interest_value"] == best[0] == plan.stats["upper_bound"]
    balance = plan.stats["side_gap_total"] + plan.stats["fill_range_total"]
    assert (balance, plan.stats["competitor_pairs"]) == best[1]
    assert lp_bound(Index(problem)) >= best[0]


@pytest.mark.parametrize("case", range(4))
def test_interchangeable_tables_keep_the_optimum(case):
    problem, best = _tiny_cases(4, equal_tables=True)[case]
    plan = solve(problem, time_limit_s=10, num_workers=1)
    assert check(problem, plan) == []
    assert plan.stats["interest_value"] == best[0]
    assert (plan.stats["side_gap_total"] + plan.stats["fill_range_total"], plan.stats["competitor_pairs"]) == best[1]


@pytest.mark.parametrize("size, seed, rounds", [(60, 1, 2), (120, 2, 3), (200, 3, 2)])
def test_generated_instances_get_valid_plans(size, seed, rounds):
    problem = generate(size, seed, rounds=rounds)
    plan = solve(problem, time_limit_s=1.5, num_workers=2, seed=seed)
    assert check(problem, plan) == []
    assert plan.status in ("optimal", "feasible")
    assert plan.stats["interest_value"] <= plan.stats["upper_bound"]
    assert all(c.reason for c in plan.closed_tables)
    assert all(u.reason for u in plan.unseated)


def test_greedy_start_is_valid():
    for seed in (1, 2):
        problem = generate(150, seed, rounds=3)
        ix = Index(problem)
        placed = greedy(ix, seed)
        closed, unseated = explain(ix, placed, optimal=False)
        plan = Plan(status="feasible", seats=_seats(ix, placed), closed_tables=tuple(closed),
                    unseated=tuple(unseated))
        assert check(problem, plan) == []


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), people=st.integers(0, 12))
def test_any_small_problem_gets_a_valid_plan(seed, people):
    problem = tiny(seed, people=people)
    plan = solve(problem, time_limit_s=2, num_workers=1)
    assert check(problem, plan) == []


def test_table_stays_closed_when_too_few_buyers_can_come(doc):
    doc["rules"]["min_buyers"] = 2
    problem = parse_dialogue(doc)
    plan = solve(problem, time_limit_s=5, num_workers=1)
    assert check(problem, plan) == []
    closed = {(c.session, c.table): c.reason for c in plan.closed_tables}
    assert "only 1 buyers can attend, at least 2 needed to open" in closed[("d1", "TX-1")]
    assert not any(seat.session == "d1" for seat in plan.seats)
    reasons = {(u.participant, u.product_group): u.reason for u in plan.unseated}
    assert "d1/TX-1 closed" in reasons[("p2", "textile")]
    table = next(c for c in plan.closed_tables if (c.session, c.table) == ("d1", "TX-1"))
    assert (table.code, dict(table.params)) == (
        "too_few_can_attend", {"role": "buyer", "count": 1, "needed": 2})
    left = next(u for u in plan.unseated if (u.participant, u.product_group) == ("p2", "textile"))
    assert left.code == "seat_notes"
    assert {"code": "table_closed", "params": {"session": "d1", "table": "TX-1", "closed": {
        "code": "too_few_can_attend", "params": {"role": "buyer", "count": 1, "needed": 2}}}} \
        in left.params["notes"]
    assert all(describe(x.code, x.params) == x.reason for x in plan.closed_tables + plan.unseated)
    again = loads_plan(dumps_plan(plan), problem)
    assert [(u.code, u.params, u.reason) for u in again.unseated] == \
        [(u.code, u.params, u.reason) for u in plan.unseated]


def _food_session(tables: int, seats: int, buyers: int, suppliers: int,
                  rules: Rules) -> DialogueProblem:
    """One session on food at `tables` tables of `seats` seats a side, with buyers and
    suppliers who each want food and each come from an organisation of their own."""
    at = tuple(DialogueTable(f"T{i}", seats, seats) for i in range(tables))
    session = Session("d1", "food", DAY, DAY + timedelta(minutes=45), at)
    people = [DialogueParticipant(f"b{i}", "buyer", f"ob{i}", {"food": 1}) for i in range(buyers)]
    people += [DialogueParticipant(f"s{i}", "supplier", f"os{i}", {"food": 1})
               for i in range(suppliers)]
    return DialogueProblem((session,), tuple(people), rules)


def test_only_as_many_tables_open_as_minimums_allow():
    problem = _food_session(3, 4, buyers=3, suppliers=6,
                            rules=Rules(min_buyers=2, min_suppliers=1))
    plan = solve(problem, time_limit_s=5, num_workers=1)
    assert check(problem, plan) == []
    assert plan.status == "optimal" and plan.stats["interest_value"] == 7
    assert len(plan.closed_tables) == 2
    assert all("lack of people" in c.reason or "other tables" in c.reason for c in plan.closed_tables)


def test_balance_evens_sides_and_tables():
    problem = _food_session(2, 6, buyers=6, suppliers=6, rules=Rules())
    plan = solve(problem, time_limit_s=10, num_workers=1)
    counts = Counter((seat.table, seat.side) for seat in plan.seats)
    assert all(counts[(t, side)] == 3 for t in ("T0", "T1") for side in ("buyer", "supplier"))


def test_unseated_interests_say_why(doc):
    problem = parse_dialogue(doc)
    plan = solve(problem, time_limit_s=5, num_workers=1)
    assert check(problem, plan) == []
    reasons = {(u.participant, u.product_group): u.reason for u in plan.unseated}
    assert reasons[("p4", "lighting")] == "no lighting session in this event"
    assert "overlaps d1, which it moderates" in reasons[("p9", "ict")]
    codes = {(u.participant, u.product_group): (u.code, u.params) for u in plan.unseated}
    assert codes[("p4", "lighting")] == ("no_session", {"group": "lighting"})


def test_progress_reports_values_within_bounds():
    problem = generate(150, 4, rounds=2)
    seen = []
    plan = solve(problem, time_limit_s=1.5, num_workers=2, progress=lambda e, v, b: seen.append((e, v, b)))
    assert seen
    assert all(v <= b + 1e-6 for _e, v, b in seen)
    assert seen[-1][1] == plan.stats["interest_value"]
    assert seen[-1][2] == plan.stats["upper_bound"]


def test_stop_before_start_still_gives_a_valid_plan():
    problem = generate(150, 5, rounds=2)
    stop = threading.Event()
    stop.set()
    plan = solve(problem, time_limit_s=30, num_workers=2, stop=stop)
    assert check(problem, plan) == []


def test_stop_during_search_keeps_the_best_plan():
    problem = generate(400, 6, rounds=3)
    stop = threading.Event()

    def progress(_elapsed, _value, _bound):
        stop.set()

    plan = solve(problem, time_limit_s=60, num_workers=2, stop=stop, progress=progress)
    assert check(problem, plan) == []
    assert plan.stats["interest_value"] > 0


def test_empty_problem():
    problem = DialogueProblem(sessions=(), participants=())
    plan = solve(problem, time_limit_s=1)
    assert plan.seats == () and plan.status == "optimal"


def test_stop_from_another_thread_keeps_the_best_plan():
    problem = generate(400, 7, rounds=3)
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    try:
        plan = solve(problem, time_limit_s=120, num_workers=2, stop=stop)
    finally:
        timer.cancel()
    assert check(problem, plan) == []
    assert plan.stats["interest_value"] <= plan.stats["upper_bound"]
