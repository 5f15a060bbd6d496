"""The MaxSAT hole minimiser: optimum on small cases, every hard rule, caps, and its bound."""
from __future__ import annotations

import multiprocessing
import time
from datetime import datetime, timedelta

import pytest

from matchmaker.scheduling import compact as c
from matchmaker.scheduling import maxsat, solve
from matchmaker.scheduling.check import check
from matchmaker.scheduling.maxsat_runs import MaxsatRun
from matchmaker.scheduling.meetingset import MeetingSet, default_day_key
from matchmaker.scheduling.placement import as_ids, assign_tables, from_start
from matchmaker.scheduling.problem import Meeting, Participant, Placement, Problem, Slot, Table
from test_compact import (
    SHARED_B2B, as_schedule, brute_force_min_holes, dzn, gaps_of, independent_violations, random_problem,
)

ANY = maxsat.VARIANTS[0]
_BRUTE: dict[int, int | None] = {}


def _data(problem: Problem) -> MeetingSet:
    return MeetingSet(problem, [m.id for m in problem.meetings], default_day_key)


def _placements(data: MeetingSet, out: maxsat.Outcome) -> dict[str, tuple[str, str]]:
    tables = assign_tables(data, out.assign, out.choice)
    return {data.meetings[k].id: (data.slots[s].id, tables[k]) for k, s in enumerate(out.assign)}


def _slots(n: int) -> tuple[Slot, ...]:
    base = datetime(2026, 11, 23, 9, 0)
    return tuple(Slot(f"s{i}", base + timedelta(minutes=30 * i), base + timedelta(minutes=30 * i + 25))
                 for i in range(n))


@pytest.mark.parametrize("variant", maxsat.VARIANTS)
@pytest.mark.parametrize("seed", range(8))
def test_fewest_holes_equal_brute_force_and_every_rule_holds(seed: int, variant: maxsat.Variant) -> None:
    problem = random_problem(seed, days=2 if seed % 2 else 1, per_day=4 if seed % 2 else 5,
                             n_people=6, n_meetings=8)
    ids = [m.id for m in problem.meetings]
    if seed not in _BRUTE:
        _BRUTE[seed] = brute_force_min_holes(problem, ids)
    data = _data(problem)
    out = maxsat.solve(data, [99] * len(data.pids), variant)
    assert out is not None
    placed = _placements(data, out)
    assert independent_violations(problem, placed, ids) == []
    assert out.holes == gaps_of(problem, placed)[0] == _BRUTE[seed]


def test_meeting_of_two_stand_owners_takes_the_free_stand() -> None:
    # p0 shares stand S0 with p4; p4 meets p2 there at s0, so p0-p1 must sit at p1's stand S1
    slots = _slots(2)
    people = (
        Participant("p0", "supplier", table="S0"), Participant("p4", "supplier", table="S0"),
        Participant("p1", "supplier", table="S1"), Participant("p2", "buyer"),
    )
    s0 = frozenset({"s0"})
    meetings = (Meeting("m01", ("p0", "p1"), available=s0), Meeting("m42", ("p4", "p2"), available=s0),
                Meeting("m41", ("p4", "p1"), fixed=Placement("s1", "S1")))
    problem = Problem(slots, (Table("S0"), Table("S1"), Table("T1")), people, meetings)
    data = _data(problem)
    out = maxsat.solve(data, [99] * len(data.pids), ANY)
    assert out is not None
    placed = _placements(data, out)
    assert placed == {"m01": ("s0", "S1"), "m42": ("s0", "S0"), "m41": ("s1", "S1")}
    assert independent_violations(problem, placed, ["m01", "m42", "m41"]) == []
    # what compact() checks before it takes a MaxSAT placement
    assert from_start(data, as_ids(data, out.assign, out.choice))[0] == out.assign


def _forced_hole() -> Problem:
    # a is free only at s0 and s2: its two meetings leave it one hole, whatever happens
    slots = _slots(3)
    people = (Participant("a", "buyer", available=frozenset({"s0", "s2"})),
              Participant("b", "supplier"), Participant("d", "supplier"))
    meetings = (Meeting("ab", ("a", "b")), Meeting("ad", ("a", "d")))
    return Problem(slots, (Table("T1"),), people, meetings)


