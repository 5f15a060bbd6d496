"""Signed links for one account: password reset and e-mail verification.

Both are itsdangerous `URLSafeTimedSerializer` payloads, salted per use, holding the
user id and a fingerprint of what the link may change. A reset link carries a
fingerprint of the current password hash: setting a password changes the hash, so the
link (and every older one) works once. A verification link carries the address it was
sent to and works while that account is still unverified.
"""
from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..models import User

RESET_SALT = "matchmaker.password-reset.v1"
VERIFY_SALT = "matchmaker.verify-email.v1"
RESET_MAX_AGE_S = 3600
VERIFY_MAX_AGE_S = 7 * 86400


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _load(secret_key: str, salt: str, token: str, max_age_s: int, *, expired: str,
          invalid: str) -> dict:
    try:
        data = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise DomainError(expired) from None
    except BadSignature:
        raise DomainError(invalid) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise DomainError(invalid)
    return data


def make_reset_token(user: User, *, secret_key: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT).dumps(
        {"u": user.id, "f": _fingerprint(user.password_hash)})


def read_reset_token(session: Session, token: str, *, secret_key: str,
                     max_age_s: int = RESET_MAX_AGE_S) -> User:
    """The user whose password `token` may set, or DomainError saying why not."""
    data = _load(secret_key, RESET_SALT, token, max_age_s,
                 expired=_("This password reset link has expired. Ask for a new one below."),
                 invalid=_("This password reset link is not valid. Check that you copied all "
                           "of it, or ask for a new one below."))
    user = session.get(User, data["u"])
    if user is None or data.get("f") != _fingerprint(user.password_hash):
        raise DomainError(_("This password reset link has been used already. Ask for a new "
                            "one below if you still need it."))
    return user


def make_verify_token(user: User, *, secret_key: str, next_url: str | None = None) -> str:
    return URLSafeTimedSerializer(secret_key, salt=VERIFY_SALT).dumps(
        {"u": user.id, "e": _fingerprint(user.email), "n": next_url})


def read_verify_token(session: Session, token: str, *, secret_key: str,
                      max_age_s: int = VERIFY_MAX_AGE_S) -> tuple[User, str | None]:
    """The user whose address `token` confirms and the page to go on to."""
    data = _load(secret_key, VERIFY_SALT, token, max_age_s,
                 expired=_("This confirmation link has expired. Ask for a new one below."),
                 invalid=_("This confirmation link is not valid. Check that you copied all "
                           "of it."))
    user = session.get(User, data["u"])
    if user is None or data.get("e") != _fingerprint(user.email):
        raise DomainError(_("This confirmation link is not valid. Check that you copied all "
                            "of it."))
    next_url = data.get("n") if isinstance(data.get("n"), str) else None
    return user, next_url
