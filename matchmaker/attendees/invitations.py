"""Invitations: a signed, expiring, single-use link to set one's password.

The token is an itsdangerous `URLSafeTimedSerializer` payload, salted for this use,
holding the user id, the event id and a fingerprint of the user's current
`session_token`. Setting the password rotates that token, so a used link (and every
older one) stops working; the signature's timestamp makes it expire.

The e-mail is written in the recipient's language; a new account without one gets the
language of the page the organiser used to send it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..auth.services import change_password
from ..domain import DomainError
from ..i18n import current_language, in_language
from ..mail import send_each, send_mail
from ..models import Event, User
from ..security import PasswordService

SALT = "matchmaker.invitation.v1"
DEFAULT_MAX_AGE_DAYS = 14


@dataclass(frozen=True)
class Invitation:
    user: User
    event_id: int | None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:24]


def make_token(user: User, event: Event | None, *, secret_key: str) -> str:
    return _serializer(secret_key).dumps(
        {"u": user.id, "e": event.id if event else None, "f": _fingerprint(user)})


def read_token(session: Session, token: str, *, secret_key: str,
               max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> Invitation:
    """The invitation behind `token`, or DomainError saying why it cannot be used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age_days * 86400))
    except SignatureExpired:
        raise DomainError(_("This invitation link has expired. Ask the organiser to send a "
                            "new one.")) from None
    except BadSignature:
        raise DomainError(_("This invitation link is not valid. Check that you copied all of "
                            "it.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise DomainError(_("This invitation link is not valid."))
    user = session.get(User, data["u"])
    if user is None or data.get("f") != _fingerprint(user):
        raise DomainError(_("This invitation link has been used already. Log in with your "
                            "password, or ask the organiser for a new link."))
    event_id = data.get("e") if isinstance(data.get("e"), int) else None
    return Invitation(user=user, event_id=event_id)


def accept(session: Session, invitation: Invitation, password: str, *,
           passwords: PasswordService, min_length: int = 10) -> User:
    """Set the password; rotating the session token makes the link single-use."""
    change_password(session, invitation.user, password, passwords=passwords,
                    min_length=min_length)
    return invitation.user


def send_invitation(user: User, event: Event, link: str, *,
                    max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> None:
    with in_language(user.language or current_language()):
        registered = (_("You are registered for %(event)s (%(venue)s).", event=event.name,
                        venue=event.venue) if event.venue else
                      _("You are registered for %(event)s.", event=event.name))
        body = (
            _("Hello %(name)s,", name=user.name) + "\n\n"
            + registered + "\n"
            + _("Choose a password to create your profile, browse the market place and book "
                "one-to-one meetings:") + "\n\n"
            + link + "\n\n"
            + ngettext("The link works once and for %(num)d day. If it has expired, ask the "
                       "organisers for a new one.",
                       "The link works once and for %(num)d days. If it has expired, ask the "
                       "organisers for a new one.", int(max_age_days)) + "\n")
        subject = _("Your invitation to %(event)s", event=event.name)
    send_mail(user.email, subject, body)


def max_age_days(config) -> float:
    return float(config.get("INVITATION_MAX_AGE_DAYS") or DEFAULT_MAX_AGE_DAYS)


def send_invitations(users: list[User], event: Event) -> tuple[int, list[str]]:
    """Mail each user a fresh link; call after the commit. Returns (sent, failed e-mails).

    Needs a request context for the link (the CLI opens one on BASE_URL).
    """
    from flask import current_app, url_for

    config = current_app.config

    def send(user: User) -> None:
        token = make_token(user, event, secret_key=config["SECRET_KEY"])
        link = url_for("attendees.accept_invitation", token=token, _external=True)
        send_invitation(user, event, link, max_age_days=max_age_days(config))
    return send_each(users, send, lambda user: user.email)
