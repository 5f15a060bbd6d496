"""check() names every kind of rule a schedule can break; metrics follow the contract."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from matchmaker.scheduling import (
    Assignment,
    Meeting,
    Participant,
    Placement,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
    check,
    metrics,
)
from matchmaker.scheduling.check import VIOLATION_CODES, Rule, Violation, idle
from matchmaker.scheduling.domains import Domains

GOOD = (
    Assignment("m1", "s01", "STAND-7"),
    Assignment("m2", "s02", "T01"),
    Assignment("m4", "s02", "STAND-7"),
)
LEFT = (Unscheduled("m3", "p2 is busy"),)


def words(problem: Problem, schedule: Schedule) -> list[str]:
    """check()'s violations in the contract's words, as `matchmaker check` prints them."""
    return [str(v) for v in check(problem, schedule)]


def _schedule(assignments=GOOD, unscheduled=LEFT) -> Schedule:
    return Schedule(status="feasible", assignments=tuple(assignments),
                    unscheduled=tuple(unscheduled))


def _with_participant(problem: Problem, pid: str, **changes) -> Problem:
    return replace(problem, participants=tuple(
        replace(p, **changes) if p.id == pid else p for p in problem.participants))


def _with_meeting(problem: Problem, mid: str, **changes) -> Problem:
    return replace(problem, meetings=tuple(
        replace(m, **changes) if m.id == mid else m for m in problem.meetings))


def test_contract_example_schedule_is_valid(example_problem):
    assert check(example_problem, _schedule()) == []


def test_unknown_ids(example_problem):
    found = words(example_problem, _schedule(GOOD + (Assignment("m9", "s01", "T01"),
                                                     Assignment("m3", "s07", "T01"),
                                                     Assignment("m3", "s01", "X"),), ()))
    assert any('"m9"' in v and "meeting is unknown" in v for v in found)
    assert any('slot "s07" is unknown' in v for v in found)
    assert any('table "X" is unknown' in v for v in found)


def test_participant_unavailable(example_problem):
    problem = _with_participant(example_problem, "p1", available=frozenset({"s02"}))
    assert words(problem, _schedule()) == [
        'assignments[0] (meeting "m1"): participant "p1" is not available in slot "s01"']


def test_meeting_own_availability(example_problem):
    problem = _with_meeting(example_problem, "m1", available=frozenset({"s02"}))
    assert words(problem, _schedule()) == [
        'assignments[0] (meeting "m1"): slot "s01" is not in the meeting\'s "available"']


def test_stand_owner_must_meet_at_own_stand(example_problem):
    bad = (Assignment("m1", "s01", "T02"),) + GOOD[1:]
    assert words(example_problem, _schedule(bad)) == [
        'assignments[0] (meeting "m1"): table "T02" is not allowed: it must be at "STAND-7"']


def test_others_may_not_use_a_stand(example_problem):
    problem = _with_meeting(_with_meeting(example_problem, "m2", fixed=None), "m4", fixed=None)
    bad = GOOD[:1] + (Assignment("m2", "s02", "STAND-7"),)
    found = words(problem, _schedule(bad, LEFT + (Unscheduled("m4", ""),)))
    assert found == ['assignments[1] (meeting "m2"): table "STAND-7" is not allowed: '
                     'that table is reserved for "p2"']


def test_participant_and_table_double_booked(example_problem):
    bad = GOOD + (Assignment("m3", "s01", "STAND-7"),)
    found = words(example_problem, _schedule(bad, ()))
    assert 'participant "p2" has 2 meetings in slot "s01": m1, m3' in found
    assert 'table "STAND-7" hosts 2 meetings in slot "s01": m1, m3' in found


def test_pooled_table_double_booked():
    start = datetime(2026, 11, 21, 9)
    problem = Problem(
        slots=(Slot("s1", start, start + timedelta(minutes=20)),),
        tables=(Table("T1"), Table("T2")),
        participants=tuple(Participant(f"p{i}") for i in range(4)),
        meetings=(Meeting("a", ("p0", "p1")), Meeting("b", ("p2", "p3"))))
    found = words(problem, _schedule((Assignment("a", "s1", "T1"), Assignment("b", "s1", "T1")), ()))
    assert found == ['table "T1" hosts 2 meetings in slot "s1": a, b']


def test_max_meetings_exceeded(example_problem):
    problem = _with_participant(example_problem, "p1", max_meetings=1)
    assert words(problem, _schedule()) == [
        'participant "p1" has 2 meetings, more than max_meetings (1)']


def test_pin_not_kept(example_problem):
    moved = (GOOD[0], Assignment("m2", "s02", "T02"), GOOD[2])
    assert words(example_problem, _schedule(moved)) == [
        'meeting "m2" is pinned to slot "s02", table "T01" but placed at slot "s02", table "T02"']
    dropped = (GOOD[0], GOOD[2])
    assert words(example_problem, _schedule(dropped, LEFT + (Unscheduled("m2", ""),))) == [
        'meeting "m2" is pinned to slot "s02", table "T01" but not scheduled']


def test_every_meeting_exactly_once(example_problem):
    assert words(example_problem, _schedule(GOOD, ())) == [
        'meeting "m3" is neither in assignments nor in unscheduled']
    twice = words(example_problem, _schedule(GOOD, LEFT + (Unscheduled("m1", ""),)))
    assert twice == ['meeting "m1" appears 2 times in assignments and unscheduled']
    unknown = words(example_problem, _schedule(GOOD, LEFT + (Unscheduled("zz", ""),)))
    assert unknown == ['unscheduled[1] (meeting "zz"): meeting is unknown']


def test_violations_are_codes_with_the_ids_they_concern(example_problem):
    bad = GOOD + (Assignment("m3", "s01", "STAND-7"),)
    found = check(_with_participant(example_problem, "p2", max_meetings=1), _schedule(bad, ()))
    assert Violation(Rule.PARTICIPANT_CLASH, participant="p2", slot="s01", count=2,
                     meetings=("m1", "m3")) in found
    assert Violation(Rule.TABLE_CLASH, table="STAND-7", slot="s01", count=2,
                     meetings=("m1", "m3")) in found
    assert Violation(Rule.OVER_CAP, participant="p2", count=3, cap=1) in found
    moved = (Assignment("m1", "s01", "T02"), Assignment("m2", "s02", "T02"), GOOD[2])
    found = check(example_problem, _schedule(moved))
    assert [v.code for v in found] == [Rule.NOT_OWN_TABLE, Rule.PIN_MOVED]
    assert found[0].tables == ("STAND-7",) and found[0].meeting == "m1"
    assert (found[1].slot, found[1].table, found[1].placed_slot, found[1].placed_table) == \
        ("s02", "T01", "s02", "T02")
    assert all(v.code in VIOLATION_CODES for v in found)


def _two_day_problem() -> Problem:
    slots = []
    for day, count in ((0, 6), (1, 3)):
        start = datetime(2026, 11, 21 + day, 9)
        for _ in range(count):
            slots.append(Slot(f"s{len(slots)}", start, start + timedelta(minutes=20)))
            start += timedelta(minutes=25)
    people = tuple(Participant(f"p{i}") for i in range(8))
    meetings = tuple(Meeting(f"m{i}", ("p0", f"p{i + 1}"), priority=i % 3 + 1) for i in range(6))
    return Problem(slots=tuple(slots), tables=tuple(Table(f"T{i}") for i in range(3)),
                   participants=people, meetings=meetings)


def test_idle_gaps_and_slots_count_per_day():
    d = Domains(_two_day_problem())
    assert idle(d, [0, 2, 5]) == (2, 3)
    assert idle(d, [0, 1, 2]) == (0, 0)
    assert idle(d, [5, 6]) == (0, 0)
    assert idle(d, [4, 6, 8]) == (1, 1)


def test_metrics():
    problem = _two_day_problem()
    problem = _with_meeting(problem, "m0", previous=Placement("s0", "T0"))
    placements = {"m0": ("s0", "T0"), "m1": ("s2", "T1"), "m2": ("s5", "T1"), "m3": ("s7", "T2")}
    stats = metrics(problem, placements)
    assert stats["scheduled"] == 4 and stats["requested"] == 6
    assert stats["weighted_value"] == 1 + 2 + 3 + 1
    assert stats["idle_gaps"] == 2 and stats["idle_slots"] == 3
    assert stats["table_changes"] == 2
    assert stats["moved_from_previous"] == 0
    assert stats["min_share"] == 0.0
    moved = metrics(problem, {"m0": ("s1", "T0")})
    assert moved["moved_from_previous"] == 1
    assert metrics(problem, {})["moved_from_previous"] == 1


@pytest.mark.parametrize("status", ["optimal", "feasible"])
def test_status_does_not_affect_validity(example_problem, status):
    assert words(example_problem, replace(_schedule(), status=status)) == []
