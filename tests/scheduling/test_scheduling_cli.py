"""The solve, check and generate commands, including their answers to bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matchmaker.scheduling import read_instance, read_schedule
from matchmaker.scheduling.cli import check_command, generate_command, solve_command

from scheduling_cases import BAD


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_generate_solve_check(runner, tmp_path):
    instance = str(tmp_path / "event.json")
    schedule = str(tmp_path / "schedule.json")
    result = runner.invoke(generate_command, ["--attendees", "40", "--seed", "3", "--days", "2",
                                              "--slots", "10", "--stands", "-o", instance])
    assert result.exit_code == 0, result.output
    problem = read_instance(instance)
    assert len(problem.participants) == 40 and len(problem.slots) == 10
    result = runner.invoke(solve_command, [instance, "-o", schedule, "--time-limit", "2",
                                           "--workers", "1", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "value" in result.stderr and "bound" in result.stderr and "gap" in result.stderr
    assert read_schedule(schedule).stats["requested"] == len(problem.meetings)
    result = runner.invoke(check_command, [instance, schedule])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid:")


def test_check_lists_violations_and_exits_1(runner, tmp_path, example):
    instance = _write(tmp_path, "event.json", example)
    schedule = _write(tmp_path, "schedule.json", {
        "format": "matchmaker-schedule/1", "status": "feasible",
        "assignments": [{"meeting": "m1", "slot": "s01", "table": "T01"},
                        {"meeting": "m2", "slot": "s02", "table": "T01"},
                        {"meeting": "m4", "slot": "s02", "table": "STAND-7"},
                        {"meeting": "m3", "slot": "s01", "table": "STAND-7"}],
        "unscheduled": []})
    result = runner.invoke(check_command, [instance, schedule])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert 'assignments[0] (meeting "m1"): table "T01" is not allowed: it must be at "STAND-7"' \
        in lines
    assert 'participant "p2" has 2 meetings in slot "s01": m1, m3' in lines
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_instance_exits_2_with_message(runner, tmp_path, example, name):
    change, expected = BAD[name]
    instance = _write(tmp_path, "event.json", change(example))
    result = runner.invoke(solve_command, [instance, "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_broken_json_exits_2(runner, tmp_path):
    instance = _write(tmp_path, "event.json", '{"format": "matchmaker-instance/1",\n "slots": [}')
    result = runner.invoke(solve_command, [instance, "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert "not valid JSON at line 2, column" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exits_2(runner, tmp_path):
    missing = str(tmp_path / "nope.json")
    for args in ([missing, "-o", str(tmp_path / "out.json")],):
        result = runner.invoke(solve_command, args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: {missing}: cannot read file")
    result = runner.invoke(check_command, [missing, missing])
    assert result.exit_code == 2 and "cannot read file" in result.stderr


def test_check_with_broken_schedule_exits_2(runner, tmp_path, example):
    instance = _write(tmp_path, "event.json", example)
    schedule = _write(tmp_path, "schedule.json", {"format": "matchmaker-schedule/1"})
    result = runner.invoke(check_command, [instance, schedule])
    assert result.exit_code == 2
    assert 'missing field "status"' in result.stderr
    assert "Traceback" not in result.output


def test_solve_prints_the_gaps_bound_and_why_meetings_stayed_out(runner, tmp_path, example):
    instance = tmp_path / "event.json"
    instance.write_text(json.dumps(example), encoding="utf-8")
    out = str(tmp_path / "schedule.json")
    result = runner.invoke(solve_command, [str(instance), "-o", out, "--time-limit", "2",
                                           "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "idle gaps (bound 0)" in result.stderr
    assert "  m3: lost to meetings of higher total priority: p2 is busy at s01 (m1)" in result.stderr
    written = json.loads((tmp_path / "schedule.json").read_text(encoding="utf-8"))
    assert written["unscheduled"][0]["code"] == "lost_to_priority"
    assert written["stats"]["idle_gaps_bound"] == 0
