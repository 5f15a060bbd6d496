"""Large events solved day by day: the trade-exchange generator, the day LP, the split
and the decomposed `solve()`, forced on small instances."""
from __future__ import annotations

import importlib
import threading
from collections import Counter
from dataclasses import replace

import pytest

from matchmaker.scheduling import Placement, check, fcfs, generate, solve
from matchmaker.scheduling.bound import degree_bound, integral_bound
from matchmaker.scheduling.decompose import day_lp, day_problem, split_days
from matchmaker.scheduling.domains import Domains
from matchmaker.scheduling.generate import trade_exchange

solve_module = importlib.import_module("matchmaker.scheduling.solve")


def _exchange(seed: int = 3):
    return trade_exchange(seed, buyers=14, suppliers=30, days=3, slots_per_day=5, requests=6)


def _assert_valid(problem, schedule):
    assert check(problem, schedule) == []
    stats = schedule.stats
    assert stats["upper_bound"] >= stats["weighted_value"]
    placed = {a.meeting for a in schedule.assignments}
    assert stats["weighted_value"] == sum(m.priority for m in problem.meetings if m.id in placed)


def _pinned(problem, every: int = 7):
    baseline = fcfs(problem)
    pins = {a.meeting: a for a in baseline.assignments[::every]}
    return replace(problem, meetings=tuple(
        replace(m, fixed=Placement(pins[m.id].slot, pins[m.id].table if i % 2 else None))
        if m.id in pins else m for i, m in enumerate(problem.meetings))), pins


def test_trade_exchange_is_the_same_for_a_seed_and_fits_its_description():
    problem = trade_exchange(5, buyers=40, suppliers=90, days=3, slots_per_day=8, requests=10)
    assert problem == trade_exchange(5, buyers=40, suppliers=90, days=3, slots_per_day=8,
                                     requests=10)
    assert problem != trade_exchange(6, buyers=40, suppliers=90, days=3, slots_per_day=8,
                                     requests=10)
    d = Domains(problem)
    assert len(d.days) == 3 and len(problem.slots) == 24
    suppliers = [p for p in problem.participants if p.role == "supplier"]
    assert len(suppliers) == 90 and all(p.table for p in suppliers)
    assert {t.id for t in problem.tables} == {p.table for p in suppliers}
    accepted = Counter(p for m in problem.meetings for p in m.participants)
    every = {s.id for s in problem.slots}
    for p in problem.participants:
        if p.role == "buyer":
            limit = min(len(p.available or every), p.max_meetings or len(every))
            assert accepted[p.id] <= 1.2 * limit + 1
    roles = {p.id: p.role for p in problem.participants}
    for m in problem.meetings:
        assert sorted(roles[p] for p in m.participants) == ["buyer", "supplier"]
        assert d.allowed_slots(m), "a request between people with no slot in common"
        assert d.own_tables(m)


def test_trade_exchange_rejects_empty_sizes():
    with pytest.raises(ValueError, match="at least one"):
        trade_exchange(1, days=0)


@pytest.mark.parametrize("problem", [
    _exchange(),
    generate(70, seed=4, days=2, slots=10, stands=True),
    generate(70, seed=5, days=2, slots=8, scarce_tables=True),
], ids=["exchange", "2days-stands", "2days-scarce"])
def test_day_lp_is_a_bound_no_weaker_than_the_degree_bound(problem):
    d = Domains(problem)
    lp, weights = day_lp(d)
    assert lp <= degree_bound(d) + 1e-6
    whole = solve(problem, time_limit_s=3, num_workers=1, seed=1, decompose=False)
    assert integral_bound(lp) >= whole.stats["weighted_value"]
    assert all(-1e-9 <= w <= 1 + 1e-9 for w in weights.values())


def test_split_keeps_caps_pins_and_daily_room():
    problem, pins = _pinned(_exchange(4))
    d = Domains(problem)
    parts = split_days(d, day_lp(d)[1])
    seen = [m.id for part in parts for m in part]
    assert len(seen) == len(set(seen))
    total: Counter[str] = Counter()
    for day, part in enumerate(parts):
        per_day: Counter[str] = Counter()
        for m in part:
            assert any(d.slot_day[pos] == day for pos in d.allowed_slots(m))
            per_day.update(m.participants)
        total.update(per_day)
        for p, n in per_day.items():
            usable = {pos for m in part if p in m.participants for pos in d.allowed_slots(m)
                      if d.slot_day[pos] == day}
            assert n <= len(usable)
    for p, n in total.items():
        assert n <= d.cap(p)
    for mid, pin in pins.items():
        day = d.slot_day[d.slot_pos[pin.slot]]
        assert mid in {m.id for m in parts[day]}


