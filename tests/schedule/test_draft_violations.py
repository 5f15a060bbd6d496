"""A draft that breaks the event's rules says which, in the reader's language and in names:
on the compare page, in the runs list's "cannot be published" line and when publishing is
refused. The command line keeps the checker's own words.

These tests need the compiled catalogues (`make translations`).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.i18n import group_name, in_language
from matchmaker.schedule import compare, solving
from matchmaker.scheduling import dumps_schedule, parse_schedule
from matchmaker.scheduling.check import Rule
from matchmaker.timeutil import format_time
from schedule_helpers import CONSOLE
from support import ORGANISER, demo_event, draft_run

SOLVER_IDS = re.compile(r'"?\b[psTrx]\d+\b"?')
ENGLISH = ("is at spare table", "pinned to", "placed at slot", "must stay at", "the draft")


def _moved_locked_meeting(event) -> dict:
    """A draft made before a meeting was locked, which puts it at another time."""
    run = draft_run(event)
    schedule = parse_schedule(run.result)
    meeting = solving.meetings_in_force(db.session, event)[0]
    meeting.locked = True
    key = solving.meeting_key(meeting.request_id)
    ep = solving.build_problem(db.session, event)
    other = next(k for k in ep.slots if k != solving.slot_key(meeting.slot_id))
    run.result = dumps_schedule(replace(schedule, assignments=tuple(
        replace(a, slot=other) if a.meeting == key else a for a in schedule.assignments)))
    db.session.commit()
    tz = event.timezone
    return {"run": run.id, "a": meeting.request.sender.user.name,
            "b": meeting.request.recipient.user.name,
            "pinned": format_time(meeting.slot.starts_at, tz),
            "placed": format_time(ep.slots[other].starts_at, tz),
            "table": _labels(meeting.table)}


def _labels(table) -> dict[str, str]:
    """The table's label in each language ('Table 3 (Textile)', 'Tafel 3 (Textiel)'...)."""
    labels = {}
    for language in ("en", "nl", "fr"):
        with in_language(language):
            labels[language] = table.label
    return labels


def _spare_draft(event) -> dict:
    """A draft of the schedule in force with one meeting moved to a free spare table."""
    run = draft_run(event)
    schedule = parse_schedule(run.result)
    spare = next(t for t in event.tables if t.spare)
    first = schedule.assignments[0]
    moved = replace(first, table=solving.table_key(spare.number))
    run.result = dumps_schedule(replace(schedule, assignments=(moved,) + schedule.assignments[1:]))
    db.session.commit()
    request = solving.build_problem(db.session, event).requests[first.meeting]
    return {"run": run.id, "a": request.sender.user.name, "b": request.recipient.user.name,
            "table": _labels(spare)}


EXPECTED = {
    "en": {"moved": "The meeting of {a} and {b} must stay at {pinned} at {table}, but the "
                    "draft puts it at {placed} at {table}.",
           "spare": "The meeting of {a} and {b} is at {table}, a spare table this run may "
                    "not use.",
           "clash": "{name} has 2 meetings at {placed}: "},
    "nl": {"moved": "De afspraak van {a} en {b} moet om {pinned} aan {table} blijven, "
                    "maar het ontwerp zet ze om {placed} aan {table}.",
           "spare": "De afspraak van {a} en {b} staat aan {table}, een reservetafel die "
                    "deze berekening niet mag gebruiken.",
           "clash": "{name} heeft 2 afspraken om {placed}: "},
    "fr": {"moved": "Le rendez-vous de {a} et {b} doit rester à {pinned} à la {table}, "
                    "mais le projet le place à {placed} à la {table}.",
           "spare": "Le rendez-vous de {a} et {b} est à la {table}, une table de réserve "
                    "que ce calcul ne peut pas utiliser.",
           "clash": "{name} a 2 rendez-vous à {placed} : "},
}


def _expected(kind: str, language: str, case: dict, **more) -> str:
    return EXPECTED[language][kind].format(**dict(case, table=case["table"][language], **more))


