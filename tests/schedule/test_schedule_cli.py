"""The schedule, dialogue, export and import commands."""
from __future__ import annotations

import json
import re

import icalendar
from sqlalchemy import func, select

from matchmaker.cli import cli
from matchmaker.domain import DomainError
from matchmaker.extensions import db
from matchmaker.models import DialogueTable, Meeting, Phase, SolveRun
from matchmaker.schedule import publish
from schedule_helpers import last_run
from support import demo_event


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def invoke(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def test_seed_demo_to_published_schedule_and_every_export_with_the_cli_alone(app, runner,
                                                                             tmp_path):
    assert invoke(runner, "seed-demo", "--attendees", 30, "--seed", 7).exit_code == 0
    dialogues = invoke(runner, "dialogues", "demo", "--time-limit", 1, "--publish")
    assert dialogues.exit_code == 0, dialogues.output
    assert "Published run" in dialogues.output
    result = invoke(runner, "schedule", "demo", "--time-limit", 2, "--publish")
    assert result.exit_code == 0, result.output
    assert "Published run" in result.output
    with app.app_context():
        event = demo_event()
        assert event.phase is Phase.PUBLISHED
        meetings = db.session.scalar(select(func.count()).select_from(Meeting))
        assert meetings > 0
        tables = [t for t in event.tables if not t.spare]
        dialogue_tables = db.session.scalar(select(func.count()).select_from(DialogueTable))

    files = {}
    for fmt in ("csv", "pdf", "html"):
        out = tmp_path / f"tables.{fmt}"
        assert invoke(runner, "export", "tables", "demo", "--format", fmt, "-o", out
                      ).exit_code == 0
        files[fmt] = out.read_bytes()
    assert pages(files["pdf"]) == 1 + len(tables) + dialogue_tables
    assert b"Table 1" in files["csv"] and b"Table 1" in files["html"]

    out = tmp_path / "agendas.pdf"
    assert invoke(runner, "export", "agendas", "demo", "-o", out).exit_code == 0
    assert pages(out.read_bytes()) == 29  # buyers, suppliers and experts: a page each

    out = tmp_path / "event.ics"
    assert invoke(runner, "export", "ical", "demo", "-o", out).exit_code == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert len([u for u in uids if u.startswith("meeting-")]) == meetings
    again = tmp_path / "again.ics"
    invoke(runner, "export", "ical", "demo", "-o", again)
    assert {str(e["UID"]) for e in icalendar.Calendar.from_ical(
        again.read_bytes()).walk("VEVENT")} == uids

    person = tmp_path / "buyer1.ics"
    assert invoke(runner, "export", "ical", "demo", "--participant", "buyer1@demo.example",
                  "-o", person).exit_code == 0
    assert icalendar.Calendar.from_ical(person.read_bytes())
    table = tmp_path / "table1.ics"
    assert invoke(runner, "export", "ical", "demo", "--table", 1, "-o", table).exit_code == 0

    instance = tmp_path / "instance.json"
    assert invoke(runner, "export", "instance", "demo", "-o", instance).exit_code == 0
    data = json.loads(instance.read_text())
    assert data["format"] == "matchmaker-instance/1"
    # Solve it elsewhere and bring it back: it is checked, kept as a run and published.
    solved = tmp_path / "solved.json"
    assert invoke(runner, "solve", instance, "-o", solved, "--time-limit", 1).exit_code == 0
    imported = invoke(runner, "import", "schedule", "demo", solved, "--publish")
    assert imported.exit_code == 0, imported.output
    assert "Published" in imported.output
    # Re-solving keeps the published schedule's places where it can (`previous`).
    assert invoke(runner, "schedule", "demo", "--time-limit", 1).exit_code == 0
    with app.app_context():
        run = last_run()
        assert run.published_at is None and run.result


def test_every_command_exits_2_for_an_unknown_event(app, runner, tmp_path):
    out = tmp_path / "x"
    schedule_file = tmp_path / "s.json"
    schedule_file.write_text('{"format": "matchmaker-schedule/1", "status": "feasible", '
                             '"assignments": []}')
    for args in (["export", "ical", "nope", "-o", out],
                 ["export", "tables", "nope", "--format", "csv", "-o", out],
                 ["export", "agendas", "nope", "-o", out],
                 ["export", "instance", "nope", "-o", out],
                 ["import", "schedule", "nope", schedule_file],
                 ["schedule", "nope", "--time-limit", 1],
                 ["dialogues", "nope", "--time-limit", 1]):
        result = invoke(runner, *args)
        assert result.exit_code == 2, (args, result.output)
        assert "No event with slug 'nope'" in result.output
        assert not out.exists()


def test_export_ical_for_an_unknown_participant_or_table_exits_2(demo, runner, tmp_path):
    out = tmp_path / "x.ics"
    result = invoke(runner, "export", "ical", "demo", "--participant", "nobody@x.example",
                    "-o", out)
    assert result.exit_code == 2 and "nobody@x.example" in result.output
    result = invoke(runner, "export", "ical", "demo", "--table", 999, "-o", out)
    assert result.exit_code == 2 and "no table 999" in result.output
    assert not out.exists()


def test_a_schedule_file_with_violations_is_refused_and_nothing_changes(published, runner,
                                                                         tmp_path):
    instance = tmp_path / "instance.json"
    invoke(runner, "export", "instance", "demo", "-o", instance)
    data = json.loads(instance.read_text())
    # Two meetings of one participant in one slot, at the same table.
    person = data["meetings"][0]["participants"][0]
    mine = [m for m in data["meetings"] if person in m["participants"]][:2]
    slot, table = data["slots"][0]["id"], data["tables"][0]["id"]
    bad = {"format": "matchmaker-schedule/1", "status": "feasible",
           "assignments": [{"meeting": m["id"], "slot": slot, "table": table} for m in mine],
           "unscheduled": [{"meeting": m["id"], "reason": "x"} for m in data["meetings"]
                           if m not in mine]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with published.app_context():
        before = sorted((m.id, m.slot_id, m.table_id) for m in db.session.scalars(select(Meeting)))
        runs_before = db.session.scalar(select(func.count()).select_from(SolveRun))
    result = invoke(runner, "import", "schedule", "demo", path, "--publish")
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "hosts 2 meetings" in result.output or "has 2 meetings" in result.output
    with published.app_context():
        after = sorted((m.id, m.slot_id, m.table_id) for m in db.session.scalars(select(Meeting)))
        assert after == before
        assert db.session.scalar(select(func.count()).select_from(SolveRun)) == runs_before


def test_an_unreadable_schedule_file_exits_2(demo, runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = invoke(runner, "import", "schedule", "demo", path)
    assert result.exit_code == 2 and "broken.json" in result.output
    result = invoke(runner, "import", "schedule", "demo", tmp_path / "missing.json")
    assert result.exit_code == 2


def test_publishing_the_same_run_twice_from_the_cli_is_refused(published, runner, tmp_path):
    instance = tmp_path / "i.json"
    invoke(runner, "export", "instance", "demo", "-o", instance)
    solved = tmp_path / "s.json"
    invoke(runner, "solve", instance, "-o", solved, "--time-limit", 1)
    assert invoke(runner, "import", "schedule", "demo", solved).exit_code == 0
    with published.app_context():
        run = last_run()
        publish.publish_schedule(db.session, demo_event(), run, notify=False)
        db.session.commit()
        try:
            publish.publish_schedule(db.session, demo_event(), run, notify=False)
        except DomainError as error:
            assert "published already" in error.message
        else:
            raise AssertionError("a second publication went through")
