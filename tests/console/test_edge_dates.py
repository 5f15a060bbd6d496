"""Days at the edges of the calendar are form errors, not 500s (0001-01-01 overflowed
the time-zone arithmetic of meeting blocks and dialogue sessions)."""
import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import DialogueSession, Event, MeetingBlock

CONSOLE = "/events/demo/console"


def _counts():
    return (db.session.scalar(select(func.count()).select_from(MeetingBlock)),
            db.session.scalar(select(func.count()).select_from(DialogueSession)))


def _group_id():
    return db.session.scalar(select(Event).where(Event.slug == "demo")).product_groups[0].id


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_meeting_block_or_dialogue_session_outside_2000_2100_is_a_form_error(
        demo, login_as, day):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        before, group_id = _counts(), _group_id()
    block = client.post(CONSOLE + "/blocks", data={
        "day": day, "start_time": "09:00", "end_time": "10:00", "meeting_minutes": 20,
        "break_minutes": 5})
    session = client.post(CONSOLE + "/dialogues", data={
        "product_group": group_id, "name": "Edge", "day": day, "start_time": "16:00",
        "end_time": "16:45"})
    for response in (block, session):
        assert response.status_code == 400
        assert b"Give a day between 2000 and 2100." in response.data
    with demo.app_context():
        assert _counts() == before


def test_days_inside_the_range_are_still_taken(demo, login_as):
    client = login_as("organiser@demo.example")
    with demo.app_context():
        before, group_id = _counts(), _group_id()
    assert client.post(CONSOLE + "/blocks", data={
        "day": "2100-12-31", "start_time": "09:00", "end_time": "10:00", "meeting_minutes": 20,
        "break_minutes": 5}).status_code == 302
    assert client.post(CONSOLE + "/dialogues", data={
        "product_group": group_id, "name": "Edge", "day": "2000-01-01", "start_time": "16:00",
        "end_time": "16:45"}).status_code == 302
    with demo.app_context():
        assert _counts() == (before[0] + 1, before[1] + 1)
