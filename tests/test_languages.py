"""English, Dutch and French: the pages follow the browser, the footer switch wins over it
and is remembered (in the session for visitors, on the account for users), new accounts
keep the language they registered in, dates use the language's day and month names, and
built-in product groups are translated while names an organiser typed are left alone.

These tests need the compiled catalogues: `make translations` (part of `make test`).
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, ProductGroup, User
from matchmaker.timeutil import to_local
from support import DEMO_PASSWORD, csrf_token_from, login, user_by_email

NL_DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december"]
FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]

DUTCH = "nl-BE,nl;q=0.9"
BUYER = "buyer1@demo.example"


def _get(client, url: str, language: str | None = None):
    headers = {"Accept-Language": language} if language else {}
    return client.get(url, headers=headers)


def _page(client, url: str, language: str | None = None) -> str:
    response = _get(client, url, language)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, "no <html lang> attribute"
    return match.group(1)


def _choose(client, language: str, next_url: str = "/login", **headers):
    return client.post("/language", data={"language": language, "next": next_url},
                       headers=headers)


def _first_day(app) -> date:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        return min(to_local(slot.starts_at, event.timezone).date()
                   for block in event.blocks for slot in block.slots)


# --- The browser's language -------------------------------------------------------------

@pytest.mark.parametrize("header, lang, home_words, login_words", [
    (None, "en", ["No event yet", "Log in", "Register"],
     ["Password", "Keep me logged in on this device", "Create an account"]),
    (DUTCH, "nl", ["Nog geen evenement", "Inloggen", "Registreren", "Taal"],
     ["Wachtwoord", "Ingelogd blijven op dit toestel", "Maak een account aan"]),
    ("fr", "fr", ["Pas encore d'événement", "Se connecter", "S'inscrire", "Langue"],
     ["Mot de passe", "Rester connecté sur cet appareil", "Créez un compte"]),
    ("de-DE,de;q=0.9", "en", ["No event yet", "Log in"], ["Password"]),
])
def test_public_home_and_login_follow_the_browser_language(client, header, lang, home_words,
                                                           login_words):
    home = _page(client, "/", header)
    assert _html_lang(home) == lang
    for word in home_words:
        assert word in home, (lang, word)
    login_page = _page(client, "/login", header)
    assert _html_lang(login_page) == lang
    for word in login_words:
        assert word in login_page, (lang, word)


def test_english_pages_keep_their_english_words(client):
    html = _page(client, "/login")
    assert "Wachtwoord" not in html and "Mot de passe" not in html


def test_event_page_in_dutch_and_french(demo, client):
    dutch = _page(client, "/events/demo", DUTCH)
    assert _html_lang(dutch) == "nl"
    assert "Wie neemt deel" in dutch and "Aankopers" in dutch and "Programma" in dutch
    assert "afspraken van 20 minuten" in dutch
    french = _page(client, "/events/demo", "fr")
    assert _html_lang(french) == "fr"
    assert "Qui participe" in french and "Acheteurs" in french and "Fournisseurs" in french


def test_error_pages_and_form_messages_are_translated(demo, client):
    response = _get(client, "/events/no-such-event", "fr")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": BUYER, "password": "wrong-password-1"},
                           headers={"Accept-Language": DUTCH})
    assert response.status_code == 400
    assert "Verkeerd e-mailadres of wachtwoord." in response.get_data(as_text=True)


# --- The language switch ----------------------------------------------------------------

def test_a_visitors_choice_is_kept_in_the_session_and_beats_the_browser(client):
    response = _choose(client, "fr", "/login", **{"Accept-Language": DUTCH})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    html = _page(client, "/login", DUTCH)
    assert _html_lang(html) == "fr" and "Mot de passe" in html
    assert 'value="fr" lang="fr" selected' in html
    _choose(client, "en")
    assert _html_lang(_page(client, "/login", DUTCH)) == "en"


def test_a_users_choice_is_saved_on_the_account_and_survives_a_new_login(demo, login_as):
    client = login_as(BUYER)
    assert _choose(client, "nl", "/account", **{"Accept-Language": "fr"}).status_code == 302
    with demo.app_context():
        assert user_by_email(BUYER).language == "nl"
    html = _page(client, "/account", "fr")
    assert _html_lang(html) == "nl" and "Mijn account" in html

    fresh = demo.test_client()  # another browser, which prefers French
    response = fresh.post("/login", data={"email": BUYER, "password": DEMO_PASSWORD},
                          headers={"Accept-Language": "fr"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert _html_lang(html) == "nl"
    with demo.app_context():
        name = user_by_email(BUYER).name
    assert f"Welkom, {name}." in html


def test_a_users_saved_language_wins_over_an_earlier_visitor_choice(demo):
    client = demo.test_client()
    _choose(client, "fr")
    with demo.app_context():
        user_by_email(BUYER).language = "nl"
        db.session.commit()
    assert login(client, BUYER).status_code == 302
    assert _html_lang(_page(client, "/account")) == "nl"


@pytest.mark.parametrize("data", [{"language": "xx"}, {"language": ""}, {},
                                  {"language": "nl<script>"}])
def test_a_bogus_language_gives_a_message_and_changes_nothing(demo, login_as, data):
    client = login_as(BUYER)
    _choose(client, "fr")
    response = client.post("/language", data={**data, "next": "/account"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    html = _page(client, "/account")
    assert "Choisissez une des langues proposées." in html
    assert _html_lang(html) == "fr"
    with demo.app_context():
        assert user_by_email(BUYER).language == "fr"


def test_the_switch_never_sends_anyone_off_the_site(client):
    for target in ("https://elsewhere.example/", "//elsewhere.example/", "javascript:x"):
        response = _choose(client, "nl", target)
        assert response.status_code == 302
        assert "elsewhere" not in response.headers["Location"]
        assert response.headers["Location"].endswith("/")


def test_the_switch_needs_the_csrf_token(demo, login_as):
    client = login_as(BUYER)
    demo.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/language", data={"language": "fr", "next": "/account"},
                           headers={"Accept-Language": DUTCH})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    with demo.app_context():
        assert user_by_email(BUYER).language != "fr"

    token = csrf_token_from(_page(client, "/account"))
    response = client.post("/language", data={"language": "fr", "next": "/account",
                                               "csrf_token": token})
    assert response.status_code == 302
    with demo.app_context():
        assert user_by_email(BUYER).language == "fr"


# --- Registering ----------------------------------------------------------------------

def _register(client, email: str, **headers):
    return client.post("/register", data={
        "name": "Ann Peeters", "email": email, "password": "a-long-password-42",
        "confirm": "a-long-password-42"}, headers=headers)


def test_registering_keeps_the_language_the_page_was_shown_in(app):
    french, chosen, default = app.test_client(), app.test_client(), app.test_client()
    assert _register(french, "ann@fr.example", **{"Accept-Language": "fr"}).status_code == 302
    _choose(chosen, "nl")
    assert _register(chosen, "ann@nl.example", **{"Accept-Language": "fr"}).status_code == 302
    assert _register(default, "ann@en.example").status_code == 302
    with app.app_context():
        languages = {u.email: u.language for u in db.session.scalars(select(User))}
    assert languages == {"ann@fr.example": "fr", "ann@nl.example": "nl",
                         "ann@en.example": "en"}


def test_password_rules_are_explained_in_the_visitors_language(client):
    response = client.post("/register", data={
        "name": "Ann", "email": "ann@example.org", "password": "short",
        "confirm": "short"}, headers={"Accept-Language": DUTCH})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Gebruik minstens 10 tekens." in html and "Verbeter het veld" in html


# --- Dates and product groups -------------------------------------------------------------

def test_the_programme_shows_day_and_month_names_of_the_language(demo, client):
    day = _first_day(demo)
    dutch = f"{NL_DAYS[day.weekday()]} {day.day} {NL_MONTHS[day.month - 1]} {day.year}"
    french = f"{FR_DAYS[day.weekday()]} {day.day} {FR_MONTHS[day.month - 1]} {day.year}"
    english = f"{EN_DAYS[day.weekday()]} {day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    assert dutch in _page(client, "/events/demo", DUTCH)
    html = _page(client, "/events/demo", "fr")
    assert french in html and EN_DAYS[day.weekday()] not in html
    assert english in _page(client, "/events/demo")


def test_built_in_groups_are_translated_and_an_organisers_own_names_are_not(demo, client,
                                                                          login_as):
    with demo.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        textile = db.session.scalar(select(ProductGroup).where(ProductGroup.code == "textile"))
        textile.name = "Textile and workwear"  # renamed by the organiser
        own = ProductGroup(code="refurbished-phones", name="Refurbished phones",
                           sort_order=100)
        event.product_groups.append(own)
        db.session.commit()

    dutch = _page(client, "/events/demo", DUTCH)
    assert "<li>Meubilair</li>" in dutch and "<li>Furniture</li>" not in dutch
    assert "<li>Refurbished phones</li>" in dutch
    assert "<li>Textile and workwear</li>" in dutch and "Textiel" not in dutch
    french = _page(client, "/events/demo", "fr")
    assert "<li>Mobilier</li>" in french and "<li>Refurbished phones</li>" in french

    supplier = login_as("supplier1@demo.example")
    form = _page(supplier, "/events/demo/profile/edit", "fr")
    assert "Mobilier" in form and "Refurbished phones" in form
    assert "Groupes de produits qui vous intéressent" in form


def test_one_request_speaks_each_recipients_language_and_then_its_own(app):
    """The catalogue is looked up once per request and language: a message written in a
    recipient's language (an e-mail) in the middle of a page changes nothing after it."""
    from flask_babel import gettext

    from matchmaker.i18n import format_day, in_language
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert gettext("Market place") == "Marktplaats"
        with in_language("fr"):
            assert gettext("Market place") == "Place de marché"
            assert format_day(date(2026, 3, 17)) == "mardi 17 mars 2026"
        assert gettext("Market place") == "Marktplaats"
        assert format_day(date(2026, 3, 17)) == "dinsdag 17 maart 2026"
        with in_language("en"):
            assert gettext("Market place") == "Market place"
        assert gettext("Market place") == "Marktplaats"
