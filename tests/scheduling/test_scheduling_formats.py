"""Reading, validating and writing the instance and schedule formats."""
from __future__ import annotations

import json

import pytest

from matchmaker.scheduling import (
    InstanceError,
    ScheduleError,
    dumps_instance,
    dumps_schedule,
    fcfs,
    generate,
    parse_instance,
    parse_schedule,
    problem_from_dict,
    read_instance,
)
from matchmaker.scheduling.formats import problem_to_dict

from scheduling_cases import BAD, assert_files_round_trip


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_instance_gives_clear_message(name, example):
    change, expected = BAD[name]
    data = change(example)
    with pytest.raises(InstanceError) as info:
        parse_instance(json.dumps(data))
    assert expected in str(info.value)


def test_broken_json_names_line_and_column():
    with pytest.raises(InstanceError, match=r"not valid JSON at line 3, column \d+"):
        parse_instance('{\n "format": "matchmaker-instance/1",\n "slots": [}\n')


def test_top_level_not_object():
    with pytest.raises(InstanceError, match="expected an object, got a list"):
        parse_instance("[]")


def test_missing_file_is_an_instance_error(tmp_path):
    with pytest.raises(InstanceError, match="cannot read file"):
        read_instance(tmp_path / "nope.json")


def test_example_reads_with_defaults_and_unknown_fields(example):
    example["extra"] = {"anything": 1}
    example["meetings"][0]["colour"] = "green"
    problem = parse_instance(json.dumps(example))
    m3 = problem.meetings[3]
    assert m3.priority == 1 and m3.previous.slot == "s01" and m3.previous.table == "STAND-7"
    assert problem.meetings[2].fixed.table is None
    assert problem.participants[0].available == frozenset({"s01", "s02"})
    assert problem.participants[2].available is None
    assert problem.timezone == "Europe/Brussels"


def test_instance_round_trip(example_problem):
    assert parse_instance(dumps_instance(example_problem)) == example_problem
    generated = generate(60, seed=3, days=2, slots=12, stands=True)
    again = parse_instance(dumps_instance(generated))
    assert again == generated
    assert problem_to_dict(again) == problem_to_dict(generated)


def test_schedule_round_trip(example_problem):
    schedule = fcfs(example_problem)
    assert json.loads(dumps_schedule(schedule))["format"] == "matchmaker-schedule/1"
    assert_files_round_trip(example_problem, schedule)


def test_schedule_reader_rejects_bad_shape():
    with pytest.raises(ScheduleError, match='"format" is "x", expected "matchmaker-schedule/1"'):
        parse_schedule('{"format": "x"}')
    with pytest.raises(ScheduleError, match=r'assignments\[0\]: missing field "table"'):
        parse_schedule('{"format": "matchmaker-schedule/1", "status": "feasible",'
                       ' "assignments": [{"meeting": "m1", "slot": "s01"}], "unscheduled": []}')
    with pytest.raises(ScheduleError, match="not valid JSON at line 1"):
        parse_schedule('{"format": ')


def test_schedule_reader_ignores_unknown_fields():
    text = json.dumps({"format": "matchmaker-schedule/1", "status": "optimal", "solver": "x",
                       "assignments": [{"meeting": "m1", "slot": "s01", "table": "T1", "note": 1}],
                       "unscheduled": [], "stats": {"requested": 1}})
    schedule = parse_schedule(text)
    assert schedule.assignments[0].table == "T1" and schedule.stats == {"requested": 1}


def test_problem_from_dict_accepts_example(example):
    problem = problem_from_dict(example)
    assert [m.id for m in problem.meetings] == ["m1", "m2", "m4", "m3"]


def test_schedule_file_keeps_reason_codes_and_reads_old_files(example_problem):
    schedule = fcfs(example_problem)
    left = schedule.unscheduled[0]
    assert left.code == "lost_to_earlier" and left.reason.startswith("lost to earlier requests: ")
    written = json.loads(dumps_schedule(schedule))["unscheduled"][0]
    assert written["code"] == "lost_to_earlier" and written["params"] == dict(left.params)
    assert written["reason"] == left.reason
    # a code with its parameters alone is rendered on reading
    written.pop("reason")
    text = json.dumps({"format": "matchmaker-schedule/1", "status": "feasible", "assignments": [],
                       "unscheduled": [written]})
    assert parse_schedule(text).unscheduled[0].reason == left.reason
    # files written before reasons had codes: the text is kept, without a code
    old = json.dumps({"format": "matchmaker-schedule/1", "status": "feasible", "assignments": [],
                      "unscheduled": [{"meeting": "m3", "reason": "p2 is busy"}]})
    read = parse_schedule(old).unscheduled[0]
    assert (read.reason, read.code, dict(read.params)) == ("p2 is busy", "", {})


def test_schedule_reader_rejects_params_that_do_not_fit_the_code():
    text = json.dumps({"format": "matchmaker-schedule/1", "status": "feasible", "assignments": [],
                       "unscheduled": [{"meeting": "m3", "code": "cap_reached",
                                        "params": {"full": ["p1"]}}]})
    with pytest.raises(ScheduleError, match=r'unscheduled\[0\]: "params" do not fit'):
        parse_schedule(text)
    with pytest.raises(ScheduleError, match=r'unscheduled\[0\]: "params" must be an object'):
        parse_schedule(text.replace('{"full": ["p1"]}', '"x"'))
