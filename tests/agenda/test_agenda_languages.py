"""The agenda, its calendar feed and the availability page in the reader's language."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select

from matchmaker.exports import ical
from matchmaker.extensions import db
from matchmaker.models import Meeting, User


FRENCH = {"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}


def set_language(app, email: str, language: str | None) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).language = language
        db.session.commit()


def test_published_agenda_renders_in_french_from_the_browser_language(published, login_as):
    with published.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        number = meeting.table.number
        day = meeting.slot.starts_at.astimezone(ZoneInfo(meeting.slot.event.timezone)).date()
    page = login_as("supplier1@demo.example").get("/events/demo/agenda", headers=FRENCH)
    assert page.status_code == 200
    text = page.data.decode()
    assert "<title>Mon agenda" in text
    assert "Rendez-vous avec" in text
    assert f"Table {number} (" in text or f"Table {number}<" in text
    assert "Table de dialogue" in text and "Côté fournisseurs" in text
    assert "Dans votre calendrier" in text
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    assert f"{day.day} {months[day.month - 1]} {day.year}" in text
    assert "Meeting with" not in text and "In your calendar" not in text


def test_a_saved_language_wins_over_the_browser(demo, login_as):
    set_language(demo, "supplier1@demo.example", "nl")
    page = login_as("supplier1@demo.example").get("/events/demo/agenda", headers=FRENCH)
    text = page.data.decode()
    assert "Nog in te plannen" in text and "De planning is nog niet gepubliceerd." in text


def test_availability_page_in_french(demo, login_as):
    page = login_as("supplier1@demo.example").get("/events/demo/availability", headers=FRENCH)
    text = page.data.decode()
    assert page.status_code == 200
    assert "Décochez les heures auxquelles vous ne pouvez pas avoir de rendez-vous." in text
    # Each block of slots is headed by its day, in French.
    weekday = "(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
    assert re.search(rf"<legend>{weekday} \d+ \w+ \d{{4}}:", text)


def test_the_feed_of_a_dutch_participant_has_dutch_summaries(published, client, by_email):
    set_language(published, "supplier1@demo.example", "nl")
    with published.app_context():
        supplier = by_email("supplier1@demo.example")
        token = supplier.feed_token
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        uid = ical.meeting_uid(meeting.id, ical.host_from_config(published.config))
        other = meeting.request.recipient.display_name
        number = meeting.table.number
    response = client.get(f"/feed/{token}.ics", headers=FRENCH)  # no login: the saved choice
    assert response.status_code == 200
    events = {str(e["UID"]): e for e in
              icalendar.Calendar.from_ical(response.data).walk("VEVENT")}
    meeting_event = events[uid]
    assert str(meeting_event["SUMMARY"]) == f"Afspraak met {other}"
    assert str(meeting_event["LOCATION"]).startswith(f"Tafel {number}")
    assert str(meeting_event["DESCRIPTION"]).startswith(f"Individuele afspraak met {other}.")
    seat = next(e for u, e in events.items() if u.startswith("dialogue-seat-"))
    assert str(seat["LOCATION"]).startswith("Dialoogtafel ")
    assert "aan de kant van de leveranciers" in str(seat["DESCRIPTION"])


def test_the_feed_of_an_english_participant_stays_english(published, client, by_email):
    set_language(published, "supplier1@demo.example", "en")
    with published.app_context():
        token = by_email("supplier1@demo.example").feed_token
    data = client.get(f"/feed/{token}.ics", headers=FRENCH).data
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert any(s.startswith("Meeting with ") for s in summaries)
    assert not any(s.startswith("Rendez-vous") for s in summaries)
