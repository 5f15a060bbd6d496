"""Phase 1 of the scheduler: the degree LP's meetings placed in its order reach its bound."""
from __future__ import annotations

from dataclasses import replace

import pytest

from matchmaker.scheduling import Placement, check, fcfs, generate, solve
from matchmaker.scheduling.bound import degree_bound, degree_lp, integral_bound
from matchmaker.scheduling.domains import Domains
from matchmaker.scheduling.improve import SlotState, insert_in_order
from matchmaker.scheduling.starts import greedy_start


def _value(d: Domains, slots) -> int:
    return sum(d.meeting[mid].priority for mid in slots)


def _lp_order(d: Domains, weights: dict[str, float]):
    return sorted(d.problem.meetings, key=lambda m: (-weights.get(m.id, 0.0), m.id))


def test_degree_lp_values_match_its_bound():
    d = Domains(generate(150, seed=3, slots=10, scarce_tables=True, stands=True))
    optimum, weights = degree_lp(d)
    assert optimum == degree_bound(d)
    assert all(0.0 <= v <= 1.0 + 1e-9 for v in weights.values())
    assert sum(d.meeting[mid].priority * v for mid, v in weights.items()) == pytest.approx(optimum)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_inserting_in_lp_order_gives_a_valid_assignment(seed):
    problem = generate(200, seed=seed, slots=10, scarce_tables=True, stands=True)
    d = Domains(problem)
    _optimum, weights = degree_lp(d)
    slots = insert_in_order(d, {}, _lp_order(d, weights))
    state = SlotState(d, {})
    for mid, pos in sorted(slots.items(), key=lambda item: item[0]):
        m = d.meeting[mid]
        assert state.can_add(m, pos), f"{mid} does not fit slot {pos}"
        state.add(m, pos)
    assert _value(d, slots) <= integral_bound(degree_bound(d))


def test_insert_in_order_leaves_pins_to_the_caller():
    problem = generate(60, seed=7, slots=10)
    pinned = problem.meetings[0]
    problem = replace(problem, meetings=(replace(pinned, fixed=Placement("s03")),) + problem.meetings[1:])
    d = Domains(problem)
    slots = insert_in_order(d, {pinned.id: d.slot_pos["s03"]}, list(problem.meetings))
    assert slots[pinned.id] == d.slot_pos["s03"]
    assert pinned.id not in insert_in_order(d, {}, list(problem.meetings))


def test_scarce_tables_reach_the_proven_bound_where_the_greedy_start_does_not():
    problem = generate(300, seed=1, slots=12, scarce_tables=True, stands=True)
    d = Domains(problem)
    bound = integral_bound(degree_bound(d))
    greedy = {mid: d.slot_pos[s] for mid, (s, _t) in greedy_start(d).items()}
    assert _value(d, greedy) < bound
    schedule = solve(problem, time_limit_s=2, num_workers=1, seed=0)
    assert check(problem, schedule) == []
    assert schedule.stats["weighted_value"] == schedule.stats["upper_bound"] == bound
    assert schedule.status == "optimal"
    assert schedule.stats["weighted_value"] > fcfs(problem).stats["weighted_value"]


def test_compact_insertion_starts_with_fewer_idle_gaps_at_the_same_value():
    from matchmaker.scheduling.agendas import idle_gaps

    problem = generate(300, seed=2, slots=12, scarce_tables=True)
    d = Domains(problem)
    optimum, weights = degree_lp(d)
    order = _lp_order(d, weights)
    plain = insert_in_order(d, {}, order)
    compact = insert_in_order(d, {}, order, compact=True)
    state = SlotState(d, {})
    for mid, pos in compact.items():
        assert state.can_add(d.meeting[mid], pos)
        state.add(d.meeting[mid], pos)
    assert _value(d, compact) >= 0.99 * optimum
    assert idle_gaps(d, compact) < idle_gaps(d, plain)
