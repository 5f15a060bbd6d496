"""Accounts: registration, authentication with back-off, and session tokens."""
from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import utcnow
from ..domain import DomainError
from ..extensions import db
from ..models import Participation, User
from ..security import PasswordService, password_problems

LOCK_AFTER_FAILURES = 10
LOCK_MINUTES = 15


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_user(session: Session, *, name: str, email: str, password: str,
                  passwords: PasswordService, min_length: int = 10,
                  language: str | None = None) -> tuple[User, bool]:
    """Make an unverified account, or find the one this address has already.

    Returns (user, created). The caller answers both cases the same way, so that the
    form does not tell who has an account; the owner of an existing one gets an e-mail.
    """
    email = normalise_email(email)
    problems = password_problems(password, min_length=min_length, email=email)
    if problems:
        raise DomainError(" ".join(problems), field="password")
    password_hash = passwords.hash(password)  # hashed either way: the same time either way
    existing = session.scalar(select(User).where(User.email == email))
    if existing is not None:
        return existing, False
    user = User(name=name.strip(), email=email, password_hash=password_hash,
                language=language, email_verified=False)
    session.add(user)
    session.flush()
    return user, True


def authenticate(session: Session, *, email: str, password: str, passwords: PasswordService,
                 now: datetime | None = None) -> User:
    """Return the user for these credentials or raise DomainError with a neutral message.

    After LOCK_AFTER_FAILURES wrong passwords the account is locked for LOCK_MINUTES,
    on top of the per-address and per-account failure limits of the login view; a
    password reset ends the lock.
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        passwords.hash(password)  # same cost as a real check: no account enumeration by timing
        raise DomainError(_("Wrong e-mail address or password."))
    if user.locked_until and user.locked_until > now:
        raise DomainError(_("Too many wrong passwords: this account is locked for a few "
                            "minutes. To unlock it now, choose a new password with “Forgot "
                            "your password?”."))
    if not passwords.verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        session.flush()
        raise DomainError(_("Wrong e-mail address or password."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    session.flush()
    return user


def change_password(session: Session, user: User, new_password: str, *,
                    passwords: PasswordService, min_length: int = 10) -> None:
    problems = password_problems(new_password, min_length=min_length, email=user.email)
    if problems:
        raise DomainError(" ".join(problems), field="password")
    user.password_hash = passwords.hash(new_password)
    user.rotate_session_token()
    session.flush()


def change_own_password(session: Session, user: User, *, current_password: str,
                        new_password: str, passwords: PasswordService,
                        min_length: int = 10) -> None:
    """The logged-in owner changes the password; every other session ends."""
    if not passwords.verify(user.password_hash, current_password):
        raise DomainError(_("This is not your current password."), field="current_password")
    if current_password == new_password:
        raise DomainError(_("Choose a password different from the current one."),
                          field="password")
    change_password(session, user, new_password, passwords=passwords, min_length=min_length)


def reset_password(session: Session, user: User, new_password: str, *,
                   passwords: PasswordService, min_length: int = 10) -> None:
    """Set the password from a reset link: it also ends a lock and proves the address."""
    change_password(session, user, new_password, passwords=passwords, min_length=min_length)
    user.failed_logins = 0
    user.locked_until = None
    user.email_verified = True
    session.flush()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def confirm_email(session: Session, user: User) -> bool:
    """Mark the address as verified; False if it was already."""
    if user.email_verified:
        return False
    user.email_verified = True
    session.flush()
    return True


def claim_unconfirmed_account(session: Session, user: User, *, name: str, password: str,
                              passwords: PasswordService, min_length: int = 10,
                              language: str | None = None) -> None:
    """The owner of the mailbox, holding the confirmation link on another device, makes the
    account theirs: their name and password, the address confirmed.

    Whoever registered the address may not have been its owner, so nothing they chose is
    kept that could let them in: the password is replaced and their sessions end.
    """
    if user.email_verified:
        raise DomainError(_("This e-mail address is confirmed already. Log in with your "
                            "password to go on."))
    change_password(session, user, password, passwords=passwords, min_length=min_length)
    user.name = " ".join(name.split())[:120] or user.name
    if language:
        user.language = language
    user.failed_logins = 0
    user.locked_until = None
    user.email_verified = True
    session.flush()


def email_verification_needed(user: User) -> str | None:
    """Why `user` may not send meeting requests yet, or None.

    A newcomer could otherwise name themselves after any organisation and write to
    everyone; the link sent to the address shows that it is theirs.
    """
    if user.email_verified:
        return None
    return _("Confirm your e-mail address first: open the link we sent to %(email)s. "
             "You can have it sent again from the notice at the top of the page.",
             email=user.email)


def participations_of(session: Session, user: User) -> list[Participation]:
    """The user's participations, in the order they joined."""
    return list(session.scalars(select(Participation).where(Participation.user_id == user.id)
                                .order_by(Participation.id)))


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session and remember cookie of this user."""
    user.rotate_session_token()
    session.flush()


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the user's current session token."""
    user_pk, _, token = user_id.partition(":")
    if not user_pk.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_pk))
    if user is None or user.session_token != token:
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def password_service() -> PasswordService:
    return current_app.extensions["passwords"]
