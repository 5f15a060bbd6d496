"""Registration is throttled per address; bad forms do not use up the allowance."""
from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import User

PASSWORD = "green-deal-circular-9"


def register(app, email: str, addr: str = "192.0.2.10", password: str = PASSWORD):
    return app.test_client().post("/register", data={
        "name": "Nina New", "email": email, "password": password, "confirm": password},
        environ_base={"REMOTE_ADDR": addr})


def accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_the_eleventh_registration_in_a_minute_from_one_address_is_refused(app):
    assert app.config["REGISTER_RATE_LIMIT"] == "10/minute;50/hour"
    for i in range(10):
        assert register(app, f"person{i}@x.example").status_code == 302
    refused = register(app, "person10@x.example")
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert accounts(app) == 10
    # Someone elsewhere can still register.
    assert register(app, "elsewhere@x.example", addr="198.51.100.20").status_code == 302
    assert accounts(app) == 11


def test_registering_a_known_address_counts_as_well(app):
    app.config["REGISTER_RATE_LIMIT"] = "3/minute"
    answers = [register(app, "same@x.example").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert accounts(app) == 1


def test_forms_with_mistakes_do_not_use_up_the_allowance(app):
    app.config["REGISTER_RATE_LIMIT"] = "3/minute"
    for _ in range(5):
        assert register(app, "typo@x.example", password="short").status_code == 400
    for i in range(3):
        assert register(app, f"ok{i}@x.example").status_code == 302
    assert register(app, "ok3@x.example").status_code == 429
