"""compact(): every given meeting placed under the hard rules, fewest holes first."""
from __future__ import annotations

import importlib.util
import itertools
import random
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from matchmaker.scheduling.check import check, metrics
from matchmaker.scheduling.compact import CompactResult, compact
from matchmaker.scheduling.problem import (
    Assignment, Meeting, Participant, Placement, Problem, Schedule, Slot, Table, Unscheduled,
)

REPO = Path(__file__).resolve().parents[2]
SHARED_B2B = REPO.parent / "shared" / "benchmarks" / "b2b-forum"


def _load_reader():
    spec = importlib.util.spec_from_file_location("b2b_forum_dzn", REPO / "benchmarks" / "b2b_forum_dzn.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("b2b_forum_dzn", module)
    spec.loader.exec_module(module)
    return module


dzn = _load_reader()


# ---------------------------------------------------------------------------
# helpers


def slots_over(days: int, per_day: int) -> tuple[Slot, ...]:
    out = []
    for d in range(days):
        base = datetime(2026, 11, 21 + d, 9, 0)
        for i in range(per_day):
            start = base + timedelta(minutes=25 * i)
            out.append(Slot(f"d{d}s{i}", start, start + timedelta(minutes=20)))
    return tuple(out)


def random_problem(seed: int, *, days: int = 1, per_day: int = 5, n_people: int = 6,
                   n_meetings: int = 8, pool: int = 2, stand: bool = True, pins: bool = True) -> Problem:
    """A small random instance with pooled tables, a stand, availabilities and pins."""
    rng = random.Random(seed)
    slots = slots_over(days, per_day)
    sids = [s.id for s in slots]
    tables = [Table(f"T{i}") for i in range(pool)]
    people = []
    for i in range(n_people):
        available = None
        if rng.random() < 0.3:
            available = frozenset(rng.sample(sids, max(2, len(sids) - 2)))
        own = None
        if stand and i == 0:
            own = "STAND-A"
        people.append(Participant(f"p{i}", "supplier" if own else "buyer", available=available, table=own))
    if stand:
        tables.append(Table("STAND-A"))
    pairs = list(itertools.combinations(range(n_people), 2))
    rng.shuffle(pairs)
    # feasible by construction: each meeting is kept only if it fits a placement built alongside
    pool_ids = [t.id for t in tables if t.id != "STAND-A"]
    busy: set[tuple[str, str]] = set()
    used_tables: set[tuple[str, str]] = set()
    meetings: list[Meeting] = []
    where: dict[str, tuple[str, str]] = {}
    for a, b in pairs:
        if len(meetings) == n_meetings:
            break
        pa, pb = people[a], people[b]
        available = None
        if rng.random() < 0.2:
            available = frozenset(rng.sample(sids, max(2, len(sids) // 2)))
        order = sids[:]
        rng.shuffle(order)
        for slot in order:
            if any(q.available is not None and slot not in q.available for q in (pa, pb)):
                continue
            if available is not None and slot not in available:
                continue
            if (pa.id, slot) in busy or (pb.id, slot) in busy:
                continue
            own = pa.table or pb.table
            free = [own] if own else pool_ids
            table = next((t for t in free if (t, slot) not in used_tables), None)
            if table is None:
                continue
            mid = f"m{len(meetings)}"
            busy.update({(pa.id, slot), (pb.id, slot)})
            used_tables.add((table, slot))
            where[mid] = (slot, table)
            meetings.append(Meeting(mid, (pa.id, pb.id), available=available))
            break
    if pins and meetings:
        first = meetings[0]
        slot, table = where[first.id]
        fixed = Placement(slot, table if rng.random() < 0.5 else None)
        meetings[0] = Meeting(first.id, first.participants, available=first.available, fixed=fixed,
                              previous=Placement(slot, table))
    return Problem(slots, tuple(tables), tuple(people), tuple(meetings))


def as_schedule(problem: Problem, result: CompactResult) -> Schedule:
    placed = [Assignment(mid, s, t) for mid, (s, t) in result.placements.items()]
    rest = [Unscheduled(m.id, "not given") for m in problem.meetings if m.id not in result.placements]
    return Schedule(result.status, tuple(placed), tuple(rest))


def independent_violations(problem: Problem, placements: dict[str, tuple[str, str]],
                           ids: list[str]) -> list[str]:
    """The hard rules, re-stated without the project's checker."""
    errors = []
    parts = {p.id: p for p in problem.participants}
    owned = {p.table for p in problem.participants if p.table}
    by_id = {m.id: m for m in problem.meetings}
    person_slot: set[tuple[str, str]] = set()
    table_slot: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    for mid in ids:
        if mid not in placements:
            errors.append(f"{mid} missing")
            continue
        m = by_id[mid]
        slot, table = placements[mid]
        own = {parts[p].table for p in m.participants if parts[p].table}
        if own and table not in own:
            errors.append(f"{mid} not at its owner's table")
        if not own and table in owned:
            errors.append(f"{mid} at someone's stand")
        if m.available is not None and slot not in m.available:
            errors.append(f"{mid} outside its own slots")
        if m.fixed is not None and (slot != m.fixed.slot or (m.fixed.table and table != m.fixed.table)):
            errors.append(f"{mid} moved from its pin")
        for p in m.participants:
            av = parts[p].available
            if av is not None and slot not in av:
                errors.append(f"{p} unavailable for {mid}")
            if (p, slot) in person_slot:
                errors.append(f"{p} double-booked at {slot}")
            person_slot.add((p, slot))
            count[p] = count.get(p, 0) + 1
        if (table, slot) in table_slot:
            errors.append(f"{table} double-booked at {slot}")
        table_slot.add((table, slot))
    for p, n in count.items():
        cap = parts[p].max_meetings
        if cap is not None and n > cap:
            errors.append(f"{p} above max_meetings")
    return errors


def gaps_of(problem: Problem, placements: dict[str, tuple[str, str]]) -> tuple[int, int]:
    """(holes, idle slots) per participant and calendar day, counted directly."""
    order = {s.id: i for i, s in enumerate(problem.slots)}
    day = {s.id: s.start.date() for s in problem.slots}
    by_id = {m.id: m for m in problem.meetings}
    busy: dict[tuple[str, object], list[int]] = {}
    for mid, (slot, _) in placements.items():
        for p in by_id[mid].participants:
            busy.setdefault((p, day[slot]), []).append(order[slot])
    holes = idle = 0
    for pos in busy.values():
        pos.sort()
        for a, b in zip(pos, pos[1:]):
            if b > a + 1:
                holes += 1
                idle += b - a - 1
    return holes, idle


def brute_force_min_holes(problem: Problem, ids: list[str]) -> int | None:
    """Fewest holes over every assignment of slots (tables checked by capacity)."""
    parts = {p.id: p for p in problem.participants}
    owned = {p.table for p in problem.participants if p.table}
    pool = [t.id for t in problem.tables if t.id not in owned]
    by_id = {m.id: m for m in problem.meetings}
    options = []
    for mid in ids:
        m = by_id[mid]
        ok = [s.id for s in problem.slots]
        for p in m.participants:
            if parts[p].available is not None:
                ok = [s for s in ok if s in parts[p].available]
        if m.available is not None:
            ok = [s for s in ok if s in m.available]
        if m.fixed is not None:
            ok = [s for s in ok if s == m.fixed.slot]
        options.append(ok)
    best = None
    for combo in itertools.product(*options):
        seen = set()
        load: dict[tuple[str, str], int] = {}
        valid = True
        for mid, slot in zip(ids, combo):
            m = by_id[mid]
            for p in m.participants:
                if (p, slot) in seen:
                    valid = False
                seen.add((p, slot))
            own = sorted({parts[p].table for p in m.participants if parts[p].table})
            key = (own[0] if len(own) == 1 else "pool" if not own else "multi", slot)
            load[key] = load.get(key, 0) + 1
        if not valid:
            continue
        if any(n > (len(pool) if k[0] == "pool" else 1) for k, n in load.items()):
            continue
        holes, _ = gaps_of(problem, {mid: (slot, "") for mid, slot in zip(ids, combo)})
        best = holes if best is None else min(best, holes)
    return best


# ---------------------------------------------------------------------------
# hard rules and reported numbers


@pytest.mark.parametrize("seed", range(6))
def test_compact_places_every_meeting_validly(seed: int) -> None:
    problem = random_problem(seed, days=2 if seed % 2 else 1, per_day=4, n_people=6, n_meetings=9)
    ids = [m.id for m in problem.meetings]
    result = compact(problem, ids, time_limit_s=3.0, num_workers=1, seed=seed)
    assert result.status in ("optimal", "feasible"), result.reason
    assert set(result.placements) == set(ids)
    assert independent_violations(problem, result.placements, ids) == []
    assert check(problem, as_schedule(problem, result)) == []
    holes, idle = gaps_of(problem, result.placements)
    assert (result.idle_gaps, result.idle_slots) == (holes, idle)
    stats = metrics(problem, result.placements)
    assert stats["idle_gaps"] == holes
    assert stats["table_changes"] == result.table_changes
    assert stats["moved_from_previous"] == result.moved_from_previous
    assert 0 <= result.lower_bound <= result.idle_gaps


def test_compact_keeps_pins_with_and_without_table() -> None:
    slots = slots_over(1, 4)
    problem = Problem(
        slots,
        (Table("T1"), Table("T2")),
        (Participant("a"), Participant("b"), Participant("c")),
        (
            Meeting("ab", ("a", "b"), fixed=Placement("d0s3", "T2")),
            Meeting("ac", ("a", "c"), fixed=Placement("d0s0")),
            Meeting("bc", ("b", "c")),
        ),
    )
    result = compact(problem, ["ab", "ac", "bc"], time_limit_s=2.0, num_workers=1)
    assert result.placements["ab"] == ("d0s3", "T2")
    assert result.placements["ac"][0] == "d0s0"
    assert independent_violations(problem, result.placements, ["ab", "ac", "bc"]) == []


def test_stand_owner_meets_at_own_table_and_others_on_pool() -> None:
    slots = slots_over(1, 3)
    problem = Problem(
        slots,
        (Table("T1"), Table("STAND")),
        (Participant("s", "supplier", table="STAND"), Participant("x"), Participant("y"), Participant("z")),
        (Meeting("sx", ("s", "x")), Meeting("sy", ("s", "y")), Meeting("xz", ("x", "z")),
         Meeting("yz", ("y", "z"))),
    )
    ids = ["sx", "sy", "xz", "yz"]
    result = compact(problem, ids, time_limit_s=2.0, num_workers=1)
    assert result.placements["sx"][1] == "STAND"
    assert result.placements["sy"][1] == "STAND"
    assert result.placements["xz"][1] == "T1"
    assert result.placements["yz"][1] == "T1"
    assert check(problem, as_schedule(problem, result)) == []


def test_only_the_given_meetings_are_placed() -> None:
    problem = random_problem(11, pins=False)
    ids = [m.id for m in problem.meetings][:4]
    result = compact(problem, ids, time_limit_s=2.0, num_workers=1)
    assert set(result.placements) == set(ids)
    assert check(problem, as_schedule(problem, result)) == []


@pytest.mark.parametrize("seed", range(5))
def test_holes_match_brute_force_minimum(seed: int) -> None:
    problem = random_problem(100 + seed, per_day=4, n_people=5, n_meetings=6, pool=1, stand=seed % 2 == 0)
    ids = [m.id for m in problem.meetings]
    best = brute_force_min_holes(problem, ids)
    assert best is not None
    result = compact(problem, ids, time_limit_s=5.0, num_workers=1, seed=seed)
    assert result.idle_gaps == best
    assert result.lower_bound <= best
    assert independent_violations(problem, result.placements, ids) == []


def test_a_single_gap_free_order_is_found() -> None:
    """Three meetings of one buyer fit back to back only in one order (s1, s3, s2)."""
    slots = slots_over(1, 5)
    sid = [s.id for s in slots]
    problem = Problem(
        slots,
        (Table("T1"), Table("T2")),
        (Participant("buyer"), Participant("s1", available=frozenset(sid[0:2])),
         Participant("s2", available=frozenset(sid[3:5])), Participant("s3")),
        (Meeting("a", ("buyer", "s1")), Meeting("b", ("buyer", "s2")), Meeting("c", ("buyer", "s3"))),
    )
    result = compact(problem, ["a", "b", "c"], time_limit_s=3.0, num_workers=1)
    assert result.idle_gaps == 0
    assert [result.placements[m][0] for m in "acb"] == [sid[1], sid[2], sid[3]]
    assert result.status == "optimal"


def test_holes_never_span_two_days() -> None:
    slots = slots_over(2, 2)
    problem = Problem(
        slots,
        (Table("T1"),),
        (Participant("a"), Participant("b", available=frozenset({"d0s1", "d1s0"}))),
        (Meeting("m1", ("a", "b"), fixed=Placement("d0s1")), Meeting("m2", ("a", "b"), fixed=Placement("d1s0"))),
    )
    result = compact(problem, ["m1", "m2"], time_limit_s=1.0, num_workers=1)
    assert result.idle_gaps == 0
    # one day for every slot: the same meetings leave a gap
    one_day = compact(problem, ["m1", "m2"], time_limit_s=1.0, num_workers=1, day_key=lambda s: 0)
    assert one_day.idle_gaps == 0  # consecutive positions d0s1, d1s0: no free slot between


def test_day_key_counts_gaps_within_the_chosen_days() -> None:
    slots = slots_over(1, 4)
    problem = Problem(
        slots,
        (Table("T1"),),
        (Participant("a"), Participant("b")),
        (Meeting("m1", ("a", "b"), fixed=Placement("d0s0")), Meeting("m2", ("a", "b"), fixed=Placement("d0s3"))),
    )
    whole = compact(problem, ["m1", "m2"], time_limit_s=1.0, num_workers=1)
    assert (whole.idle_gaps, whole.idle_slots) == (2, 4)  # one gap of two slots for each
    halves = compact(problem, ["m1", "m2"], time_limit_s=1.0, num_workers=1,
                     day_key=lambda s: s.id in ("d0s2", "d0s3"))
    assert halves.idle_gaps == 0


def test_previous_placement_kept_when_it_costs_nothing() -> None:
    slots = slots_over(1, 3)
    problem = Problem(
        slots,
        (Table("T1"), Table("T2")),
        (Participant("a"), Participant("b"), Participant("c")),
        (Meeting("ab", ("a", "b"), previous=Placement("d0s2", "T2")),),
    )
    result = compact(problem, ["ab"], time_limit_s=2.0, num_workers=1)
    assert result.placements["ab"] == ("d0s2", "T2")
    assert result.moved_from_previous == 0
    assert result.status == "optimal"


def test_start_placement_is_used_and_never_worsened() -> None:
    problem = random_problem(7, per_day=5, n_people=6, n_meetings=9, pins=False)
    ids = [m.id for m in problem.meetings]
    first = compact(problem, ids, time_limit_s=0.5, num_workers=1, secondary=False)
    again = compact(problem, ids, start=first.placements, time_limit_s=2.0, num_workers=1)
    assert again.idle_gaps <= first.idle_gaps
    assert check(problem, as_schedule(problem, again)) == []


def test_stop_event_returns_a_valid_placement() -> None:
    problem = random_problem(3, per_day=5, n_people=6, n_meetings=9, pins=False)
    ids = [m.id for m in problem.meetings]
    stop = threading.Event()
    stop.set()
    result = compact(problem, ids, time_limit_s=30.0, num_workers=1, stop=stop)
    assert result.status in ("feasible", "optimal", "unknown")
    if result.placements:
        assert check(problem, as_schedule(problem, result)) == []


def test_meeting_without_a_common_slot_is_infeasible() -> None:
    slots = slots_over(1, 2)
    problem = Problem(
        slots,
        (Table("T1"),),
        (Participant("a", available=frozenset({"d0s0"})), Participant("b", available=frozenset({"d0s1"}))),
        (Meeting("ab", ("a", "b")),),
    )
    result = compact(problem, ["ab"], time_limit_s=1.0, num_workers=1)
    assert result.status == "infeasible"
    assert result.placements == {}
    assert "ab" in result.reason


def test_too_many_meetings_for_the_tables_is_infeasible() -> None:
    slots = slots_over(1, 1)
    problem = Problem(
        slots,
        (Table("T1"),),
        (Participant("a"), Participant("b"), Participant("c"), Participant("d")),
        (Meeting("ab", ("a", "b")), Meeting("cd", ("c", "d"))),
    )
    result = compact(problem, ["ab", "cd"], time_limit_s=2.0, num_workers=1)
    assert result.status == "infeasible"


def test_max_meetings_above_the_given_meetings_is_infeasible() -> None:
    slots = slots_over(1, 3)
    problem = Problem(
        slots,
        (Table("T1"),),
        (Participant("a", max_meetings=1), Participant("b"), Participant("c")),
        (Meeting("ab", ("a", "b")), Meeting("ac", ("a", "c"))),
    )
    assert compact(problem, ["ab", "ac"], time_limit_s=1.0, num_workers=1).status == "infeasible"


# ---------------------------------------------------------------------------
# the B2B-forum reader

TINY_DZN = """
% two mornings slots, one afternoon slot
nBusiness = 3;
nMeetings = 3;
nTables = 1;
nTotalSlots = 3;
nMorningSlots = 2;
requested = [| 1, 2, 1
             | 1, 3, 3
             | 2, 3, 2 |];
forbidden = [{0}, {0}, {1}];
fixed = [0, 0, 3];
precedences = [{}, {}, {}];
"""


def test_tiny_dzn_text_becomes_a_problem() -> None:
    inst = dzn.to_problem(dzn.parse_dzn(TINY_DZN), name="tiny")
    p = inst.problem
    assert [s.id for s in p.slots] == ["s01", "s02", "s03"]
    assert [t.id for t in p.tables] == ["T01"]
    assert [q.id for q in p.participants] == ["b1", "b2", "b3"]
    assert p.participants[2].available == frozenset({"s02", "s03"})
    m1, m2, m3 = p.meetings
    assert m1.participants == ("b1", "b2") and m1.available == frozenset({"s01", "s02"})
    assert m2.available is None
    assert m3.available == frozenset({"s03"}) and m3.fixed == Placement("s03")
    assert p.slots[1].start.date() == p.slots[2].start.date()  # one day: the break is no boundary
    result = compact(p, [m.id for m in p.meetings], time_limit_s=2.0, num_workers=1)
    # m3 is pinned to s03 and b3 cannot meet at s01, so m2 takes s02 and m1 s01:
    # b2 meets at s01 and s03, one hole (the break lies after s02, so s02 is a free slot)
    assert result.status == "optimal"
    assert result.idle_gaps == 1
    assert [result.placements[m][0] for m in ("m1", "m2", "m3")] == ["s01", "s02", "s03"]


def test_dzn_parser_reads_ranges_sets_and_matrices() -> None:
    data = dzn.parse_dzn("a = 3; s = 2..4; t = {1, 5}; v = [1, 2]; w = [| 1, 2 | 3, 4 |];")
    assert data == {"a": 3, "s": frozenset({2, 3, 4}), "t": frozenset({1, 5}), "v": [1, 2],
                    "w": [[1, 2], [3, 4]]}
    with pytest.raises(dzn.DznError):
        dzn.parse_dzn("a = ;")


def test_dzn_counts_are_checked() -> None:
    bad = TINY_DZN.replace("nMeetings = 3", "nMeetings = 4")
    with pytest.raises(dzn.DznError):
        dzn.to_problem(dzn.parse_dzn(bad))


def test_real_forum_instance_is_read() -> None:
    path = SHARED_B2B / "forum-14.original.dzn"
    if not path.exists():
        pytest.skip(f"shared B2B-forum data not present at {SHARED_B2B}")
    inst = dzn.read_instance(path)
    p = inst.problem
    assert (len(p.meetings), len(p.participants), len(p.tables), len(p.slots)) == (302, 78, 22, 22)
    assert inst.n_morning_slots == 12
    assert all(q.table is None for q in p.participants)
    morning = {s.id for s in p.slots[:12]}
    assert any(m.available == frozenset(morning) for m in p.meetings)
    assert any(q.available is not None for q in p.participants)


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_annealing_returns_a_valid_placement_never_worse_than_its_start(seed: int) -> None:
    from matchmaker.scheduling.anneal import anneal
    from matchmaker.scheduling.meetingset import MeetingSet, default_day_key
    from matchmaker.scheduling.placement import from_start, score

    problem = random_problem(seed, days=2, per_day=6, n_people=8, n_meetings=14, pins=False)
    ids = [m.id for m in problem.meetings]
    first = compact(problem, ids, time_limit_s=5, num_workers=1, secondary=False)
    data = MeetingSet(problem, ids, default_day_key)
    start, choice = from_start(data, first.placements)
    assert start is not None
    calls = itertools.count()
    best = anneal(data, start, choice, float("inf"), random.Random(3), lambda: next(calls) > 20,
                 focus=0.5, column=0.05, target=-1)
    placed = {data.meetings[k].id: (data.slots[s].id, first.placements[data.meetings[k].id][1])
              for k, s in enumerate(best)}
    again, _ = from_start(data, placed)
    assert again == best
    assert score(data, best)[:2] <= score(data, start)[:2]


def test_second_annealing_chain_runs_and_leaves_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from matchmaker.scheduling import maxsat

    path = SHARED_B2B / "ticf-13crafc.original.dzn"
    if not path.exists():
        pytest.skip(f"shared B2B-forum data not present at {SHARED_B2B}")
    problem = dzn.read_instance(path).problem
    # MaxSAT solves this instance in seconds: without it the second core anneals
    monkeypatch.setattr(maxsat, "applicable", lambda data: False)
    result = compact(problem, [m.id for m in problem.meetings], time_limit_s=15.0, num_workers=2,
                     secondary=False)
    assert check(problem, as_schedule(problem, result)) == []
    assert result.stats["second_chain_rounds"] >= 1
    assert multiprocessing.active_children() == []


def test_the_portfolio_ends_once_the_holes_stop_improving_unless_a_proof_runs() -> None:
    import time

    from matchmaker.scheduling.compact_search import CompactSearch
    from matchmaker.scheduling.meetingset import MeetingSet, default_day_key
    from matchmaker.scheduling.portfolio import _Portfolio
    from matchmaker.scheduling.stall import Stall

    problem = random_problem(5, days=1, per_day=6, n_people=6, n_meetings=8, pins=False)
    data = MeetingSet(problem, [m.id for m in problem.meetings], default_day_key)
    search = CompactSearch(data, num_workers=1, seed=0, stop=None)
    now = [0.0]
    search.stall = Stall(lambda: now[0], wait=15.0, share=0.5)
    folio = _Portfolio(search, time.monotonic() + 60, 1)
    now[0] = 10.0
    assert not folio.settled()
    now[0] = 15.5  # 15 s without a better placement
    assert folio.settled()
    folio.runs.append(object())  # type: ignore[arg-type]  # a MaxSAT proof under way
    assert not folio.settled()
    folio.runs.clear()
    search.stall.gained()  # a better placement came: another 15 s at least
    now[0] = 25.0
    assert not folio.settled()
