"""Reading, validating and writing the dialogue formats."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.marketdialogue.formats import (
    DialogueFormatError,
    dumps_dialogue,
    dumps_plan,
    loads_dialogue,
    loads_plan,
    parse_dialogue,
    read_dialogue,
)
from matchmaker.marketdialogue.generate import generate
from matchmaker.marketdialogue.problem import ClosedTable, Plan, Seat, Unseated


def test_small_document_reads_as_written(doc):
    problem = parse_dialogue(doc)
    assert [s.id for s in problem.sessions] == ["d1", "d2", "d3"]
    assert problem.sessions[0].tables[0].moderator == "p9"
    assert problem.participants[0].interests == {"textile": 3, "ict": 1}
    assert problem.rules.max_per_organisation == 1
    assert problem.timezone == "Europe/Brussels"
    again = loads_dialogue(dumps_dialogue(problem))
    assert again == problem


def test_unknown_fields_are_ignored(doc):
    plain = parse_dialogue(copy.deepcopy(doc))
    doc["extra"] = {"anything": [1, 2]}
    doc["event"]["venue"] = "Brussels"
    doc["sessions"][0]["room"] = "A"
    doc["sessions"][0]["tables"][0]["colour"] = "green"
    doc["participants"][0]["email"] = "x@example.org"
    doc["rules"]["future_rule"] = 7
    assert parse_dialogue(doc) == plain


def test_absent_optional_fields_take_defaults(doc):
    del doc["rules"]
    del doc["event"]
    del doc["participants"][4]["organisation"]
    del doc["participants"][4]["interests"]
    problem = parse_dialogue(doc)
    assert problem.rules.min_buyers == 1 and problem.rules.max_per_organisation == 1
    assert problem.participants[4].organisation is None
    assert problem.participants[4].interests == {}


def test_null_max_per_organisation_means_no_limit(doc):
    doc["rules"]["max_per_organisation"] = None
    problem = parse_dialogue(doc)
    assert problem.rules.max_per_organisation is None
    assert loads_dialogue(dumps_dialogue(problem)) == problem


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_problem_round_trips(seed):
    problem = generate(120, seed, rounds=3)
    assert loads_dialogue(dumps_dialogue(problem)) == problem


def test_plan_round_trips(doc):
    problem = parse_dialogue(doc)
    plan = Plan(status="feasible",
                seats=(Seat("p1", "d1", "TX-1", "buyer"), Seat("p2", "d1", "TX-1", "supplier")),
                closed_tables=(ClosedTable("d2", "IC-1", "no supplier can attend"),),
                unseated=(Unseated("p4", "lighting", "no lighting session in this event"),),
                stats={"interest_value": 5, "upper_bound": 6, "solve_seconds": 0.1})
    assert loads_plan(dumps_plan(plan), problem) == plan


def test_plan_reads_reasons_as_codes_or_as_text_alone(doc):
    problem = parse_dialogue(doc)
    coded = {"participant": "p4", "product_group": "lighting", "code": "no_session",
             "params": {"group": "lighting"}}
    read = loads_plan(json.dumps(_plan(unseated=[coded])), problem).unseated[0]
    assert (read.reason, read.code) == ("no lighting session in this event", "no_session")
    old = {"participant": "p4", "product_group": "lighting", "reason": "no lighting here"}
    read = loads_plan(json.dumps(_plan(unseated=[old])), problem).unseated[0]
    assert (read.reason, read.code, dict(read.params)) == ("no lighting here", "", {})
    bad = dict(coded, params={"grup": "lighting"})
    with pytest.raises(DialogueFormatError, match='unseated\\[0\\]: "params" do not fit'):
        loads_plan(json.dumps(_plan(unseated=[bad])), problem)


ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(weights=st.dictionaries(ids, st.integers(0, 10**6), max_size=5),
       seats=st.tuples(st.integers(0, 50), st.integers(0, 50)),
       organisation=st.one_of(st.none(), ids))
def test_any_valid_values_round_trip(weights, seats, organisation):
    doc = {"format": "matchmaker-dialogue/1",
           "sessions": [{"id": "s", "product_group": "food", "start": "2026-01-01T09:00:00",
                         "end": "2026-01-01T09:30:00",
                         "tables": [{"id": "t", "buyer_seats": seats[0], "supplier_seats": seats[1]}]}],
           "participants": [{"id": "p", "role": "buyer", "organisation": organisation, "interests": weights}]}
    problem = parse_dialogue(doc)
    assert loads_dialogue(dumps_dialogue(problem)) == problem


def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


def _duplicate_participant(doc):
    doc["participants"][1]["id"] = "p1"


def _duplicate_table(doc):
    doc["sessions"][0]["tables"].append({"id": "TX-1", "buyer_seats": 1, "supplier_seats": 1})


def _double_moderator(doc):
    doc["sessions"][1]["tables"][0]["moderator"] = "p9"


BAD_PROBLEMS = [
    ("wrong format tag", _set(["format"], "matchmaker-instance/1"),
     'format: expected "matchmaker-dialogue/1", got "matchmaker-instance/1"'),
    ("missing format", _set(["format"], KeyError), 'missing field "format"'),
    ("missing sessions", _set(["sessions"], KeyError), 'missing field "sessions"'),
    ("sessions not a list", _set(["sessions"], {}), '"sessions" must be a list, not an object'),
    ("missing role", _set(["participants", 0, "role"], KeyError),
     'participants[0] (id "p1"): missing field "role"'),
    ("missing participant id", _set(["participants", 2, "id"], KeyError), 'participants[2]: missing field "id"'),
    ("missing seats", _set(["sessions", 0, "tables", 0, "buyer_seats"], KeyError),
     'sessions[0].tables[0] (id "TX-1"): missing field "buyer_seats"'),
    ("missing start", _set(["sessions", 1, "start"], KeyError), 'sessions[1] (id "d2"): missing field "start"'),
    ("unknown moderator", _set(["sessions", 0, "tables", 0, "moderator"], "p99"),
     'sessions[0].tables[0] (id "TX-1"): moderator "p99" is unknown'),
    ("duplicate participant", _duplicate_participant,
     'participants[1] (id "p1"): duplicate participant id "p1" (also participants[0])'),
    ("duplicate session", _set(["sessions", 2, "id"], "d1"),
     'sessions[2] (id "d1"): duplicate session id "d1" (also sessions[0])'),
    ("duplicate table", _duplicate_table, 'sessions[0].tables[1] (id "TX-1"): duplicate table id "TX-1"'),
    ("end before start", _set(["sessions", 0, "end"], "2026-11-21T09:00:00"),
     'sessions[0] (id "d1"): end 2026-11-21T09:00:00 is not after start 2026-11-21T10:00:00'),
    ("end equals start", _set(["sessions", 0, "end"], "2026-11-21T10:00:00"), "is not after start"),
    ("bad time", _set(["sessions", 0, "start"], "10 o'clock"),
     'sessions[0] (id "d1"): "start" is not an ISO 8601 time'),
    ("time with offset", _set(["sessions", 0, "start"], "2026-11-21T10:00:00+01:00"),
     "must be a local time without offset"),
    ("negative seats", _set(["sessions", 1, "tables", 0, "supplier_seats"], -1),
     'sessions[1].tables[0] (id "IC-1"): "supplier_seats" must not be negative (got -1)'),
    ("fractional seats", _set(["sessions", 1, "tables", 0, "supplier_seats"], 2.5),
     '"supplier_seats" must be a whole number, not 2.5'),
    ("negative weight", _set(["participants", 0, "interests", "textile"], -2),
     'participants[0] (id "p1").interests: "textile" must not be negative (got -2)'),
    ("text weight", _set(["participants", 0, "interests", "textile"], "high"),
     '"textile" must be a whole number, not "high"'),
    ("unknown role", _set(["participants", 3, "role"], "moderator"),
     'participants[3] (id "p4"): unknown role "moderator" (expected one of buyer, supplier, facilitator)'),
    ("negative minimum", _set(["rules", "min_buyers"], -1), 'rules: "min_buyers" must not be negative'),
    ("zero per organisation", _set(["rules", "max_per_organisation"], 0),
     'rules: "max_per_organisation" must not be below 1'),
    ("moderator in two places", _double_moderator,
     'sessions[1].tables[0] (id "IC-1"): moderator "p9" already leads sessions[0].tables[0]'),
    ("participant not an object", _set(["participants", 1], "p2"),
     "participants[1]: must be an object, not a string"),
]


@pytest.mark.parametrize("mutate, message", [case[1:] for case in BAD_PROBLEMS],
                         ids=[case[0] for case in BAD_PROBLEMS])
def test_bad_problem_is_named_with_its_place(doc, mutate, message):
    mutate(doc)
    with pytest.raises(DialogueFormatError) as caught:
        loads_dialogue(json.dumps(doc))
    assert message in str(caught.value)


@pytest.mark.parametrize("text, message", [
    ('{"format": "matchmaker-dialogue/1", "sessions": [', "input: broken JSON at line 1, column"),
    ("", "input: broken JSON at line 1, column 1"),
    ("[]", "input: the top level must be an object, not a list"),
    (b"\xff\xfe{", "input:"),
])
def test_broken_json_is_reported(text, message):
    with pytest.raises(DialogueFormatError) as caught:
        loads_dialogue(text)
    assert message in str(caught.value)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(DialogueFormatError, match="no such file"):
        read_dialogue(tmp_path / "absent.json")


def _plan(**changes) -> dict:
    plan = {"format": "matchmaker-dialogue-plan/1", "status": "feasible",
            "seats": [{"participant": "p1", "session": "d1", "table": "TX-1", "side": "buyer"}],
            "closed_tables": [], "unseated": [], "stats": {}}
    plan.update(changes)
    return plan


@pytest.mark.parametrize("plan, message", [
    (_plan(format="matchmaker-schedule/1"), 'format: expected "matchmaker-dialogue-plan/1"'),
    (_plan(status="great"), 'status: unknown status "great"'),
    (_plan(seats=[{"participant": "p77", "session": "d1", "table": "TX-1", "side": "buyer"}]),
     'seats[0]: participant "p77" is unknown'),
    (_plan(seats=[{"participant": "p1", "session": "d8", "table": "TX-1", "side": "buyer"}]),
     'seats[0]: session "d8" is unknown'),
    (_plan(seats=[{"participant": "p1", "session": "d1", "table": "IC-1", "side": "buyer"}]),
     'seats[0]: table "IC-1" is unknown in session "d1"'),
    (_plan(seats=[{"participant": "p1", "session": "d1", "table": "TX-1", "side": "middle"}]),
     'seats[0]: unknown side "middle"'),
    (_plan(seats=[{"participant": "p1", "session": "d1", "side": "buyer"}]), 'seats[0]: missing field "table"'),
    (_plan(closed_tables=[{"session": "d2", "table": "XX"}]), 'closed_tables[0]: table "XX" is unknown'),
    (_plan(unseated=[{"participant": "p1", "product_group": "ict"}]), 'unseated[0]: missing field "reason"'),
])
def test_bad_plan_is_named_with_its_place(doc, plan, message):
    problem = parse_dialogue(doc)
    with pytest.raises(DialogueFormatError) as caught:
        loads_plan(json.dumps(plan), problem)
    assert message in str(caught.value)