def test_day_problem_keeps_only_that_day():
    problem = _exchange()
    d = Domains(problem)
    parts = split_days(d, day_lp(d)[1])
    sub = day_problem(d, 1, parts[1])
    ids = {problem.slots[pos].id for pos in d.days[1]}
    assert {s.id for s in sub.slots} == ids
    assert all(p.available is None or p.available <= ids for p in sub.participants)
    assert all(p.max_meetings is None for p in sub.participants)
    assert {t.id for t in sub.tables} == {t.id for t in problem.tables}


@pytest.mark.parametrize("problem", [
    _exchange(),
    generate(70, seed=4, days=2, slots=10, stands=True),
    generate(70, seed=5, days=2, slots=8, scarce_tables=True),
], ids=["exchange", "2days-stands", "2days-scarce"])
def test_decomposed_schedules_are_valid_with_pins_kept(problem):
    problem, _ = _pinned(problem)
    schedule = solve(problem, time_limit_s=3, num_workers=1, seed=2, decompose=True)
    _assert_valid(problem, schedule)
    assert schedule.stats["days_solved_apart"] >= 2
    placed = {a.meeting: a for a in schedule.assignments}
    for m in problem.meetings:
        if m.fixed is not None:
            assert placed[m.id].slot == m.fixed.slot
            assert m.fixed.table in (None, placed[m.id].table)
    assert schedule.stats["weighted_value"] >= fcfs(problem).stats["weighted_value"]


def test_decomposed_schedule_is_the_same_with_one_worker_and_a_seed():
    problem = _exchange(7)
    first = solve(problem, time_limit_s=2, num_workers=1, seed=4, decompose=True)
    second = solve(problem, time_limit_s=2, num_workers=1, seed=4, decompose=True)
    assert first.assignments == second.assignments
    assert first.unscheduled == second.unscheduled
    assert first.stats["upper_bound"] == second.stats["upper_bound"]


def test_days_in_parallel_processes_give_a_valid_schedule():
    problem = _exchange(8)
    schedule = solve(problem, time_limit_s=6, num_workers=2, seed=0, decompose=True)
    _assert_valid(problem, schedule)
    assert schedule.stats["days_solved_apart"] == 3


def test_decomposition_starts_above_the_threshold_only(monkeypatch):
    problem = _exchange()
    assert "days_solved_apart" not in solve(problem, time_limit_s=1, num_workers=1).stats
    monkeypatch.setattr(solve_module, "DECOMPOSE_PAIRS", 10)
    assert "days_solved_apart" in solve(problem, time_limit_s=1, num_workers=1).stats
    one_day = generate(40, seed=1, slots=8)
    assert "days_solved_apart" not in solve(one_day, time_limit_s=1, num_workers=1).stats


def test_decomposed_resolve_without_changes_keeps_placements():
    problem = _exchange(9)
    first = solve(problem, time_limit_s=2, num_workers=1, seed=0, decompose=True)
    placed = {a.meeting: a for a in first.assignments}
    again = replace(problem, meetings=tuple(
        replace(m, previous=Placement(placed[m.id].slot, placed[m.id].table))
        if m.id in placed else m for m in problem.meetings))
    second = solve(again, time_limit_s=2, num_workers=1, seed=0, decompose=True)
    _assert_valid(again, second)
    assert second.stats["weighted_value"] >= first.stats["weighted_value"]
    assert second.stats["moved_from_previous"] <= len(placed) // 20


def test_decomposed_solve_stopped_at_once_still_returns_a_valid_schedule():
    problem = _exchange()
    stop = threading.Event()
    stop.set()
    schedule = solve(problem, time_limit_s=30, num_workers=1, seed=0, stop=stop, decompose=True)
    _assert_valid(problem, schedule)
