"""Agendas PDF, the instance file, and iCalendar files that keep their UIDs."""
from __future__ import annotations

import json
import re

import icalendar
from sqlalchemy import select

from matchmaker.exports import agendas, ical
from matchmaker.exports.instance import instance_json
from matchmaker.extensions import db
from matchmaker.models import Meeting
from matchmaker.schedule import moves, solving
from matchmaker.scheduling import parse_instance
from support import demo_event

CONSOLE = "/events/demo/console/schedule"


def test_agendas_pdf_has_a_page_per_participant_with_their_meetings(published):
    with published.app_context():
        event = demo_event()
        items = agendas.agendas(db.session, event)
        meeting = db.session.scalar(select(Meeting))
        mine = next(a for a in items if a.participation.id == meeting.request.sender_id)
        assert any(meeting.request.recipient.display_name in i.what for i in mine.items)
        pdf = agendas.to_pdf(event, items)
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == len(items)


def test_instance_file_is_a_valid_problem_with_the_accepted_requests(published):
    with published.app_context():
        event = demo_event()
        text = instance_json(db.session, event)
        problem = parse_instance(text)
        expected = solving.build_problem(db.session, event).problem.meetings
        assert len(problem.meetings) == len(expected)
        data = json.loads(text)
        assert all(m.get("previous") for m in data["meetings"]
                   if solving.parse_key(m["id"], "r") in
                   {x.request_id for x in db.session.scalars(select(Meeting))})


def test_ical_uids_stay_and_sequence_rises_when_a_meeting_moves(published, login_as):
    with published.app_context():
        event = demo_event()
        first = icalendar.Calendar.from_ical(ical.event_calendar(db.session, event, "h.example"))
        meetings = solving.meetings_in_force(db.session, event)
        taken = {(m.slot_id, m.table_id) for m in meetings}
        target = None
        for m in meetings:
            for slot in event.slots:
                for table in event.tables:
                    if (table.spare or table.owner_id is not None or m.table.owner_id
                            or (slot.id, table.id) in taken):
                        continue
                    if not moves.move_clashes(db.session, event, m, slot, table):
                        target = (m, slot, table)
                        break
                if target:
                    break
            if target:
                break
        assert target is not None
        meeting, slot, table = target
        moves.move_meeting(db.session, event, meeting, slot, table, notify=False)
        db.session.commit()
        uid = ical.meeting_uid(meeting.id, "h.example")
        second = icalendar.Calendar.from_ical(ical.event_calendar(db.session, event, "h.example"))
    before = {str(e["UID"]): e for e in first.walk("VEVENT")}
    after = {str(e["UID"]): e for e in second.walk("VEVENT")}
    assert set(before) == set(after)
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid].decoded("DTSTART") != before[uid].decoded("DTSTART") or \
        str(after[uid]["LOCATION"]) != str(before[uid]["LOCATION"])
    client = login_as("organiser@demo.example")
    download = client.get(f"{CONSOLE}/export/event.ics")
    assert download.status_code == 200
    downloaded = icalendar.Calendar.from_ical(download.data)
    assert uid.split("@")[0] in {str(e["UID"]).split("@")[0] for e in downloaded.walk("VEVENT")}
