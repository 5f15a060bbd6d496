"""Over-deep JSON and huge numbers on the commands: one clear line and exit 2, never a
traceback (before, `matchmaker solve` and `matchmaker import schedule` printed one)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matchmaker import safejson
from matchmaker.cli import cli
from matchmaker.marketdialogue.cli import dialogue_group
from matchmaker.scheduling.cli import check_command, solve_command

DEEP = "[" * 100_000 + "]" * 100_000
HUGE = '{"format": "matchmaker-instance/1", "n": ' + "9" * 5000 + "}"


def test_loads_refuses_depth_and_long_numbers_and_reads_the_rest():
    with pytest.raises(safejson.JSONLimitError, match="nested deeper than 100 levels"):
        safejson.loads(DEEP)
    with pytest.raises(safejson.JSONLimitError, match="a number of 5000 characters"):
        safejson.loads(HUGE)
    with pytest.raises(safejson.JSONLimitError, match="NaN is not a JSON value"):
        safejson.loads('{"x": NaN}')
    nested = "[" * 100 + "]" * 100
    assert safejson.loads(nested) == json.loads(nested)
    text = '{"a": "[[[[ {{{ \\" ]]", "n": ' + "7" * 100 + ', "f": -1.5e3}'
    assert safejson.loads(text) == json.loads(text)


@pytest.fixture(params=["deep", "huge"])
def bad_file(request, tmp_path):
    path = tmp_path / f"{request.param}.json"
    path.write_text(DEEP if request.param == "deep" else HUGE)
    return path


def _one_clear_line(result, path) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}:"), lines
    assert "nested deeper" in lines[0] or "characters" in lines[0]


def test_solve_and_check_refuse_them(bad_file, tmp_path):
    runner = CliRunner()
    _one_clear_line(runner.invoke(solve_command, [str(bad_file), "-o",
                                                  str(tmp_path / "out.json")]), bad_file)
    _one_clear_line(runner.invoke(check_command, [str(bad_file), str(bad_file)]), bad_file)
    assert not (tmp_path / "out.json").exists()


def test_dialogue_commands_refuse_them(bad_file):
    _one_clear_line(CliRunner().invoke(dialogue_group, ["solve", str(bad_file)]), bad_file)


def test_import_schedule_refuses_them_and_changes_nothing(demo, bad_file):
    from matchmaker.extensions import db
    from matchmaker.models import SolveRun
    result = demo.test_cli_runner().invoke(cli, ["import", "schedule", "demo", str(bad_file)])
    _one_clear_line(result, bad_file)
    with demo.app_context():
        assert db.session.query(SolveRun).count() == 0
