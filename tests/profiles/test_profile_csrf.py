"""Every POST of profiles, listings and the account refuses a request without a CSRF token."""
import re

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Listing, Participation
from support import DEMO_PASSWORD, user_by_email


def test_posts_without_csrf_token_are_refused_and_change_nothing(demo, login_as):
    client = login_as("supplier1@demo.example")
    with demo.app_context():
        me = db.session.scalar(select(Participation).where(
            Participation.user_id == user_by_email("supplier1@demo.example").id))
        listing_id = db.session.scalar(select(Listing.id).where(
            Listing.participation_id == me.id))
        pitch = me.pitch
    demo.config["WTF_CSRF_ENABLED"] = True
    for url, data in [
        ("/events/demo/profile/edit", {"organisation": "X", "pitch": "changed"}),
        ("/events/demo/listings/new", {"title": "Sneaky"}),
        (f"/events/demo/listings/{listing_id}/edit", {"title": "Sneaky"}),
        (f"/events/demo/listings/{listing_id}/delete", {}),
        ("/account/delete", {"password": DEMO_PASSWORD, "confirm": "y"}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
    with demo.app_context():
        assert db.session.get(Listing, listing_id) is not None
        assert db.session.get(Participation, me.id).pitch == pitch
        assert user_by_email("supplier1@demo.example") is not None


def test_forms_carry_a_csrf_token(demo, login_as):
    client = login_as("supplier1@demo.example")
    demo.config["WTF_CSRF_ENABLED"] = True
    with demo.app_context():
        listing_id = db.session.scalar(select(Listing.id).join(Participation).where(
            Participation.user_id == user_by_email("supplier1@demo.example").id))
    for url in ("/events/demo/profile/edit", "/events/demo/listings/new",
                f"/events/demo/listings/{listing_id}/delete", "/account"):
        page = client.get(url).data.decode()
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, url