def _without_solver_words(text: str, language: str) -> None:
    problems = text[text.index('role="alert"'):]
    problems = problems[:problems.index("</div>")]
    assert not SOLVER_IDS.search(problems), problems
    if language != "en":
        assert not any(words in problems for words in ENGLISH), problems


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_draft_that_moves_a_locked_meeting_says_so_in_the_readers_language(
        published, login_as, language):
    with published.app_context():
        case = _moved_locked_meeting(demo_event())
    client = login_as(ORGANISER)
    headers = {"Accept-Language": language}
    page = client.get(f"{CONSOLE}/runs/{case['run']}", headers=headers).get_data(as_text=True)
    assert _expected("moved", language, case) in page
    _without_solver_words(page, language)
    # its meeting now clashes with the one in its slot: that comes first, as the reason
    clashes = [_expected("clash", language, case, name=case[who]) for who in ("a", "b")]
    assert all(clash in page for clash in clashes)
    runs_page = client.get(f"{CONSOLE}/", headers=headers).get_data(as_text=True)
    row = runs_page.split(f'id="run-{case["run"]}"')[1].split("</tr>")[0]
    assert 'data-verdict="refused"' in row and any(clash in row for clash in clashes)
    assert not SOLVER_IDS.search(row)
    response = client.post(f"{CONSOLE}/runs/{case['run']}/publish", headers=headers,
                           follow_redirects=True)
    assert any(clash in response.get_data(as_text=True) for clash in clashes)


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_draft_at_a_spare_table_names_the_meeting_and_the_table(published, login_as,
                                                                  language):
    with published.app_context():
        case = _spare_draft(demo_event())
    client = login_as(ORGANISER)
    headers = {"Accept-Language": language}
    page = client.get(f"{CONSOLE}/runs/{case['run']}", headers=headers).get_data(as_text=True)
    assert _expected("spare", language, case) in page
    _without_solver_words(page, language)


def test_violations_stay_data_until_shown(published):
    with published.app_context():
        event = demo_event()
        case = _moved_locked_meeting(event)
        run = db.session.get(compare.SolveRun, case["run"])
        comparison = compare.compare_schedule(db.session, event, run)
        assert [v.code for v in comparison.raw_violations][-1] == Rule.PIN_MOVED
        moved = comparison.raw_violations[-1]
        assert str(moved).startswith(f'meeting "{moved.meeting}" is pinned to slot')
        with in_language("fr"):
            named = compare.named_violations(db.session, event,
                                             solving.build_problem(db.session, event), [moved])
        assert named == [_expected("moved", "fr", case)]


def test_a_spare_table_violation_keeps_its_command_line_words():
    violation = compare.SpareTable(meeting="r12", table="T36")
    assert violation.code == "spare_table"
    assert str(violation) == '"r12" is at spare table 36, which this run may not use'


DIALOGUE_EXPECTED = {
    "en": ("This dialogue plan breaks the event's rules as they are now.",
           "{table} of {session} has {count} people on the buyers' side, for 0 seats."),
    "nl": ("Dit dialoogplan overtreedt de huidige regels van het evenement.",
           "{table} van {session} heeft {count} mensen aan de kant van de aankopers, voor "
           "0 plaatsen."),
    "fr": ("Ce plan de dialogue enfreint les règles actuelles de l'événement.",
           "{table} de {session} a {count} personnes du côté acheteurs, pour 0 place."),
}


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_dialogue_plan_that_no_longer_fits_says_why_in_the_readers_language(
        demo, login_as, language):
    from collections import Counter

    from matchmaker.models import DialogueTable, SolveRun
    from matchmaker.marketdialogue.formats import parse_plan
    client = login_as(ORGANISER)
    client.post(f"{CONSOLE}/runs/dialogues", data={"d-kind": "dialogues", "d-time_limit": "1"})
    with demo.app_context():
        run = db.session.scalar(select(SolveRun).order_by(SolveRun.id.desc()))
        built = solving.build_dialogue_problem(db.session, demo_event())
        plan = parse_plan(json.loads(run.result), built.problem)
        buyers = Counter((s.session, s.table) for s in plan.seats if s.side == "buyer")
        (session_key, table_key), count = buyers.most_common(1)[0]
        table = built.tables[(session_key, table_key)]
        db.session.get(DialogueTable, table.id).buyer_seats = 0  # fewer seats since the run
        db.session.commit()
        with in_language(language):
            words = {"table": f"{table.label}", "session": built.sessions[session_key].name or
                     group_name(built.sessions[session_key].product_group), "count": count}
        run_id = run.id
    cause, problem = DIALOGUE_EXPECTED[language]
    headers = {"Accept-Language": language}
    page = client.get(f"{CONSOLE}/runs/{run_id}", headers=headers).get_data(as_text=True)
    problem = problem.format(**words)
    assert problem in page.replace("&#39;", "'"), page[page.find("role=\"alert\""):][:800]
    _without_solver_words(page, language)
    runs_page = client.get(f"{CONSOLE}/", headers=headers).get_data(as_text=True)
    row = runs_page.split(f'id="run-{run_id}"')[1].split("</tr>")[0].replace("&#39;", "'")
    assert 'data-verdict="refused"' in row and cause in row
    assert not SOLVER_IDS.search(row)
