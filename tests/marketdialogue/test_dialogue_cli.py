"""The `dialogue` click group: solve, check, generate, and clean errors on bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matchmaker.marketdialogue.cli import dialogue_group
from matchmaker.marketdialogue.formats import read_dialogue, read_plan


def _run(*args: str):
    return CliRunner().invoke(dialogue_group, list(args))


def test_generate_solve_check(tmp_path):
    problem_file = tmp_path / "dialogue.json"
    plan_file = tmp_path / "plan.json"
    result = _run("generate", "--participants", "80", "--seed", "3", "--rounds", "2", "-o", str(problem_file))
    assert result.exit_code == 0, result.output
    problem = read_dialogue(problem_file)
    assert len(problem.participants) == 80

    result = _run("solve", str(problem_file), "-o", str(plan_file), "--time-limit", "3", "--workers", "1",
                  "--seed", "2")
    assert result.exit_code == 0, result.stderr
    assert "interest" in result.stderr
    plan = read_plan(plan_file, problem)
    assert plan.seats

    result = _run("check", str(problem_file), str(plan_file))
    assert result.exit_code == 0
    assert result.stdout == ""


def test_check_lists_violations_and_exits_1(tmp_path, doc):
    problem_file = tmp_path / "dialogue.json"
    problem_file.write_text(json.dumps(doc))
    plan = {"format": "matchmaker-dialogue-plan/1", "status": "feasible",
            "seats": [{"participant": "p4", "session": "d1", "table": "TX-1", "side": "supplier"}]}
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    result = _run("check", str(problem_file), str(plan_file))
    assert result.exit_code == 1
    assert "a buyer sits on the supplier side" in result.stdout
    assert "p4 has no interest in textile" in result.stdout


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


BAD_INPUTS = [
    ("missing file", lambda tmp, doc: str(tmp / "nope.json"), "nope.json: no such file"),
    ("broken JSON", lambda tmp, doc: _write(tmp, "d.json", "{\"format\": "), "broken JSON at line 1"),
    ("wrong format", lambda tmp, doc: _write(tmp, "d.json", json.dumps({**doc, "format": "x/1"})),
     'format: expected "matchmaker-dialogue/1", got "x/1"'),
    ("unknown moderator", lambda tmp, doc: _write(tmp, "d.json", json.dumps(
        {**doc, "sessions": [{**doc["sessions"][0], "tables": [{**doc["sessions"][0]["tables"][0],
                                                                 "moderator": "p99"}]}]})),
     'sessions[0].tables[0] (id "TX-1"): moderator "p99" is unknown'),
    ("directory", lambda tmp, doc: str(tmp), "is a directory"),
]


@pytest.mark.parametrize("make, message", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_dialogue_exits_2_without_traceback(tmp_path, doc, make, message):
    path = make(tmp_path, doc)
    for args in (["solve", path, "-o", str(tmp_path / "plan.json"), "--time-limit", "1"],
                 ["check", path, path]):
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("Error: ")
        assert message in result.stderr
        assert "Traceback" not in result.output + result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_plan_exits_2(tmp_path, doc):
    problem_file = _write(tmp_path, "d.json", json.dumps(doc))
    plan_file = _write(tmp_path, "p.json", json.dumps(
        {"format": "matchmaker-dialogue-plan/1", "status": "feasible",
         "seats": [{"participant": "p1", "session": "d9", "table": "TX-1", "side": "buyer"}]}))
    result = _run("check", problem_file, plan_file)
    assert result.exit_code == 2
    assert 'Error: seats[0]: session "d9" is unknown' in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options_exit_2():
    result = _run("generate", "--participants", "-3", "--seed", "1")
    assert result.exit_code == 2
    assert "Error" in result.stderr


def test_generate_to_stdout_is_a_dialogue_document():
    result = _run("generate", "--participants", "10", "--seed", "1")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "matchmaker-dialogue/1"
