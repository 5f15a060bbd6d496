"""The Kempe-chain hole search (`holes.py`): it closes idle gaps where shared tables
are full, and it stops once it stops gaining."""
from __future__ import annotations

from datetime import datetime, timedelta

from matchmaker.scheduling.agendas import idle_gaps
from matchmaker.scheduling.domains import Domains
from matchmaker.scheduling.gaps import Agendas, DayBits
from matchmaker.scheduling.generate import generate
from matchmaker.scheduling.holes import HoleSearch, W_IDLE_SLOT, _Limits, reduce_holes
from matchmaker.scheduling.model import W_GAP
from matchmaker.scheduling.starts import fcfs_placements
from matchmaker.scheduling.stall import Stall
from matchmaker.scheduling.problem import Meeting, Participant, Problem, Slot, Table

START = datetime(2026, 12, 10, 9, 0)


def _problem(slots: int, tables: int, meetings: list[Meeting]) -> Problem:
    people = sorted({p for m in meetings for p in m.participants})
    return Problem(
        slots=tuple(Slot(f"s{i}", START + timedelta(minutes=30 * i),
                         START + timedelta(minutes=30 * i + 20)) for i in range(slots)),
        tables=tuple(Table(f"T{i}") for i in range(tables)),
        participants=tuple(Participant(p) for p in people),
        meetings=tuple(meetings))


def test_stall_waits_the_longer_of_its_minimum_and_a_share_of_the_time_so_far() -> None:
    now = [0.0]
    stall = Stall(lambda: now[0], wait=5.0, share=0.5)
    now[0] = 4.9
    assert not stall.stalled()
    now[0] = 5.1
    assert stall.stalled()
    stall.gained()
    now[0] = 10.0
    assert not stall.stalled()
    now[0] = 20.0
    stall.gained()
    now[0] = 28.0  # 8 s without a gain, but half the time so far is 14 s
    assert not stall.stalled()
    now[0] = 41.0  # 21 s without a gain, more than half of 41 s
    assert stall.stalled()


def test_search_stops_once_it_stops_gaining() -> None:
    # a's meetings can only be in slots 0 and 2: a hole no move can close
    meetings = [Meeting("m1", ("a", "b"), available=frozenset({"s0"})),
                Meeting("m2", ("a", "c"), available=frozenset({"s2"})),
                Meeting("m3", ("d", "e"))]
    problem = _problem(3, 3, meetings)
    d = Domains(problem)
    calls = 0

    def clock() -> float:  # one second per reading
        nonlocal calls
        calls += 1
        return float(calls)

    slots = reduce_holes(d, {"m1": 0, "m2": 2, "m3": 1}, deadline=float("inf"), clock=clock,
                         should_stop=lambda: calls > 1000)
    assert calls < 20
    assert idle_gaps(d, slots) == 1


def test_hole_closed_where_the_shared_tables_are_full() -> None:
    # one shared table: filling a's hole in slot 1 needs d-e moved out of it
    meetings = [Meeting("m1", ("a", "b")), Meeting("m2", ("a", "c")), Meeting("m3", ("d", "e")),
                Meeting("m4", ("f", "g"), available=frozenset({"s3"}))]
    problem = _problem(4, 1, meetings)
    d = Domains(problem)
    start = {"m1": 0, "m2": 2, "m3": 1, "m4": 3}
    assert idle_gaps(d, start) == 1
    slots = reduce_holes(d, start, deadline=float("inf"), max_evals=10_000)
    assert idle_gaps(d, slots) == 0
    assert sorted(slots.values()) == [0, 1, 2, 3]
    assert set(slots) == set(start)


def test_search_bookkeeping_stays_in_step_with_the_slots() -> None:
    # the per-slot shared-table index and the remembered mask costs after many moves
    problem = generate(60, 3, slots=8, scarce_tables=True, stands=True)
    d = Domains(problem)
    start = greedy_slots(problem, d)
    search = HoleSearch(d, start, seed=1)
    search.descend(search.people, _Limits(float("inf"), 2_000, None))
    for _ in range(20):
        search.descend(search.kick(3), _Limits(float("inf"), search.evals + 200, None))
    for pos, shared in enumerate(search.shared_at):
        assert set(shared) == {mid for mid in search.state.at[pos] if search.movable[mid]}
    assert search.cost() == idle_cost(d, search.state.slot)
    assert search.cost() <= idle_cost(d, start)


def greedy_slots(problem: Problem, d: Domains) -> dict[str, int]:
    return {mid: d.slot_pos[slot] for mid, (slot, _) in fcfs_placements(problem, None, d).items()}


def idle_cost(d: Domains, slots: dict[str, int]) -> int:
    busy = Agendas.of(DayBits(d.days, len(d.slot_ids)),
                      ((p, pos) for mid, pos in slots.items() for p in d.meeting[mid].participants))
    gaps, idle = busy.total()
    return W_GAP * gaps + W_IDLE_SLOT * idle
