"""Counts read right in all three languages: "1 meeting", "2 meetings" (ngettext), never
"1 meetings", on the participant pages and the organiser dashboard."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event


LANGUAGES = {"en": {"Accept-Language": "en"}, "nl": {"Accept-Language": "nl"},
             "fr": {"Accept-Language": "fr"}}


def _set_cap(app, cap: int) -> None:
    with app.app_context():
        db.session.scalar(select(Event)).default_max_meetings = cap
        db.session.commit()


@pytest.mark.parametrize("cap, expected", [
    (1, {"en": "of at most 1 meeting accepted", "nl": "van hoogstens 1 afspraak aanvaard",
         "fr": "rendez-vous accepté sur 1 au maximum"}),
    (5, {"en": "of at most 5 meetings accepted", "nl": "van hoogstens 5 afspraken aanvaard",
         "fr": "rendez-vous acceptés sur 5 au maximum"}),
])
def test_requests_page_counts_the_meeting_cap(demo, login_as, cap, expected):
    _set_cap(demo, cap)
    client = login_as("supplier1@demo.example")
    for language, headers in LANGUAGES.items():
        page = client.get("/events/demo/requests", headers=headers).data.decode()
        assert expected[language] in page, language


def test_availability_error_counts_the_cap(demo, login_as):
    _set_cap(demo, 1)
    client = login_as("supplier1@demo.example")
    page = client.get("/events/demo/availability").data.decode()
    slots = re.findall(r'name="slots" type="checkbox" value="(\d+)"', page) or \
        re.findall(r'value="(\d+)"[^>]*name="slots"', page)
    for language, expected in (("en", "Choose between 0 and 1 meeting."),
                               ("nl", "Kies tussen 0 en 1 afspraak."),
                               ("fr", "Choisissez entre 0 et 1 rendez-vous.")):
        response = client.post("/events/demo/availability", headers=LANGUAGES[language],
                               data={"slots": slots, "max_meetings": "3"})
        assert response.status_code == 400
        assert expected in response.data.decode(), language


def test_dashboard_histogram_says_participant_and_meeting_in_the_singular(published, login_as):
    client = login_as("organiser@demo.example")
    for language, one, many in (("en", "1 participant with 4 meetings", " participants with 0 meetings"),
                                ("nl", "1 deelnemer met 4 afspraken", " deelnemers met 0 afspraken"),
                                ("fr", "1 participant avec 4 rendez-vous", " participants avec 0 rendez-vous")):
        page = client.get("/events/demo/console/", headers=LANGUAGES[language]).data.decode()
        desc = re.search(r'<desc id="fair-desc">(.*?)</desc>', page, re.S).group(1)
        assert one in desc and many in desc, (language, desc)
        assert not re.search(r"\b1 (participants|deelnemers)\b", desc), desc
