"""The organiser console in Dutch and French: pages, day names, service messages, the
attendee CSV's language column and invitation e-mails in the recipient's language.

Needs the compiled catalogues (`make translations`)."""
import html

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import Participation, User
from support import user_by_email

CONSOLE = "/events/demo/console"


@pytest.fixture
def organiser(demo, login_as):
    return login_as("organiser@demo.example")


def get(client, path: str, language: str):
    response = client.get(CONSOLE + path, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.data.decode()


@pytest.mark.parametrize("language, expected", [
    ("nl", ["Console van de organisator", "Afsprakenblokken", "In cijfers", "Aankopers",
            "Bezetting van de tafels"]),
    ("fr", ["Console de l'organisateur", "Blocs de rendez-vous", "En chiffres",
            "Acheteurs", "Occupation des tables"]),
])
def test_console_home_speaks_the_browser_language(organiser, language, expected):
    page = html.unescape(get(organiser, "/", language))
    assert f'<html lang="{language}">' in page
    for text in expected:
        assert text in page
    assert "Organiser console" not in page and "In numbers" not in page


@pytest.mark.parametrize("language, expected", [
    ("nl", ["Gegevens van het evenement", "Naam van het evenement", "Tijdzone",
            "Regels voor aanvragen", "Gebruikte productgroepen", "Textiel"]),
    ("fr", ["Détails de l'événement", "Nom de l'événement", "Fuseau horaire",
            "Règles des demandes", "Groupes de produits utilisés", "Mobilier"]),
])
def test_event_setup_page_speaks_the_browser_language(organiser, language, expected):
    page = get(organiser, "/event", language)
    for text in expected:
        assert text in html.unescape(page)
    assert "Event details" not in page and "Booking rules" not in page
    # A translated help text is escaped like any other text, not read as a tag.
    assert "/events/&lt;slug&gt;" in page


def test_blocks_page_names_the_day_in_the_chosen_language(organiser):
    response = organiser.post(CONSOLE + "/blocks", data={
        "name": "Extra", "day": "2027-03-16", "start_time": "09:00", "end_time": "10:00",
        "meeting_minutes": 20, "break_minutes": 5}, headers={"Accept-Language": "nl"})
    assert response.status_code == 302
    assert "di 16 mrt 2027" in get(organiser, "/blocks", "nl")
    assert "mar. 16 mars 2027" in get(organiser, "/blocks", "fr")
    english = get(organiser, "/blocks", "en")
    assert "Tue 16 Mar 2027" in english and "Add a block" in english


def test_service_refusal_is_in_the_page_language(organiser):
    response = organiser.post(CONSOLE + "/blocks", data={
        "day": "2027-03-16", "start_time": "11:00", "end_time": "10:00",
        "meeting_minutes": 20, "break_minutes": 5}, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "Le bloc doit se terminer après son début." in response.data.decode()


def test_import_stores_the_language_column_and_invites_in_each_language(demo, organiser):
    text = ("name,email,organisation,role,product_groups,language\n"
            "Anna Nieuw,anna@new.example,Gent,buyer,textile,nl\n"
            "Bruno Neuf,bruno@new.example,Namur,supplier,ICT,FR-be\n"
            "Carla New,carla@new.example,Leuven,buyer,,\n"
            "Dirk Demo,buyer1@demo.example,Gent,buyer,,nl\n")
    response = organiser.post(CONSOLE + "/attendees/import/confirm",
                              data={"csv_text": text, "invite": "y"},
                              headers={"Accept-Language": "fr"})
    assert response.status_code == 302
    with demo.app_context():
        assert user_by_email("anna@new.example").language == "nl"
        assert user_by_email("bruno@new.example").language == "fr"
        assert user_by_email("carla@new.example").language is None
        # An existing account keeps its own choice.
        assert user_by_email("buyer1@demo.example").language is None
        mails = {m.to: m for m in outbox()}
    assert mails["anna@new.example"].subject.startswith("Uw uitnodiging voor ")
    assert "Kies een wachtwoord" in mails["anna@new.example"].body
    assert "dagen lang" in mails["anna@new.example"].body
    assert mails["bruno@new.example"].subject.startswith("Votre invitation à ")
    # Without a language of its own, the invitation uses the organiser's page language.
    assert mails["carla@new.example"].subject.startswith("Votre invitation à ")
    assert "buyer1@demo.example" not in mails


def test_unknown_language_in_the_csv_is_reported_by_line(demo, organiser):
    text = "name,email,role,language\nZora,zora@new.example,buyer,klingon\n"
    response = organiser.post(CONSOLE + "/attendees/import/confirm",
                              data={"csv_text": text, "invite": ""})
    assert response.status_code == 400
    assert "line 2: unknown language 'klingon' (use en, nl, fr)" in \
        html.unescape(response.data.decode())
    with demo.app_context():
        assert user_by_email("zora@new.example") is None


def test_invite_again_writes_in_the_recipients_saved_language(demo, organiser):
    organiser.post(CONSOLE + "/attendees/import/confirm",
                   data={"csv_text": "name,email,role,language\nEva,eva@new.example,buyer,nl\n",
                         "invite": ""})
    with demo.app_context():
        participation = db.session.scalar(select(Participation).join(User).where(
            User.email == "eva@new.example"))
        pid = participation.id
    response = organiser.post(f"{CONSOLE}/attendees/{pid}/invite",
                              headers={"Accept-Language": "fr"})
    assert response.status_code == 302
    with demo.app_context():
        mail = [m for m in outbox() if m.to == "eva@new.example"][-1]
    assert mail.subject.startswith("Uw uitnodiging voor ")


def test_export_lists_each_accounts_language(demo, organiser):
    organiser.post(CONSOLE + "/attendees/import/confirm",
                   data={"csv_text": "name,email,role,language\nEva,eva@new.example,buyer,fr\n",
                         "invite": ""})
    body = organiser.get(CONSOLE + "/attendees/export.csv").data.decode()
    header, *rows = body.splitlines()
    assert header.endswith(",checked_in_at,language")
    assert any(r.startswith("Eva,eva@new.example,") and r.endswith(",fr") for r in rows)
