"""check() accepts a valid plan and names every broken rule of a hand-made one."""
from __future__ import annotations

from dataclasses import replace

import pytest

from matchmaker.marketdialogue.check import VIOLATION_CODES, DialogueViolation, Rule, check
from matchmaker.marketdialogue.formats import parse_dialogue
from matchmaker.marketdialogue.problem import ClosedTable, Plan, Seat, Unseated


def _valid_plan() -> Plan:
    return Plan(
        status="feasible",
        seats=(Seat("p1", "d1", "TX-1", "buyer"), Seat("p5", "d1", "TX-1", "buyer"),
               Seat("p2", "d1", "TX-1", "supplier"),
               Seat("p4", "d2", "IC-1", "buyer"), Seat("p3", "d2", "IC-1", "supplier")),
        closed_tables=(ClosedTable("d3", "TX-2", "no buyer left"),),
        unseated=(Unseated("p1", "ict", "overlaps d1"), Unseated("p3", "textile", "overlaps d2"),
                  Unseated("p4", "lighting", "no lighting session"), Unseated("p9", "ict", "moderates d1")),
        stats={"interest_value": 10, "upper_bound": 11},
    )


def _with(plan: Plan, add=(), drop=(), **changes) -> Plan:
    seats = tuple(s for s in plan.seats if (s.participant, s.session) not in drop) + tuple(add)
    return replace(plan, seats=seats, **changes)


def test_valid_plan_has_no_violation(doc):
    assert check(parse_dialogue(doc), _valid_plan()) == []


def _fewer_buyer_seats(doc):
    doc["sessions"][0]["tables"][0]["buyer_seats"] = 1


CASES = [
    ("buyer on the supplier side",
     lambda p: _with(p, drop={("p1", "d1")}, add=[Seat("p1", "d1", "TX-1", "supplier")]),
     "a buyer sits on the supplier side"),
    ("no interest in the group",
     lambda p: _with(p, drop={("p4", "d2")}, add=[Seat("p4", "d1", "TX-1", "buyer")]),
     "p4 has no interest in textile"),
    ("two overlapping sessions", lambda p: _with(p, add=[Seat("p1", "d2", "IC-1", "buyer")]),
     "p1: seated in d1 and d2, which overlap in time"),
    ("seated while moderating", lambda p: _with(p, add=[Seat("p9", "d2", "IC-1", "supplier")]),
     "p9: seated in d2 while moderating d1"),
    ("too many of one organisation",
     lambda p: _with(p, drop={("p3", "d2")}, add=[Seat("p3", "d1", "TX-1", "supplier")]),
     "d1/TX-1: 2 people of organisation o2, at most 1"),
    ("below the minimum suppliers", lambda p: _with(p, drop={("p2", "d1")}),
     "d1/TX-1: open with 1 buyers and 0 suppliers, needs at least 1 and 1"),
    ("two seats of one product group",
     lambda p: _with(p, add=[Seat("p2", "d3", "TX-2", "supplier"), Seat("p1", "d3", "TX-2", "buyer")],
                     closed_tables=()),
     "p2: seated in 2 textile sessions, at most one per product group"),
    ("same person twice at a table", lambda p: _with(p, add=[Seat("p1", "d1", "TX-1", "buyer")]),
     "d1/TX-1: p1 holds 2 seats"),
    ("unknown participant", lambda p: _with(p, add=[Seat("p77", "d1", "TX-1", "buyer")]),
     'participant "p77" is unknown'),
    ("unknown table", lambda p: _with(p, add=[Seat("p5", "d3", "ZZ", "buyer")]),
     'table "ZZ" is unknown in session "d3"'),
    ("closed table with seats",
     lambda p: replace(p, closed_tables=p.closed_tables + (ClosedTable("d1", "TX-1"),)),
     "closed_tables: d1/TX-1 is listed as closed but has seats"),
    ("empty table not listed", lambda p: replace(p, closed_tables=()),
     "d3/TX-2: empty but not listed in closed_tables"),
    ("interest without seat or reason", lambda p: replace(p, unseated=p.unseated[1:]),
     "unseated: p1 asked for ict, got no seat and no reason"),
    ("reason for a seated interest",
     lambda p: replace(p, unseated=p.unseated + (Unseated("p2", "textile", "?"),)),
     "unseated: p2 is listed for textile but has a textile seat"),
    ("wrong interest value", lambda p: replace(p, stats={"interest_value": 99}),
     "stats: interest_value is 99, the seats give 10"),
    ("bound below the value", lambda p: replace(p, stats={"interest_value": 10, "upper_bound": 9}),
     "stats: upper_bound 9 is below the interest value 10"),
    ("optimal without proof", lambda p: replace(p, status="optimal"),
     "status: optimal, but upper_bound 11 differs from the interest value 10"),
]


@pytest.mark.parametrize("break_plan, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_names_each_broken_rule(doc, break_plan, message):
    violations = [str(v) for v in check(parse_dialogue(doc), break_plan(_valid_plan()))]
    assert any(message in v for v in violations), violations


def test_every_broken_rule_is_a_known_code_with_its_ids(doc):
    codes = set()
    for _name, break_plan, _message in CASES:
        found = check(parse_dialogue(doc), break_plan(_valid_plan()))
        assert found and all(v.code in VIOLATION_CODES for v in found)
        codes |= {v.code for v in found}
    assert len(codes) >= 15
    moderating = check(parse_dialogue(doc), CASES[3][1](_valid_plan()))
    assert DialogueViolation(Rule.WHILE_MODERATING, participant="p9", session="d2",
                             other="d1") in moderating


def test_check_finds_too_many_on_one_side(doc):
    _fewer_buyer_seats(doc)
    violations = check(parse_dialogue(doc), _valid_plan())
    assert "d1/TX-1: 2 on the buyer side, only 1 seats" in [str(v) for v in violations]
    assert DialogueViolation(Rule.SIDE_FULL, session="d1", table="TX-1", side="buyer", count=2,
                             limit=1) in violations


def test_facilitator_may_sit_on_either_side(doc):
    plan = _with(_valid_plan(), drop={("p5", "d1")}, add=[Seat("p5", "d1", "TX-1", "supplier")])
    assert check(parse_dialogue(doc), plan) == []