def test_caps_are_kept_and_an_impossible_cap_says_so() -> None:
    data = _data(_forced_hole())
    a = data.pidx["a"]
    caps = [99] * len(data.pids)
    caps[a] = 0
    assert maxsat.solve(data, caps, ANY) is None
    caps[a] = 1
    out = maxsat.solve(data, caps, ANY)
    assert out is not None and out.holes == 1


def test_bound_without_caps_from_the_capped_optimum() -> None:
    # everyone within cap: the capped optimum 3 is the bound when nobody can exceed a cap cheaply
    assert maxsat.proven_bound(3, caps=[2, 2], own=[0, 0]) == 3
    # a schedule giving participant 0 four holes (cap 3) and the others their minimum costs 4 + 0 + 0
    assert maxsat.proven_bound(6, caps=[3, 2, 2], own=[1, 0, 0]) == 4
    assert maxsat.proven_bound(2, caps=[], own=[]) == 2


def test_compact_takes_the_maxsat_optimum_with_one_worker() -> None:
    problem = random_problem(3, days=1, per_day=5, n_people=6, n_meetings=9)
    ids = [m.id for m in problem.meetings]
    result = c.compact(problem, ids, time_limit_s=5.0, num_workers=1, secondary=False)
    assert check(problem, as_schedule(problem, result)) == []
    assert result.idle_gaps == brute_force_min_holes(problem, ids)
    assert any(move.startswith("maxsat") for _, move, _ in result.stats["trace"])


def test_stopped_maxsat_child_leaves_no_process() -> None:
    path = SHARED_B2B / "forum-13crafb.original.dzn"
    if not path.exists():
        pytest.skip(f"shared B2B-forum data not present at {SHARED_B2B}")
    problem = dzn.read_instance(path).problem
    # far too little time for the proof: the spawned child is terminated; on a loaded
    # machine the 4 s may not even give a first placement, which is reported as such
    result = c.compact(problem, [m.id for m in problem.meetings], time_limit_s=4.0, num_workers=2,
                       secondary=False)
    if result.placements:
        assert check(problem, as_schedule(problem, result)) == []
        assert result.status in ("optimal", "feasible")
    else:
        assert result.status == "unknown"
    assert multiprocessing.active_children() == []


def test_solve_reports_a_proven_idle_gaps_bound_and_reaches_it() -> None:
    schedule = solve(_forced_hole(), time_limit_s=5.0, num_workers=2)
    assert schedule.stats["scheduled"] == 2
    assert schedule.stats["idle_gaps"] == 1
    assert schedule.stats["idle_gaps_bound"] == 1


@pytest.mark.parametrize("seed", [1, 4])
def test_solve_gaps_bound_never_exceeds_the_true_minimum(seed: int) -> None:
    problem = random_problem(seed, days=1, per_day=5, n_people=6, n_meetings=9)
    schedule = solve(problem, time_limit_s=3.0, num_workers=2)
    ids = [a.meeting for a in schedule.assignments]
    fewest = brute_force_min_holes(problem, ids)
    assert fewest is not None
    assert schedule.stats["idle_gaps_bound"] <= fewest <= schedule.stats["idle_gaps"]


def test_proof_reports_rising_bounds_up_to_the_optimum() -> None:
    data = _data(_forced_hole())
    costs: list[int] = []
    out = maxsat.solve(data, [99] * len(data.pids), ANY, on_cost=costs.append)
    assert out is not None and out.holes == 1
    assert costs == sorted(costs) and costs[-1] == out.holes


def test_child_reports_its_bound_before_its_placement() -> None:
    data = _data(_forced_hole())
    run = MaxsatRun.spawn()
    assert run is not None
    try:
        run.give(data, [99] * len(data.pids), ANY, seconds=60.0, until=time.monotonic() + 60.0)
        got = None
        while got is None:
            got = run.poll()
            time.sleep(0.01)
        assert isinstance(got, tuple) and got[2] == 1
        assert run.bound == 1
    finally:
        run.close()
    assert multiprocessing.active_children() == []
