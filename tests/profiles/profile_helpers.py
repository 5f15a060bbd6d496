"""Small helpers shared by these tests (kept here, not imported from `conftest`, so that the
tests collect whatever other conftest modules the run picks up)."""
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import User

DEMO_PASSWORD = "circular-demo-2026"


def login(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def user_by_email(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
