"""SAT neighbourhood search on idle gaps: fewer holes, every rule, the kept meetings kept."""
from __future__ import annotations

import random

import pytest
from pysat.solvers import Solver

from matchmaker.scheduling import compact as c
from matchmaker.scheduling import maxsat, sat_lns
from matchmaker.scheduling.compact_search import CompactSearch
from matchmaker.scheduling.maxsat_runs import MaxsatRun
from matchmaker.scheduling.meetingset import MeetingSet, default_day_key
from matchmaker.scheduling.placement import assign_tables, score
from matchmaker.scheduling.problem import Problem
from test_compact import brute_force_min_holes, gaps_of, independent_violations, random_problem

NO_CAP = 99


def _data(problem: Problem) -> MeetingSet:
    return MeetingSet(problem, [m.id for m in problem.meetings], default_day_key)


def _placements(data: MeetingSet, assign: list[int], choice: dict[int, str]) -> dict[str, tuple[str, str]]:
    tables = assign_tables(data, assign, choice)
    return {data.meetings[k].id: (data.slots[s].id, tables[k]) for k, s in enumerate(assign)}


def _poor_placement(data: MeetingSet, above: int) -> tuple[list[int], dict[int, str]]:
    """A valid placement with more than `above` holes: the hard clauses solved with random phases."""
    enc = maxsat.Encoding(data, [NO_CAP] * len(data.pids), redundant=False)
    rng = random.Random(0)
    with Solver(name="glucose4", bootstrap_with=enc.wcnf.hard) as solver:
        for _ in range(50):
            solver.set_phases([v if rng.random() < 0.5 else -v for v in range(1, enc.top + 1)])
            assert solver.solve()
            assign, choice = enc.decode(solver.get_model())
            if score(data, assign)[0] > above:
                return assign, choice
    raise AssertionError("no placement above the optimum found")


@pytest.mark.parametrize("seed", range(4))
def test_improve_reaches_the_fewest_holes_and_every_step_obeys_the_rules(seed: int) -> None:
    problem = random_problem(seed, days=2 if seed % 2 else 1, per_day=4 if seed % 2 else 5,
                             n_people=6, n_meetings=8)
    ids = [m.id for m in problem.meetings]
    best = brute_force_min_holes(problem, ids)
    assert best is not None
    data = _data(problem)
    assign, _ = _poor_placement(data, best)
    holes = score(data, assign)[0]
    search = sat_lns.HoleSearch(data, [NO_CAP] * len(data.pids), [0] * len(data.pids), holes)
    seen: list[int] = []

    def better(new: list[int], choice: dict[int, str]) -> None:
        placed = _placements(data, new, choice)
        assert independent_violations(problem, placed, ids) == []
        seen.append(gaps_of(problem, placed)[0])

    reached = sat_lns.improve(search, assign, holes, lambda: search.calls >= 300, better, target=best)
    search.close()
    assert reached == best
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == len(seen)
    assert seen[0] < holes and seen[-1] == best


def test_meetings_outside_the_neighbourhood_keep_their_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(3, days=1, per_day=7, n_people=7, n_meetings=12, pins=False)
    data = _data(problem)
    assign, _ = _poor_placement(data, 0)
    holes = score(data, assign)[0]
    search = sat_lns.HoleSearch(data, [NO_CAP] * len(data.pids), [0] * len(data.pids), holes)
    p = data.mparts[0][0]
    free = set(data.by_part[p])
    monkeypatch.setattr(search, "neighbourhood", lambda assign: free)
    better = 0
    for _ in range(5):
        got = search.try_once(assign, holes)
        if got is not None:
            better += 1
            assert all(got[0][k] == s for k, s in enumerate(assign) if k not in free)
            assert score(data, got[0])[0] < holes
            assign, holes = got[0], score(data, got[0])[0]
    search.close()
    assert better >= 1


def test_no_placement_comes_at_the_optimum() -> None:
    problem = random_problem(4, days=1, per_day=6, n_people=6, n_meetings=9)
    data = _data(problem)
    out = maxsat.solve(data, [NO_CAP] * len(data.pids), maxsat.VARIANTS[0])
    assert out is not None
    search = sat_lns.HoleSearch(data, [NO_CAP] * len(data.pids), [0] * len(data.pids), out.holes + 3)
    for _ in range(20):
        assert search.try_once(out.assign, out.holes) is None
    search.close()


def test_a_neighbourhood_around_a_participant_holds_its_meetings() -> None:
    problem = random_problem(6, days=1, per_day=7, n_people=8, n_meetings=14, pins=False)
    data = _data(problem)
    search = sat_lns.HoleSearch(data, [NO_CAP] * len(data.pids), [0] * len(data.pids), 5)
    most = max(len(ks) for ks in data.by_part)
    for p in range(len(data.pids)):
        for size in (1, 6, data.n):
            search.size = size
            free = search.around(p)
            assert set(data.by_part[p]) <= free
            # past the size by one person's meetings at most
            assert len(free) < size + most
        search.size = data.n
        linked = {k for k in range(data.n) if data.mparts[k][0] == p or data.mparts[k][1] == p}
        assert linked <= search.around(p)
    search.close()


def test_compact_improves_by_sat_neighbourhoods_when_nothing_else_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(2, days=1, per_day=5, n_people=6, n_meetings=8, pins=False)
    ids = [m.id for m in problem.meetings]
    best = brute_force_min_holes(problem, ids)
    data = _data(problem)
    assign, choice = _poor_placement(data, best or 0)
    start = _placements(data, assign, choice)
    # no MaxSAT child and an annealing that changes nothing: only the SAT turns can improve
    monkeypatch.setattr(MaxsatRun, "spawn", classmethod(lambda cls: None))
    monkeypatch.setattr(CompactSearch, "anneal", lambda self, until, hot, watch=None: None)
    result = c.compact(problem, ids, start=start, time_limit_s=6.0, num_workers=1, secondary=False)
    assert result.idle_gaps == best
    assert any(move == "sat-lns" for _, move, _ in result.stats["trace"])
