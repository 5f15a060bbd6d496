"""The agenda's calendar helpers (webcal, Google, Outlook, copy) and, on the event day,
the box with the current and next meeting."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from matchmaker.agenda import views as agenda_views
from matchmaker.agenda.subscriptions import subscription_links, webcal_url
from matchmaker.extensions import db
from matchmaker.models import DialogueSeat, Meeting, Participation, User


FEED = "https://mm.example/feed/abc123.ics"


def test_webcal_replaces_the_scheme_only():
    assert webcal_url(FEED) == "webcal://mm.example/feed/abc123.ics"
    assert webcal_url("http://127.0.0.1:5000/feed/x.ics") == "webcal://127.0.0.1:5000/feed/x.ics"


def test_google_and_outlook_links_subscribe_to_the_feed():
    links = subscription_links(FEED, "Circular Day & Co")
    google = urlsplit(links.google)
    assert (google.scheme, google.netloc, google.path) == \
        ("https", "calendar.google.com", "/calendar/r")
    assert parse_qs(google.query) == {"cid": ["webcal://mm.example/feed/abc123.ics"]}
    for link, host in ((links.outlook_com, "outlook.live.com"),
                       (links.outlook_365, "outlook.office.com")):
        parts = urlsplit(link)
        assert (parts.netloc, parts.path) == (host, "/calendar/0/addfromweb")
        assert parse_qs(parts.query) == {"url": [FEED], "name": ["Circular Day & Co"]}


def _feed_url(app) -> str:
    with app.app_context():
        token = db.session.scalar(select(Participation.feed_token).join(User)
                                  .where(User.email == "supplier1@demo.example"))
    return f"http://localhost/feed/{token}.ics"


def _hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_agenda_page_offers_webcal_google_outlook_and_a_copy_button(published, login_as):
    feed = _feed_url(published)
    html = login_as("supplier1@demo.example").get("/events/demo/agenda").data.decode()
    hrefs = _hrefs(html)
    assert feed.replace("http://", "webcal://") in hrefs
    google = next(h for h in hrefs if h.startswith("https://calendar.google.com/"))
    assert parse_qs(urlsplit(google).query)["cid"] == [feed.replace("http://", "webcal://")]
    outlook = next(h for h in hrefs if h.startswith("https://outlook.live.com/"))
    assert parse_qs(urlsplit(outlook).query)["url"] == [feed]
    assert any(h.startswith("https://outlook.office.com/calendar/0/addfromweb?") for h in hrefs)
    assert 'data-copy="feed-url"' in html and f'id="feed-url" type="text" readonly value="{feed}"' in html
    assert "/static/js/copy.js" in html and "<script>" not in html


def _freeze(monkeypatch, moment):
    monkeypatch.setattr(agenda_views, "utcnow", lambda: moment)


def _meetings(app):
    with app.app_context():
        rows = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
        return [(m.slot.starts_at, m.slot.ends_at, m.table.label,
                 m.request.recipient.user.name) for m in rows]


def _box(html: str) -> str:
    match = re.search(r'<section id="now".*?</section>', html, re.S)
    assert match, "no Now / Next box"
    return match.group(0)


def test_during_a_meeting_the_agenda_opens_with_it_and_the_next(published, login_as, monkeypatch):
    (start, end, table, person), (start2, _, table2, person2) = _meetings(published)[:2]
    _freeze(monkeypatch, start + timedelta(minutes=5))
    html = login_as("supplier1@demo.example").get("/events/demo/agenda").data.decode()
    box = _box(html)
    now, upcoming = box.split('class="next"')
    assert person in now and table in now and "10:30–10:50" in now
    assert person2 in upcoming and table2 in upcoming
    assert html.index('id="now"') < html.index('class="agenda-table"')
    assert html.count('aria-current="time"') == 1


def test_between_meetings_the_box_shows_only_the_next(published, login_as, monkeypatch):
    (start, end, table, person), (start2, _, table2, person2) = _meetings(published)[:2]
    _freeze(monkeypatch, start - timedelta(minutes=1))
    box = _box(login_as("supplier1@demo.example").get("/events/demo/agenda").data.decode())
    now, upcoming = box.split('class="next"')
    assert "No meeting right now." in now
    assert person in upcoming and table in upcoming


def test_after_the_last_meeting_the_box_says_so(published, login_as, monkeypatch):
    last_end = max(end for _, end, _, _ in _meetings(published))
    with published.app_context():
        seats = db.session.scalars(select(DialogueSeat)).all()
        last_end = max([last_end] + [s.table.session.ends_at for s in seats
                                     if s.table.session.ends_at.date() == last_end.date()])
    _freeze(monkeypatch, last_end + timedelta(minutes=1))
    box = _box(login_as("supplier1@demo.example").get("/events/demo/agenda").data.decode())
    assert "No meeting right now." in box and "No more meetings today." in box


def test_no_box_on_other_days_or_in_the_print_view(published, login_as, monkeypatch):
    start = _meetings(published)[0][0]
    client = login_as("supplier1@demo.example")
    _freeze(monkeypatch, start - timedelta(days=3))
    assert 'id="now"' not in client.get("/events/demo/agenda").data.decode()
    _freeze(monkeypatch, start)
    assert 'id="now"' not in client.get("/events/demo/agenda/print").data.decode()


def test_box_is_shown_in_the_readers_language(published, login_as, monkeypatch):
    start = _meetings(published)[0][0]
    _freeze(monkeypatch, start)
    html = login_as("supplier1@demo.example").get(
        "/events/demo/agenda", headers={"Accept-Language": "fr"}).data.decode()
    assert "Maintenant" in _box(html) and "Suivant" in _box(html) and "Rendez-vous avec" in _box(html)
