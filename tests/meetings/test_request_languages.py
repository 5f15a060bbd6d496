"""Meeting request pages and their refusals in the reader's language."""
from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Participation, User

FRENCH = {"Accept-Language": "fr"}


def pid(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Participation.id).join(User).where(User.email == email))


def test_requests_page_in_french(demo, login_as):
    page = login_as("buyer1@demo.example").get("/events/demo/requests", headers=FRENCH)
    text = page.data.decode()
    assert page.status_code == 200
    assert "<h1>Demandes de rendez-vous</h1>" in text
    assert re.search(r"À traiter \(\d+\)", text) and re.search(r"Envoyées \(\d+\)", text)
    assert re.search(r"rendez-vous acceptés sur \d+ au maximum", text)
    assert "Meeting requests" not in text


def test_a_refusal_is_explained_in_french(demo, login_as):
    me = pid(demo, "buyer1@demo.example")
    page = login_as("buyer1@demo.example").get(f"/events/demo/requests/new/{me}", headers=FRENCH)
    text = page.data.decode()
    assert "Vous ne pouvez pas demander un rendez-vous avec vous-même." in text
    assert "Retour à mes demandes" in text


def test_the_request_form_in_dutch(demo, login_as):
    other = pid(demo, "buyer2@demo.example")
    page = login_as("supplier1@demo.example").get(f"/events/demo/requests/new/{other}",
                                               headers={"Accept-Language": "nl"})
    text = page.data.decode()
    assert "<h1>Vraag een afspraak aan</h1>" in text
    assert "<title>Een afspraak aanvragen met " in text
    assert "Hoe graag wilt u deze afspraak?" in text
