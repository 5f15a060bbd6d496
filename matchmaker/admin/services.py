"""Granting and revoking organiser rights; making administrators. Shared by views and CLI."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..models import User

PAGE_SIZE = 50


def accounts(session: Session, *, search: str = "", page: int = 1) -> tuple[list[User], int]:
    """One page of accounts, organisers and administrators first, and the total count."""
    query = select(User)
    if search:
        like = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(or_(User.email.like(like, escape="\\"),
                                User.name.ilike(like, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.is_admin.desc(), User.can_organise.desc(),
                                          User.email)
                           .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), total


def account_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise DomainError(_("No account with the e-mail address %(email)s.", email=email))
    return user


def set_organiser_rights(session: Session, user: User, granted: bool) -> None:
    user.can_organise = granted
    session.flush()


def make_admin(session: Session, user: User) -> None:
    user.is_admin = True
    user.can_organise = True
    session.flush()


def create_admin(session: Session, *, email: str, name: str, password_hash: str) -> User:
    """A new administrator account (the first one is made this way, from the CLI)."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_("An account with the e-mail address %(email)s exists already.",
                            email=email))
    user = User(email=email, name=" ".join(name.split()) or email, password_hash=password_hash,
                is_admin=True, can_organise=True)
    session.add(user)
    session.flush()
    return user
