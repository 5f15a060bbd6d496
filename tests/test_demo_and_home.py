from collections import Counter

from sqlalchemy import func, select

from matchmaker.demo import seed_demo
from matchmaker.extensions import db
from matchmaker.models import (Absence, DialogueSession, Listing, ListingKind, MeetingRequest,
                               Participation, RequestStatus, Role, Table, User)


def test_demo_has_realistic_proportions_and_every_request_state(tmp_path):
    from support import build_app
    app = build_app(tmp_path)
    with app.app_context():
        seed_demo(db.session, attendees=200, seed=1, password_hash="x")
        db.session.commit()
        roles = Counter(db.session.scalars(select(Participation.role)))
        assert roles[Role.ORGANISER] == 1
        assert 60 <= roles[Role.BUYER] <= 80
        assert roles[Role.SUPPLIER] > roles[Role.BUYER] > roles[Role.FACILITATOR] > 0
        statuses = set(db.session.scalars(select(MeetingRequest.status)))
        assert statuses == set(RequestStatus)
        orgs = Counter(db.session.scalars(select(Participation.organisation_id)))
        assert max(orgs.values()) <= 3
        kinds = Counter(db.session.scalars(select(Listing.kind)))
        assert kinds[ListingKind.OFFER] > 0 and kinds[ListingKind.QUERY] > 0
        assert db.session.scalar(select(func.count()).select_from(Absence)) > 0
        assert db.session.scalar(select(func.count()).select_from(DialogueSession)) >= 6
        stands = db.session.scalars(select(Table).where(Table.owner_id.is_not(None))).all()
        assert stands and all(t.owner.role is Role.SUPPLIER for t in stands)
        # no request inside one organisation
        for req in db.session.scalars(select(MeetingRequest)):
            assert req.sender.organisation_id != req.recipient.organisation_id


def test_demo_is_reproducible(tmp_path):
    from support import build_app
    titles = []
    for run in range(2):
        (tmp_path / str(run)).mkdir()
        app = build_app(tmp_path / str(run))
        with app.app_context():
            seed_demo(db.session, attendees=30, seed=5, password_hash="x")
            db.session.commit()
            titles.append(([(r.sender.user.email, r.recipient.user.email, r.status)
                            for r in db.session.scalars(select(MeetingRequest)
                                                        .order_by(MeetingRequest.id))],
                           list(db.session.scalars(select(Listing.title).order_by(Listing.id))),
                           list(db.session.scalars(select(User.name).order_by(User.id)))))
    assert titles[0] == titles[1]


def test_home_page_shows_the_event_programme_and_counts(demo, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.data.decode()
    assert "Buyer meets Supplier" in html
    assert "Programme" in html and "10:30" in html and "Market dialogue" in html
    assert "Europe/Brussels" in html
    assert "Buyers" in html and "Suppliers" in html


def test_home_page_without_events(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No event yet" in response.data


def test_event_page_unknown_slug_is_404(demo, client):
    assert client.get("/events/nope").status_code == 404
