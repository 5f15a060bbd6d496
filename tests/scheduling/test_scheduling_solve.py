"""The solver: valid schedules, proven bounds, optimality on small cases, stability."""
from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from matchmaker.scheduling import (
    Meeting,
    Participant,
    Placement,
    Problem,
    Slot,
    Table,
    check,
    fcfs,
    generate,
    solve,
)
from matchmaker.scheduling.domains import Domains
from matchmaker.scheduling.reasons import describe


def _assert_valid(problem, schedule):
    assert check(problem, schedule) == []
    stats = schedule.stats
    assert stats["upper_bound"] >= stats["weighted_value"]
    assert stats["weighted_value"] == sum(
        m.priority for m in problem.meetings if m.id in {a.meeting for a in schedule.assignments})
    for key in ("requested", "scheduled", "weighted_value", "upper_bound", "idle_gaps",
                "idle_slots", "moved_from_previous", "solve_seconds", "min_share",
                "table_changes"):
        assert key in stats
    assert all(u.reason for u in schedule.unscheduled)


def test_contract_example(example_problem):
    schedule = solve(example_problem, time_limit_s=5, num_workers=1)
    _assert_valid(example_problem, schedule)
    assert schedule.status == "optimal"
    assert schedule.stats["weighted_value"] == schedule.stats["upper_bound"] == 5
    assert [u.meeting for u in schedule.unscheduled] == ["m3"]
    reason = schedule.unscheduled[0].reason
    assert "p2 is busy at s01 (m1), s02 (m4)" in reason
    left = schedule.unscheduled[0]
    assert left.code == "lost_to_priority"
    assert {"participant": "p2", "at": [["s01", "m1"], ["s02", "m4"]]} in left.params["busy"]
    assert describe(left.code, left.params) == reason


@pytest.mark.parametrize("kwargs", [
    {},
    {"days": 2, "slots": 10, "stands": True},
    {"slots": 10, "scarce_tables": True, "stands": True},
])
def test_generated_instances_give_valid_schedules_with_pins_kept(kwargs):
    problem = generate(60, seed=7, **kwargs)
    baseline = fcfs(problem)
    assert check(problem, baseline) == []
    pins = {a.meeting: a for a in baseline.assignments[::9]}
    problem = replace(problem, meetings=tuple(
        replace(m, fixed=Placement(pins[m.id].slot, pins[m.id].table if i % 2 else None))
        if m.id in pins else m for i, m in enumerate(problem.meetings)))
    schedule = solve(problem, time_limit_s=3, num_workers=2, seed=1)
    _assert_valid(problem, schedule)
    placed = {a.meeting: a for a in schedule.assignments}
    for mid, pin in pins.items():
        assert placed[mid].slot == pin.slot
    assert schedule.stats["weighted_value"] >= baseline.stats["weighted_value"]


def _random_small(seed: int) -> Problem:
    rng = random.Random(seed)
    n_slots = rng.randint(2, 4)
    start = datetime(2026, 11, 21, 9)
    slots = tuple(Slot(f"s{i}", start + timedelta(minutes=25 * i),
                       start + timedelta(minutes=25 * i + 20)) for i in range(n_slots))
    slot_ids = [s.id for s in slots]
    people = []
    for i in range(6):
        available = None
        if rng.random() < 0.3:
            available = frozenset(rng.sample(slot_ids, rng.randint(1, n_slots)))
        people.append(Participant(f"p{i}", available=available,
                                  max_meetings=rng.choice([None, None, 1, 2]),
                                  table="ST" if i == 0 else None))
    pairs = [(a, b) for a in range(6) for b in range(a + 1, 6)]
    chosen = rng.sample(pairs, rng.randint(5, 8))
    meetings = tuple(Meeting(f"m{k}", (f"p{a}", f"p{b}"), priority=rng.randint(1, 3))
                     for k, (a, b) in enumerate(chosen))
    tables = (Table("T1"),) if rng.random() < 0.5 else (Table("T1"), Table("T2"))
    return Problem(slots=slots, tables=tables + (Table("ST"),), participants=tuple(people),
                   meetings=meetings)


def _brute_force(problem: Problem) -> int:
    """The best value over every assignment of each meeting to a slot or to nothing."""
    d = Domains(problem)
    meetings = list(problem.meetings)
    best = 0

    def go(i: int, busy: set, count: dict, pooled: dict, value: int) -> None:
        nonlocal best
        best = max(best, value)
        if i == len(meetings) or value + sum(m.priority for m in meetings[i:]) <= best:
            return
        m = meetings[i]
        if d.allowed_tables(m):
            for pos in d.allowed_slots(m):
                if any((p, pos) in busy or count.get(p, 0) >= d.cap(p) for p in m.participants):
                    continue
                is_pooled = d.is_pooled(m)
                if is_pooled and pooled.get(pos, 0) >= len(d.pooled):
                    continue
                for p in m.participants:
                    busy.add((p, pos))
                    count[p] = count.get(p, 0) + 1
                if is_pooled:
                    pooled[pos] = pooled.get(pos, 0) + 1
                go(i + 1, busy, count, pooled, value + m.priority)
                for p in m.participants:
                    busy.discard((p, pos))
                    count[p] -= 1
                if is_pooled:
                    pooled[pos] -= 1
        go(i + 1, busy, count, pooled, value)

    go(0, set(), {}, {}, 0)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_optimum_on_small_instances_equals_brute_force(seed):
    problem = _random_small(seed)
    schedule = solve(problem, time_limit_s=2, num_workers=1, seed=seed)
    _assert_valid(problem, schedule)
    assert schedule.status == "optimal"
    assert schedule.stats["weighted_value"] == _brute_force(problem)
    assert schedule.stats["upper_bound"] == schedule.stats["weighted_value"]


