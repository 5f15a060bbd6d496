"""The capacity planner: how many more tables or slots would schedule the accepted requests."""
from __future__ import annotations

from datetime import datetime

from matchmaker.extensions import db
from matchmaker.schedule import capacity, solving
from matchmaker.scheduling import Meeting, Participant, Problem, Slot, Table as SolverTable
from support import demo_event


def tiny(tables: int, slots: int, meetings: list[tuple[str, str]]) -> Problem:
    return Problem(
        slots=tuple(Slot(id=f"s{i}", start=datetime(2026, 1, 1, 9 + i),
                         end=datetime(2026, 1, 1, 9 + i, 30)) for i in range(slots)),
        tables=tuple(SolverTable(id=f"T{i}") for i in range(tables)),
        participants=tuple(Participant(id=p) for p in sorted({x for m in meetings for x in m})),
        meetings=tuple(Meeting(id=f"m{i}", participants=m) for i, m in enumerate(meetings)))


def test_planner_says_how_many_more_tables_or_slots_schedule_everything():
    # Four disjoint pairs, one slot, one table: three more tables, or three more slots.
    pairs = [("a", "b"), ("c", "d"), ("e", "f"), ("g", "h")]
    advice = capacity.plan_capacity(tiny(tables=1, slots=1, meetings=pairs))
    assert advice.schedulable_now == 1
    assert (advice.tables_needed, advice.tables_gain, advice.tables_lower_bound) == (3, 3, 3)
    assert (advice.slots_needed, advice.slots_gain) == (3, 3)
    text = " ".join(advice.sentences)
    assert "With 3 more pooled tables, 3 more requests fit (4 of 4)" in text
    assert "With 3 more slots open to everyone, 3 more requests fit" in text


def test_planner_says_when_only_more_slots_help():
    # One person with three meetings and one slot: tables do not help.
    pairs = [("a", "b"), ("a", "c"), ("a", "d")]
    advice = capacity.plan_capacity(tiny(tables=5, slots=1, meetings=pairs))
    assert advice.person_limited == 2
    assert advice.tables_needed is None
    assert (advice.slots_needed, advice.slots_gain) == (2, 2)
    text = " ".join(advice.sentences)
    assert "More tables do not help" in text and "Only a higher limit or more slots" in text


def test_planner_says_when_everything_fits(demo):
    with demo.app_context():
        advice = capacity.plan_capacity(solving.build_problem(db.session, demo_event()).problem)
        if advice.schedulable_now == advice.requested:
            assert advice.sentences[0].startswith("All ")
