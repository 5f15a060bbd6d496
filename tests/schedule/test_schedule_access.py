"""Only the event's organisers reach the schedule pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Event, Meeting, Participation, Role, SolveRun, User
from schedule_helpers import CONSOLE
from support import ORGANISER

GETS = ["/", "/runs/{run}", "/runs/{run}/status.json", "/runs/{run}/why-not", "/meetings",
        "/meetings/{meeting}/move", "/export/tables.pdf", "/export/tables.csv",
        "/export/agendas.pdf", "/export/event.ics", "/export/instance.json"]
POSTS = ["/runs/meetings", "/runs/{run}/stop", "/runs/{run}/publish", "/meetings/{meeting}/lock",
         "/meetings/{meeting}/unlock", "/meetings/{meeting}/move"]


def ids(app) -> dict:
    with app.app_context():
        return {"run": db.session.scalar(select(SolveRun.id)),
                "meeting": db.session.scalar(select(Meeting.id))}


def urls(app) -> list[tuple[str, str]]:
    found = ids(app)
    return [("POST" if path in POSTS else "GET", CONSOLE + path.format(**found))
            for path in GETS + POSTS]


def call(client, method: str, url: str):
    return client.post(url) if method == "POST" else client.get(url)


def test_anonymous_is_sent_to_log_in_from_every_schedule_url(published, client):
    for method, url in urls(published):
        response = call(client, method, url)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", ["buyer1@demo.example", "supplier1@demo.example",
                                   "facilitator1@demo.example"])
def test_participants_who_are_not_organisers_get_403_everywhere(published, login_as, email):
    client = login_as(email)
    for method, url in urls(published):
        assert call(client, method, url).status_code == 403, (method, url)


def test_organiser_of_another_event_gets_403_and_cannot_reach_runs_by_id(published, login_as):
    with published.app_context():
        other = Event(name="Other fair", slug="other")
        db.session.add(other)
        db.session.flush()
        user = db.session.scalar(select(User).where(User.email == "buyer2@demo.example"))
        db.session.add(Participation(event=other, user=user, role=Role.ORGANISER))
        db.session.commit()
    found = ids(published)
    client = login_as("buyer2@demo.example")
    assert client.get(CONSOLE + "/").status_code == 403
    # Through their own event, the demo's run and meeting do not exist.
    base = "/events/other/console/schedule"
    assert client.get(base + "/").status_code == 200
    assert client.get(f"{base}/runs/{found['run']}").status_code == 404
    assert client.get(f"{base}/runs/{found['run']}/status.json").status_code == 404
    assert client.post(f"{base}/runs/{found['run']}/publish").status_code == 404
    assert client.post(f"{base}/meetings/{found['meeting']}/lock").status_code == 404


def test_organiser_reaches_every_page(published, login_as):
    client = login_as(ORGANISER)
    for path in GETS:
        url = CONSOLE + path.format(**ids(published))
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_unknown_event_is_404(login_as, published):
    client = login_as(ORGANISER)
    assert client.get("/events/nope/console/schedule/").status_code == 404


def test_every_schedule_form_needs_its_csrf_token(published, login_as):
    client = login_as(ORGANISER)
    published.config["WTF_CSRF_ENABLED"] = True
    for method, url in urls(published):
        if method == "POST":
            response = client.post(url, data={"m-kind": "meetings", "m-time_limit": "1",
                                              "slot": "1", "table": "1"})
            assert response.status_code == 400, url
    first_run = ids(published)["run"]
    with published.app_context():
        assert db.session.scalar(select(SolveRun.id).order_by(SolveRun.id.desc())) == first_run
        assert not db.session.scalar(select(Meeting).where(Meeting.locked))
