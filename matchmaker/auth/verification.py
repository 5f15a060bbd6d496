"""Confirmation links, on the side of the views: sending one, and following one.

Registration never logs in: it answers every address the same way, and only the link
sent to the address proves that the person owns it. Following a valid link confirms the
address and logs its owner in, once: the link stops working when the address is
confirmed. Opening a link changes nothing (mail scanners open links); the confirmation
is the POST of the page it shows. When the link was sent on the way to an event's
joining form, it shows that form straight away, and saving it confirms the address.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, flash, render_template, url_for
from flask_babel import gettext as _, refresh
from flask_login import current_user, login_user
from werkzeug.exceptions import HTTPException

from ..domain import DomainError
from ..extensions import db
from ..models import User
from . import emails, services, tokens


class LinkUsed(DomainError):
    """The address is confirmed already: the link has done its work."""

    def __init__(self, message: str, next_url: str | None) -> None:
        super().__init__(message)
        self.next_url = next_url


TOKEN_ARG = "verify"
# Forms that take a confirmation link's token (`?verify=`) and confirm the address when
# they are saved, so that the link leads straight to what the person came for.
FORMS_THAT_CONFIRM = frozenset({"profiles.join"})


def send_link(user: User, next_url: str | None = None) -> None:
    """E-mail `user` a confirmation link that goes on to `next_url` (a path on this site)."""
    config = current_app.config
    token = tokens.make_verify_token(user, secret_key=config["SECRET_KEY"],
                                     next_url=services.safe_next(next_url))
    emails.send_verification(user, url_for("auth.verify_email", token=token, _external=True),
                             max_age_s=int(config["EMAIL_VERIFICATION_MAX_AGE"]))


def is_owner_logged_in(user: User) -> bool:
    return bool(current_user.is_authenticated and current_user.id == user.id)


def read_link(token: str) -> tuple[User, str | None]:
    """The account a link confirms and the safe page it goes on to, or DomainError.

    A link of an address confirmed already is refused (it must not log in again),
    unless its owner is the one logged in, who simply goes on.
    """
    config = current_app.config
    user, next_url = tokens.read_verify_token(
        db.session, token, secret_key=config["SECRET_KEY"],
        max_age_s=int(config["EMAIL_VERIFICATION_MAX_AGE"]))
    next_url = services.safe_next(next_url)
    if user.email_verified and not is_owner_logged_in(user):
        raise LinkUsed(_("This confirmation link has been used already: your e-mail "
                         "address is confirmed. Log in with your password to go on."), next_url)
    return user, next_url


def confirm_and_log_in(user: User) -> None:
    """The link was followed and its form sent: confirm the address, log its owner in."""
    if services.confirm_email(db.session, user):
        db.session.commit()
        current_app.logger.info("e-mail address confirmed for account %s", user.id)
    if not is_owner_logged_in(user):
        login_user(user)
        refresh()  # from here on, the account's own language
    flash(_("Your e-mail address is confirmed and you are logged in."), "success")


def form_taking_the_link(next_url: str | None, token: str) -> str | None:
    """`next_url` with the link's token when it is a form that confirms on saving."""
    if not next_url:
        return None
    parts = urlsplit(next_url)
    try:
        endpoint, _values = current_app.url_map.bind("localhost").match(parts.path)
    except HTTPException:
        return None
    if endpoint not in FORMS_THAT_CONFIRM:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != TOKEN_ARG]
    return urlunsplit(("", "", parts.path, urlencode([*query, (TOKEN_ARG, token)]), ""))


def link_refused(error: DomainError):
    """The clear page (400) for a link that cannot be used: expired, damaged or used."""
    if isinstance(error, LinkUsed):
        return render_template("auth/link_invalid.html", message=error.message,
                               title=_("Confirm your e-mail address"),
                               login_url=url_for("auth.login", next=error.next_url)), 400
    return render_template("auth/link_invalid.html", message=error.message,
                           title=_("Confirm your e-mail address"),
                           retry=url_for("auth.check_mailbox")), 400
