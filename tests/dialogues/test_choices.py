"""Participants choose and rank market dialogues, or none; choices become solver weights."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.dialogues import services
from matchmaker.domain import DomainError
from matchmaker.extensions import db
from matchmaker.models import DialogueChoice, DialogueOptOut, Phase, Role
from dialogue_helpers import BUYER, PAGE, SUPPLIER, interests_of, roles_in_demo, sessions
from support import demo_event, participation_by_email


def _choices(email: str) -> list[tuple[int, int]]:
    me = participation_by_email(email)
    return [(c.session_id, c.rank) for c in services.choices_of(db.session, me)]


def test_buyer_sees_every_session_and_a_link_from_the_profile_home(demo, login_as):
    client = login_as(BUYER)
    home = client.get("/events/demo/me").get_data(as_text=True)
    assert PAGE in home
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with demo.app_context():
        for s in sessions():
            assert f'name="rank_{s.id}"' in text
    assert "No market dialogues for me" in text


def test_buyer_ranks_two_dialogues_and_the_rest_are_declined(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        first, second, third = [s.id for s in sessions()[:3]]
        groups = {s.id: s.product_group.code for s in sessions()}
    response = client.post(PAGE, data={f"rank_{second}": "1", f"rank_{first}": "2"})
    assert response.status_code == 302
    with demo.app_context():
        assert _choices(BUYER) == [(second, 1), (first, 2)]
        interests = interests_of(BUYER)
    assert interests == {groups[second]: 3, groups[first]: 2}
    assert groups[third] not in interests


def test_ranks_with_a_gap_keep_their_order_and_a_third_choice_weighs_one(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        a, b, c = [s.id for s in sessions()[:3]]
        groups = {s.id: s.product_group.code for s in sessions()}
    assert client.post(PAGE, data={f"rank_{a}": "5", f"rank_{b}": "2",
                                   f"rank_{c}": "9"}).status_code == 302
    with demo.app_context():
        assert _choices(BUYER) == [(b, 1), (a, 2), (c, 3)]
        assert interests_of(BUYER) == {groups[b]: 3, groups[a]: 2, groups[c]: 1}


def test_the_same_rank_twice_is_refused_and_earlier_choices_are_kept(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        a, b, c = [s.id for s in sessions()[:3]]
    client.post(PAGE, data={f"rank_{a}": "1"})
    response = client.post(PAGE, data={f"rank_{b}": "1", f"rank_{c}": "1"})
    assert response.status_code == 400
    assert "Another dialogue already has this rank." in response.get_data(as_text=True)
    with demo.app_context():
        assert _choices(BUYER) == [(a, 1)]


def test_a_rank_that_is_no_option_is_refused(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        a = sessions()[0].id
    response = client.post(PAGE, data={f"rank_{a}": "99"})
    assert response.status_code == 400
    with demo.app_context():
        assert _choices(BUYER) == []


def test_none_for_me_and_ranks_together_are_refused(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        a = sessions()[0].id
    response = client.post(PAGE, data={f"rank_{a}": "1", "none": "y"})
    assert response.status_code == 400
    assert "clear them, or untick this" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(DialogueOptOut)) == 0


def test_none_for_me_clears_choices_and_every_interest(demo, login_as):
    client = login_as(BUYER)
    with demo.app_context():
        a = sessions()[0].id
        assert interests_of(BUYER), "the demo buyer has product groups"
    client.post(PAGE, data={f"rank_{a}": "1"})
    assert client.post(PAGE, data={"none": "y"}).status_code == 302
    with demo.app_context():
        assert _choices(BUYER) == []
        assert services.has_opted_out(db.session, participation_by_email(BUYER))
        assert interests_of(BUYER) == {}
    assert "You said no market dialogues for you." in client.get(PAGE).get_data(as_text=True)
    # Choosing again ends the opt-out.
    assert client.post(PAGE, data={f"rank_{a}": "1"}).status_code == 302
    with demo.app_context():
        assert not services.has_opted_out(db.session, participation_by_email(BUYER))


def test_saying_nothing_keeps_the_interests_of_the_product_groups(demo, login_as):
    with demo.app_context():
        before = interests_of(SUPPLIER)
        me = participation_by_email(SUPPLIER)
        assert before == {g.code: before[g.code] for g in me.product_groups}
    client = login_as(SUPPLIER)
    with demo.app_context():
        a = sessions()[0].id
    client.post(PAGE, data={f"rank_{a}": "1"})
    client.post(PAGE, data={})  # clearing every choice goes back to the profile
    with demo.app_context():
        assert _choices(SUPPLIER) == []
        assert interests_of(SUPPLIER) == before


def test_choices_are_closed_once_scheduling_starts_and_the_page_says_why(demo, login_as):
    with demo.app_context():
        a = sessions()[0].id
        demo_event().phase = Phase.SCHEDULED
        db.session.commit()
    client = login_as(BUYER)
    page = client.get(PAGE).get_data(as_text=True)
    assert "being seated; ask the organisers" in page
    response = client.post(PAGE, data={f"rank_{a}": "1"})
    assert response.status_code == 400
    assert "ask the organisers to change your choices" in response.get_data(as_text=True)
    with demo.app_context():
        assert _choices(BUYER) == []


def test_sessions_of_another_event_cannot_be_chosen(demo):
    with demo.app_context():
        me = participation_by_email(BUYER)
        with pytest.raises(DomainError):
            services.set_choices(db.session, me, [10_000])
        with pytest.raises(DomainError):
            services.set_choices(db.session, me, [sessions()[0].id] * 2)
        assert db.session.scalar(select(func.count()).select_from(DialogueChoice)) == 0


def test_the_database_refuses_two_choices_with_one_rank(demo):
    from sqlalchemy.exc import IntegrityError
    with demo.app_context():
        me = participation_by_email(BUYER)
        a, b = [s.id for s in sessions()[:2]]
        db.session.add_all([DialogueChoice(participation_id=me.id, session_id=a, rank=1),
                            DialogueChoice(participation_id=me.id, session_id=b, rank=1)])
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_moderators_and_organisers_do_not_choose(demo, login_as):
    assert login_as("organiser@demo.example").get(PAGE).status_code == 403
    with demo.app_context():
        moderators = roles_in_demo(Role.MODERATOR)
        email = moderators[0].user.email if moderators else None
    if email:
        assert login_as(email).get(PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(demo, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
