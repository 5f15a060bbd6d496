"""The JSON Schemas of the four solver file formats, against the documented examples,
files written by the real commands, and broken files.

The schemas check the shape of a file; the readers check more (ids that name
something known, slots in time order...). Every broken file here must be refused
by the schema and by the reader alike, so the two cannot drift apart unnoticed.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from matchmaker.cli import cli
from matchmaker.marketdialogue.check import check as check_plan
from matchmaker.marketdialogue.formats import (
    DialogueFormatError,
    parse_dialogue,
    parse_plan,
    read_dialogue,
    read_plan,
)
from matchmaker.scheduling.check import check as check_schedule
from matchmaker.scheduling.check import schedule_metrics
from matchmaker.scheduling.formats import (
    FormatError,
    problem_from_dict,
    read_instance,
    read_schedule,
    schedule_from_dict,
)
from matchmaker.schemas import FORMATS, load_schema, schema_name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
EXAMPLE_FILE = {
    "matchmaker-instance/1": "instance.json",
    "matchmaker-schedule/1": "schedule.json",
    "matchmaker-dialogue/1": "dialogue.json",
    "matchmaker-dialogue-plan/1": "dialogue-plan.json",
}
READER = {
    "matchmaker-instance/1": (problem_from_dict, FormatError),
    "matchmaker-schedule/1": (schedule_from_dict, FormatError),
    "matchmaker-dialogue/1": (parse_dialogue, DialogueFormatError),
    "matchmaker-dialogue-plan/1": (parse_plan, DialogueFormatError),
}


def validator(tag: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(tag))


def errors(tag: str, document) -> list[str]:
    return [error.message for error in validator(tag).iter_errors(document)]


def example(tag: str) -> dict:
    return json.loads((EXAMPLES / EXAMPLE_FILE[tag]).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("tag", FORMATS)
def test_schema_is_draft_2020_12_and_names_its_format(tag):
    schema = load_schema(tag)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"] == {"const": tag}
    assert "format" in schema["required"]
    assert (ROOT / "matchmaker" / "schemas" / schema_name(tag)).is_file()


def test_the_package_data_ships_the_schemas():
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    package_data = re.search(r"\[options\.package_data\]\nmatchmaker = (.*)", setup).group(1)
    assert "schemas/*.json" in package_data


def test_unknown_format_has_no_schema():
    with pytest.raises(KeyError, match="matchmaker-instance/2"):
        load_schema("matchmaker-instance/2")


# --------------------------------------------------------------------------- the documented examples


@pytest.mark.parametrize("tag", FORMATS)
def test_docs_example_follows_its_schema(tag):
    assert errors(tag, example(tag)) == []


def test_docs_examples_are_valid_for_the_code():
    problem = read_instance(EXAMPLES / "instance.json")
    schedule = read_schedule(EXAMPLES / "schedule.json")
    assert check_schedule(problem, schedule) == []
    measured = schedule_metrics(problem, schedule)
    for key, value in measured.items():
        assert schedule.stats[key] == value, key

    dialogue = read_dialogue(EXAMPLES / "dialogue.json")
    plan = read_plan(EXAMPLES / "dialogue-plan.json", dialogue)
    assert check_plan(dialogue, plan) == []


def test_docs_show_the_example_files():
    """Every example in docs/formats.md is one of the files, word for word in JSON terms,
    and the page links each file."""
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    shown = {}
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        data = json.loads(block)
        if isinstance(data, dict) and data.get("format") in FORMATS:
            shown[data["format"]] = data
    assert set(shown) == set(FORMATS)
    for tag, data in shown.items():
        assert data == example(tag), tag
        assert f"(examples/{EXAMPLE_FILE[tag]})" in text


# --------------------------------------------------------------------------- files the code writes


def test_files_written_by_the_commands_follow_the_schemas(tmp_path):
    runner = CliRunner()
    instance, schedule = tmp_path / "event.json", tmp_path / "schedule.json"
    dialogue, plan = tmp_path / "dialogue.json", tmp_path / "plan.json"
    for args in (
        ["generate", "--attendees", "24", "--seed", "5", "--days", "2", "--slots", "6", "--stands",
         "-o", str(instance)],
        ["solve", str(instance), "-o", str(schedule), "--time-limit", "1", "--workers", "1"],
        ["dialogue", "generate", "--participants", "30", "--seed", "5", "-o", str(dialogue)],
        ["dialogue", "solve", str(dialogue), "-o", str(plan), "--time-limit", "1", "--workers", "1"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)

    written = {"matchmaker-instance/1": instance, "matchmaker-schedule/1": schedule,
               "matchmaker-dialogue/1": dialogue, "matchmaker-dialogue-plan/1": plan}
    for tag, path in written.items():
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["format"] == tag
        assert errors(tag, data) == [], tag

    # The generated files use the optional fields, so the schema saw them.
    event = json.loads(instance.read_text(encoding="utf-8"))
    assert any("table" in p for p in event["participants"])
    assert any("available" in p for p in event["participants"])
    assert any("max_meetings" in p for p in event["participants"])
    seats = json.loads(plan.read_text(encoding="utf-8"))["seats"]
    assert seats


# --------------------------------------------------------------------------- broken files


def _drop(*path):
    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        del target[last]
    return change


def _set(value, *path):
    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value
    return change


BROKEN = [
    # (format, what is wrong, change)
    ("matchmaker-instance/1", "no format tag", _drop("format")),
    ("matchmaker-instance/1", "another format's tag", _set("matchmaker-schedule/1", "format")),
    ("matchmaker-instance/1", "a later version", _set("matchmaker-instance/2", "format")),
    ("matchmaker-instance/1", "no slots", _drop("slots")),
    ("matchmaker-instance/1", "a slot without end", _drop("slots", 0, "end")),
    ("matchmaker-instance/1", "a time with UTC offset", _set("2026-11-21T10:00:00+01:00", "slots", 0, "start")),
    ("matchmaker-instance/1", "a meeting without id", _drop("meetings", 0, "id")),
    ("matchmaker-instance/1", "max_meetings as text", _set("2", "participants", 0, "max_meetings")),
    ("matchmaker-instance/1", "priority 0", _set(0, "meetings", 0, "priority")),
    ("matchmaker-instance/1", "three people in a meeting", _set(["p1", "p3", "p4"], "meetings", 0, "participants")),
    ("matchmaker-instance/1", "a pin without slot", _drop("meetings", 1, "fixed", "slot")),
    ("matchmaker-instance/1", "tables as an object", _set({"T1": {}}, "tables")),
    ("matchmaker-schedule/1", "no format tag", _drop("format")),
    ("matchmaker-schedule/1", "another format's tag", _set("matchmaker-instance/1", "format")),
    ("matchmaker-schedule/1", "no status", _drop("status")),
    ("matchmaker-schedule/1", "an unknown status", _set("done", "status")),
    ("matchmaker-schedule/1", "no assignments", _drop("assignments")),
    ("matchmaker-schedule/1", "an assignment without table", _drop("assignments", 0, "table")),
    ("matchmaker-schedule/1", "a slot as a number", _set(2, "assignments", 0, "slot")),
    ("matchmaker-schedule/1", "stats as a list", _set([], "stats")),
    ("matchmaker-dialogue/1", "no format tag", _drop("format")),
    ("matchmaker-dialogue/1", "another format's tag", _set("matchmaker-dialogue-plan/1", "format")),
    ("matchmaker-dialogue/1", "no sessions", _drop("sessions")),
    ("matchmaker-dialogue/1", "a session without product group", _drop("sessions", 0, "product_group")),
    ("matchmaker-dialogue/1", "seats as text", _set("3", "sessions", 0, "tables", 0, "buyer_seats")),
    ("matchmaker-dialogue/1", "negative seats", _set(-1, "sessions", 0, "tables", 0, "supplier_seats")),
    ("matchmaker-dialogue/1", "an unknown role", _set("moderator", "participants", 0, "role")),
    ("matchmaker-dialogue/1", "a participant without role", _drop("participants", 0, "role")),
    ("matchmaker-dialogue/1", "an interest weight as text", _set({"textile": "high"}, "participants", 0, "interests")),
    ("matchmaker-dialogue/1", "a blank id", _set("  ", "participants", 0, "id")),
    ("matchmaker-dialogue/1", "max_per_organisation 0", _set(0, "rules", "max_per_organisation")),
    ("matchmaker-dialogue-plan/1", "no format tag", _drop("format")),
    ("matchmaker-dialogue-plan/1", "another format's tag", _set("matchmaker-dialogue/1", "format")),
    ("matchmaker-dialogue-plan/1", "no seats", _drop("seats")),
    ("matchmaker-dialogue-plan/1", "an unknown status", _set("best", "status")),
    ("matchmaker-dialogue-plan/1", "a seat without side", _drop("seats", 0, "side")),
    ("matchmaker-dialogue-plan/1", "a seat on no side", _set("middle", "seats", 0, "side")),
    ("matchmaker-dialogue-plan/1", "an unseated interest without reason", _drop("unseated", 0, "reason")),
    ("matchmaker-dialogue-plan/1", "a closed table without table", _drop("closed_tables", 0, "table")),
]


@pytest.mark.parametrize("tag, what, change", BROKEN, ids=[f"{t} {w}" for t, w, _ in BROKEN])
def test_broken_file_is_refused_by_schema_and_reader(tag, what, change):
    document = copy.deepcopy(example(tag))
    change(document)
    assert errors(tag, document), f"the schema accepts {what}"
    read, error = READER[tag]
    with pytest.raises(error):
        read(document)


@pytest.mark.parametrize("tag", FORMATS)
def test_a_document_of_another_type_is_refused(tag):
    assert errors(tag, [example(tag)])
    assert errors(tag, "matchmaker")


# --------------------------------------------------------------------------- room to grow


def test_unknown_fields_are_allowed_as_the_formats_promise():
    instance = example("matchmaker-instance/1")
    instance["generator"] = {"name": "export", "version": 3}
    instance["meetings"][0]["note"] = "asked twice"
    instance["slots"][0]["room"] = "Hall B"
    assert errors("matchmaker-instance/1", instance) == []
    plan = example("matchmaker-dialogue-plan/1")
    plan["seats"][0]["badge"] = "blue"
    plan["stats"]["phases"] = {"interest": "OPTIMAL"}
    assert errors("matchmaker-dialogue-plan/1", plan) == []


def test_schedule_stats_may_carry_a_proven_idle_gaps_bound():
    schedule = example("matchmaker-schedule/1")
    schedule["stats"]["idle_gaps_bound"] = 3
    assert errors("matchmaker-schedule/1", schedule) == []
    for bad in (-1, "3", 1.5, None):
        schedule["stats"]["idle_gaps_bound"] = bad
        assert errors("matchmaker-schedule/1", schedule), bad
    del schedule["stats"]["idle_gaps_bound"]
    assert errors("matchmaker-schedule/1", schedule) == []


@pytest.mark.parametrize("tag, path", [
    ("matchmaker-schedule/1", ("unscheduled", 0)),
    ("matchmaker-dialogue-plan/1", ("unseated", 0)),
    ("matchmaker-dialogue-plan/1", ("closed_tables", 0)),
])
def test_a_reason_is_words_or_a_code_with_parameters(tag, path):
    document = example(tag)
    item = document[path[0]][path[1]]
    item["reason"] = {"code": "max_meetings_reached", "participant": "p1", "limit": 2}
    assert errors(tag, document) == []
    item["reason"] = {"participant": "p1", "limit": 2}
    assert errors(tag, document), "a coded reason needs its code"
    item["reason"] = 7
    assert errors(tag, document)
