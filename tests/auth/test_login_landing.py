"""Where one lands after logging in: one's event, a list of one's events, or the home page."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, Participation, Phase, Role, User
from support import DEMO_PASSWORD, login, user_by_email


def test_a_participant_of_one_event_lands_on_its_page(demo):
    for email in ("buyer1@demo.example", "supplier1@demo.example",
                  "organiser@demo.example"):
        client = demo.test_client()
        response = login(client, email)
        assert response.headers["Location"] == "/events/demo/me", email
        assert client.get("/events/demo/me").status_code == 200, email


def test_a_participant_of_several_events_lands_on_the_list_of_them(demo):
    with demo.app_context():
        event = Event(name="Circular Textiles Day", slug="textiles", phase=Phase.BOOKING_OPEN)
        db.session.add(Participation(event=event, user=user_by_email("buyer1@demo.example"),
                                     role=Role.BUYER))
        db.session.commit()
    client = demo.test_client()
    response = login(client, "buyer1@demo.example")
    assert response.headers["Location"] == "/my-events"
    page = client.get("/my-events").get_data(as_text=True)
    assert 'href="/events/demo/me"' in page and 'href="/events/textiles/me"' in page
    assert "Circular Textiles Day" in page


def test_someone_in_no_event_lands_on_the_home_page(demo):
    with demo.app_context():
        password_hash = user_by_email("buyer1@demo.example").password_hash
        db.session.add(User(email="visitor@x.example", name="Vera Visitor",
                            password_hash=password_hash))
        db.session.commit()
    client = demo.test_client()
    assert login(client, "visitor@x.example").headers["Location"] == "/"
    page = client.get("/my-events").get_data(as_text=True)
    assert "You do not take part in any event yet." in page


def test_a_safe_next_still_wins(demo):
    client = demo.test_client()
    response = client.post("/login?next=/events/demo/market", data={
        "email": "buyer1@demo.example", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/events/demo/market"


def test_a_logged_in_visitor_of_the_login_page_goes_to_their_event(demo, login_as):
    client = login_as("buyer1@demo.example")
    assert client.get("/login").headers["Location"] == "/events/demo/me"
    assert client.get("/register").headers["Location"] == "/events/demo/me"


def test_my_events_needs_login(demo, client):
    response = client.get("/my-events")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with demo.app_context():
        assert db.session.scalar(select(Event.id).where(Event.slug == "demo"))
