"""Compare a draft with the schedule in force, publish it atomically, refuse twice."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.domain import DomainError
from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Booking, Meeting, Phase, SolveRun
from matchmaker.schedule import compare, publish, solving
from matchmaker.scheduling import Assignment, Schedule, fcfs
from schedule_helpers import (CONSOLE, draft_swapping_tables, draft_without, edited_draft,
                              last_run, post_run)
from support import ORGANISER, demo_event, draft_run


def placements() -> dict[int, tuple[int, int, int, int]]:
    """request id -> (meeting id, slot id, table id, sequence)."""
    return {m.request_id: (m.id, m.slot_id, m.table_id, m.sequence)
            for m in db.session.scalars(select(Meeting))}


def test_first_publication_creates_meetings_bookings_and_sets_phase(demo, login_as):
    with demo.app_context():
        event = demo_event()
        run = draft_run(event)
        run_id = run.id
        scheduled = len(fcfs(solving.build_problem(db.session, event).problem).assignments)
        db.session.commit()
    client = login_as(ORGANISER)
    page = client.get(f"{CONSOLE}/runs/{run_id}")
    assert page.status_code == 200
    assert f"{scheduled}" in page.get_data(as_text=True)
    response = client.post(f"{CONSOLE}/runs/{run_id}/publish")
    assert response.status_code == 302
    with demo.app_context():
        event = demo_event()
        assert event.phase is Phase.PUBLISHED
        assert event.live_booking  # booking was open: it stays open, live
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == scheduled
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 2 * scheduled
        assert db.session.get(SolveRun, run_id).published_at is not None
        assert all(m.sequence == 0 for m in db.session.scalars(select(Meeting)))


def test_publishing_the_same_run_twice_is_refused(published, login_as):
    with published.app_context():
        run_id = db.session.scalar(select(SolveRun.id))
        before = placements()
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/runs/{run_id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert "was published already" in response.get_data(as_text=True)
    with published.app_context():
        assert placements() == before
        with pytest.raises(DomainError, match="published already"):
            publish.publish_schedule(db.session, demo_event(), db.session.get(SolveRun, run_id))


def test_republish_keeps_ids_of_unchanged_and_moved_meetings_and_bumps_sequence(published):
    with published.app_context():
        event = demo_event()
        before = placements()
        in_force = solving.meetings_in_force(db.session, event)
        ep = solving.build_problem(db.session, event)
        # Move one meeting to a free cell of its allowed tables, drop another one.
        taken_cells = {(m.slot_id, m.table_id) for m in in_force}
        busy = {(b.participation_id, b.slot_id) for b in db.session.scalars(select(Booking))}
        d = __import__("matchmaker.scheduling.domains", fromlist=["Domains"]).Domains(ep.problem)
        mover = target = None
        for m in in_force:
            sm = d.meeting[solving.meeting_key(m.request_id)]
            for pos in d.allowed_slots(sm):
                slot = ep.slots[d.slot_ids[pos]]
                if any((pid, slot.id) in busy for pid in (m.request.sender_id,
                                                          m.request.recipient_id)):
                    continue
                for tkey in d.allowed_tables(sm):
                    if (slot.id, ep.tables[tkey].id) not in taken_cells:
                        mover, target = m, (d.slot_ids[pos], tkey)
                        break
                if mover:
                    break
            if mover:
                break
        assert mover is not None
        dropped = next(m for m in in_force if m.id != mover.id)
        moved_rid, dropped_rid = mover.request_id, dropped.request_id

        def edit(ep, assignments):
            key = solving.meeting_key(moved_rid)
            assignments[key] = Assignment(meeting=key, slot=target[0], table=target[1])
            del assignments[solving.meeting_key(dropped_rid)]

        run = edited_draft(event, edit)
        comparison = compare.compare_schedule(db.session, event, run)
        assert (comparison.count("moved"), comparison.count("lost"),
                comparison.count("gained")) == (1, 1, 0)
        affected = {p.id for p in comparison.affected}
        assert affected == {mover.request.sender_id, mover.request.recipient_id,
                            dropped.request.sender_id, dropped.request.recipient_id}
        publish.publish_schedule(db.session, event, run)
        db.session.commit()
        after = placements()
        assert dropped_rid not in after
        assert after[moved_rid][0] == before[moved_rid][0]  # same meeting id
        assert after[moved_rid][3] == before[moved_rid][3] + 1
        for rid, row in after.items():
            if rid != moved_rid:
                assert row == before[rid]
        # Bookings follow the moved meeting.
        slots = {b.slot_id for b in db.session.scalars(
            select(Booking).where(Booking.meeting_id == after[moved_rid][0]))}
        assert slots == {after[moved_rid][1]}


def test_two_meetings_swapping_places_publish_without_a_conflict(published):
    with published.app_context():
        event = demo_event()
        before = placements()
        a, b, run = draft_swapping_tables(event)
        publish.publish_schedule(db.session, event, run, notify=False)
        db.session.commit()
        after = placements()
        assert after[a.request_id][2] == before[b.request_id][2]
        assert after[b.request_id][2] == before[a.request_id][2]
        assert after[a.request_id][0] == before[a.request_id][0]
        # The temporary parking table is gone.
        assert len(event.tables) == len({t.id for t in event.tables})
        assert not [t for t in event.tables if t.zone == "(publishing)"]


def test_failed_publish_changes_nothing(demo, login_as, monkeypatch):
    with demo.app_context():
        event = demo_event()
        run_id = draft_run(event).id
        db.session.commit()
    calls = {"n": 0}
    real_book = publish.book

    def failing_book(session, meeting):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        real_book(session, meeting)

    monkeypatch.setattr(publish, "book", failing_book)
    client = login_as(ORGANISER)
    response = client.post(f"{CONSOLE}/runs/{run_id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert "nothing was changed" in response.get_data(as_text=True)
    assert calls["n"] == 5
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        assert demo_event().phase is not Phase.PUBLISHED
        assert db.session.get(SolveRun, run_id).published_at is None


def test_publish_notifies_only_participants_whose_agenda_changed(published):
    with published.app_context():
        event = demo_event()
        in_force = solving.meetings_in_force(db.session, event)
        dropped = in_force[0]
        people = {dropped.request.sender.user.email, dropped.request.recipient.user.email}

        run = draft_without(event, dropped)
        outbox().clear()
        publish.publish_schedule(db.session, event, run)
        db.session.commit()
        assert {m.to for m in outbox()} == people


def test_a_draft_that_no_longer_fits_is_refused(published, login_as):
    """A meeting locked elsewhere after the run: the draft would move it, so it is stale."""
    with published.app_context():
        event = demo_event()
        run = draft_run(event, None)
        run_id = run.id
        meeting = solving.meetings_in_force(db.session, event)[0]
        # Pretend the draft places it elsewhere: swap its slot with another free cell later.
        meeting.locked = True
        db.session.commit()
        ep = solving.build_problem(db.session, event)
        key = solving.meeting_key(meeting.request_id)
        from matchmaker.scheduling import dumps_schedule, parse_schedule
        schedule = parse_schedule(db.session.get(SolveRun, run_id).result)
        other_slot = next(k for k in ep.slots if k != solving.slot_key(meeting.slot_id))
        schedule = Schedule(status="feasible", assignments=tuple(
            Assignment(meeting=a.meeting, slot=other_slot if a.meeting == key else a.slot,
                       table=a.table) for a in schedule.assignments),
            unscheduled=schedule.unscheduled)
        db.session.get(SolveRun, run_id).result = dumps_schedule(schedule)
        db.session.commit()
        before = placements()
    client = login_as(ORGANISER)
    page = client.get(f"{CONSOLE}/runs/{run_id}")
    assert "no longer fits" in page.get_data(as_text=True)
    response = client.post(f"{CONSOLE}/runs/{run_id}/publish", follow_redirects=True)
    assert "no longer fits" in response.get_data(as_text=True)
    with published.app_context():
        assert placements() == before


def test_publishing_a_dialogue_plan_replaces_seats_and_keeps_unchanged_ones(demo, login_as):
    client = login_as(ORGANISER)
    response = post_run(client, "dialogues", "1")
    assert response.status_code == 302
    with demo.app_context():
        run = last_run()
        assert run.status.value == "finished", run.message
        run_id = run.id
    assert client.post(f"{CONSOLE}/runs/{run_id}/publish").status_code == 302
    from matchmaker.models import DialogueSeat
    with demo.app_context():
        seats = {s.id for s in db.session.scalars(select(DialogueSeat))}
        assert seats
    # A second identical plan changes nothing and keeps the seat rows (their UIDs).
    post_run(client, "dialogues", "1")
    with demo.app_context():
        second = last_run()
        comparison = compare.compare_dialogues(db.session, demo_event(), second)
        second_id = second.id
    assert client.post(f"{CONSOLE}/runs/{second_id}/publish").status_code == 302
    with demo.app_context():
        kept = {s.id for s in db.session.scalars(select(DialogueSeat))}
        unchanged = comparison.count("unchanged")
        assert len(seats & kept) >= unchanged
        assert db.session.get(SolveRun, second_id).published_at is not None


def test_compare_page_names_who_moved_per_participant(published, login_as):
    with published.app_context():
        event = demo_event()
        a, b, run = draft_swapping_tables(event)
        run_id = run.id
        names = [a.request.sender.display_name, b.request.recipient.display_name]
        db.session.commit()
    page = login_as(ORGANISER).get(f"{CONSOLE}/runs/{run_id}").get_data(as_text=True)
    assert page.count("Moved: with") == 4  # two meetings, two people each
    for name in names:
        assert name.replace("&", "&amp;") in page
    assert "Publish run" in page


def test_dialogue_compare_page_explains_unseated_interests_in_names(demo, login_as):
    client = login_as(ORGANISER)
    post_run(client, "dialogues", "1")
    with demo.app_context():
        run = last_run()
        comparison = compare.compare_dialogues(db.session, demo_event(), run)
        run_id = run.id
        assert comparison.unseated
        import re
        for _, _, reason in comparison.unseated:
            assert not re.search(r"\b[pdo]\d+\b", reason), reason
    page = client.get(f"{CONSOLE}/runs/{run_id}").get_data(as_text=True)
    assert "Interests without a seat" in page