def test_same_schedule_with_one_worker_and_a_seed():
    problem = generate(80, seed=11, slots=10, scarce_tables=True, stands=True)
    first = solve(problem, time_limit_s=2, num_workers=1, seed=5)
    second = solve(problem, time_limit_s=2, num_workers=1, seed=5)
    assert first.assignments == second.assignments
    assert first.unscheduled == second.unscheduled


def test_resolve_without_changes_keeps_every_placement():
    problem = generate(40, seed=1, slots=16, stands=True)
    first = solve(problem, time_limit_s=3, num_workers=2)
    assert first.status == "optimal"
    placed = {a.meeting: a for a in first.assignments}
    again = replace(problem, meetings=tuple(
        replace(m, previous=Placement(placed[m.id].slot, placed[m.id].table))
        if m.id in placed else m for m in problem.meetings))
    second = solve(again, time_limit_s=3, num_workers=2)
    _assert_valid(again, second)
    assert second.stats["moved_from_previous"] == 0
    assert second.stats["weighted_value"] == first.stats["weighted_value"]


def _tiny(meetings, people=None, slots=2, tables=1) -> Problem:
    start = datetime(2026, 11, 21, 9)
    return Problem(
        slots=tuple(Slot(f"s{i + 1}", start + timedelta(minutes=25 * i),
                         start + timedelta(minutes=25 * i + 20)) for i in range(slots)),
        tables=tuple(Table(f"T{i + 1}") for i in range(tables)),
        participants=people or tuple(Participant(f"p{i}") for i in range(1, 6)),
        meetings=tuple(meetings))


def test_reason_no_common_slot():
    people = (Participant("p1", available=frozenset({"s1"})),
              Participant("p2", available=frozenset({"s2"})))
    schedule = solve(_tiny([Meeting("m1", ("p1", "p2"))], people), time_limit_s=2)
    assert schedule.unscheduled[0].reason == "p1 and p2 have no common available slot"


def test_reason_cap_reached():
    people = (Participant("p1", max_meetings=1), Participant("p2"), Participant("p3"))
    problem = _tiny([Meeting("m1", ("p1", "p2"), priority=2), Meeting("m2", ("p1", "p3"))],
                    people, tables=2)
    schedule = solve(problem, time_limit_s=2)
    assert [u.meeting for u in schedule.unscheduled] == ["m2"]
    assert schedule.unscheduled[0].reason == "p1 reached its max_meetings (1)"


def test_reason_tables_full():
    problem = _tiny([Meeting("m1", ("p1", "p2"), priority=3), Meeting("m2", ("p3", "p4"), priority=2),
                     Meeting("m3", ("p1", "p5")), Meeting("m4", ("p3", "p5"))], slots=1)
    schedule = solve(problem, time_limit_s=2)
    assert {u.meeting for u in schedule.unscheduled} == {"m2", "m3", "m4"}
    for u in schedule.unscheduled:
        assert u.reason.startswith("lost to meetings of higher total priority: ")
    by_id = {u.meeting: u.reason for u in schedule.unscheduled}
    assert "every shared table is taken at s1" in by_id["m2"]
    assert "p1 is busy at s1 (m1)" in by_id["m3"]


def test_reasons_for_every_unscheduled_meeting_on_a_crowded_event():
    problem = generate(80, seed=2, slots=10, scarce_tables=True)
    schedule = solve(problem, time_limit_s=3)
    _assert_valid(problem, schedule)
    assert schedule.unscheduled
    assert len(schedule.assignments) + len(schedule.unscheduled) == len(problem.meetings)


def test_progress_is_reported_and_stop_keeps_a_valid_schedule():
    problem = generate(80, seed=3, slots=10, scarce_tables=True)
    calls = []
    stop = threading.Event()

    def progress(elapsed, value, bound, **more):
        calls.append((elapsed, value, bound))
        stop.set()

    schedule = solve(problem, time_limit_s=20, progress=progress, stop=stop)
    _assert_valid(problem, schedule)
    assert calls and all(value <= bound for _, value, bound in calls)
    assert schedule.stats["weighted_value"] >= fcfs(problem).stats["weighted_value"]
