"""Confirmation links, on the side of the views: sending one, and following one.

Registration never logs in: it answers every address the same way, and only the link
sent to the address proves that the person owns it. Following a valid link confirms the
address and logs its owner in, once: the link stops working when the address is
confirmed. Opening a link changes nothing (mail scanners open links); the confirmation
is the POST of the page it shows. When the link was sent on the way to an event's
joining form, it shows that form straight away, and saving it confirms the address.

The link proves the address, not the password. Anyone may register someone else's
address with a password of their own (account pre-claiming); if the owner then followed
the link, the account would be confirmed with the stranger's password. So registering
leaves a marker in the browser's session, bound to the address and to the password just
set, and only that browser goes straight on. Anywhere else (another device, a session
gone, a later registration of the same unconfirmed address) the link first asks the
person to choose the password, which replaces the one given at registration.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _, ngettext, refresh
from flask_login import current_user, login_user
from werkzeug.exceptions import HTTPException

from ..domain import DomainError
from ..extensions import db
from ..models import User
from . import emails, services, tokens
from .forms import ResendForm


class LinkUsed(DomainError):
    """The address is confirmed already: the link has done its work."""

    def __init__(self, message: str, next_url: str | None) -> None:
        super().__init__(message)
        self.next_url = next_url


class PasswordNeeded(DomainError):
    """A valid link followed outside the browser that registered: choose the password first."""

    def __init__(self, message: str, token: str, user: User, next_url: str | None) -> None:
        super().__init__(message)
        self.token = token
        self.user = user
        self.next_url = next_url


TOKEN_ARG = "verify"
PENDING_KEY = "signup"  # in the session: which registration this browser made
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


def _mark(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"matchmaker.signup-browser.v1:" + value.encode(),
                    hashlib.sha256).hexdigest()[:32]


def remember_registration(email: str, user: User | None) -> None:
    """Mark this browser as the one that registered `user` with its current password.

    With `user` None (the address had an account, whose password stays) the marker has
    the same shape but matches nothing: the session cookie, readable by its holder, must
    not tell the two answers apart either.
    """
    secret = user.password_hash if user is not None else secrets.token_hex(32)
    session[PENDING_KEY] = {"e": _mark(email), "p": _mark(secret)}


def registered_in_this_browser(user: User) -> bool:
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return False
    return (hmac.compare_digest(str(marker.get("e", "")), _mark(user.email))
            and hmac.compare_digest(str(marker.get("p", "")), _mark(user.password_hash)))


def may_confirm_here(user: User) -> bool:
    """Whether this browser knows the account's password: it registered it, or is logged
    in to it. Only then may the link confirm without asking for a password."""
    return is_owner_logged_in(user) or registered_in_this_browser(user)


def read_link(token: str) -> tuple[User, str | None]:
    """The account a link confirms and the safe page it goes on to, or DomainError.

    A link of an address confirmed already is refused (it must not log in again),
    unless its owner is the one logged in, who simply goes on. A link followed outside the
    browser that registered raises PasswordNeeded (`link_refused` leads to the page that
    asks for the password), so no caller can confirm with a password it does not know.
    """
    config = current_app.config
    user, next_url = tokens.read_verify_token(
        db.session, token, secret_key=config["SECRET_KEY"],
        max_age_s=int(config["EMAIL_VERIFICATION_MAX_AGE"]))
    next_url = services.safe_next(next_url)
    if user.email_verified and not is_owner_logged_in(user):
        raise LinkUsed(_("This confirmation link has been used already: your e-mail "
                         "address is confirmed. Log in with your password to go on."), next_url)
    if not user.email_verified and not may_confirm_here(user):
        raise PasswordNeeded(_("Choose your password to confirm your e-mail address."),
                             token, user, next_url)
    return user, next_url


def confirm_and_log_in(user: User) -> None:
    """The link was followed and its form sent: confirm the address, log its owner in."""
    if services.confirm_email(db.session, user):
        db.session.commit()
        current_app.logger.info("e-mail address confirmed for account %s", user.id)
    if not is_owner_logged_in(user):
        login_user(user)
        refresh()  # from here on, the account's own language
    session.pop(PENDING_KEY, None)
    flash(_("Your e-mail address is confirmed and you are logged in."), "success")


def claim_and_log_in(user: User, *, name: str, password: str, language: str | None) -> None:
    """Confirm from another browser: the password chosen here replaces the one given at
    registration, every earlier session of the account ends, and this one begins.
    DomainError (a password the rules refuse) leaves everything as it was."""
    config = current_app.config
    try:
        services.claim_unconfirmed_account(
            db.session, user, name=name, password=password,
            passwords=services.password_service(), min_length=config["PASSWORD_MIN_LENGTH"],
            language=language)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    current_app.logger.info("e-mail address confirmed with a new password for account %s",
                            user.id)
    login_user(user)
    refresh()
    session.pop(PENDING_KEY, None)
    flash(_("Your e-mail address is confirmed, your password is set and you are logged in."),
          "success")


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
    """The clear page (400) for a link that cannot be used: expired, damaged or used; or
    the way to the page that asks for the password (PasswordNeeded)."""
    if isinstance(error, PasswordNeeded):
        return redirect(url_for("auth.verify_email", token=error.token))
    if isinstance(error, tokens.LinkExpired) and error.user is not None:
        hours = max(1, int(current_app.config["EMAIL_VERIFICATION_MAX_AGE"]) // 3600)
        message = ngettext("This confirmation link has expired: for your safety, it works "
                           "for %(num)d hour. Nothing is lost; we can send you a new one.",
                           "This confirmation link has expired: for your safety, it works "
                           "for %(num)d hours. Nothing is lost; we can send you a new one.",
                           hours)
        return render_template("auth/link_invalid.html", message=message,
                               title=_("Confirm your e-mail address"),
                               resend=ResendForm(data={"email": error.user.email,
                                                       "next": error.next_url})), 400
    if isinstance(error, LinkUsed):
        return render_template("auth/link_invalid.html", message=error.message,
                               title=_("Confirm your e-mail address"),
                               login_url=url_for("auth.login", next=error.next_url)), 400
    return render_template("auth/link_invalid.html", message=error.message,
                           title=_("Confirm your e-mail address"),
                           retry=url_for("auth.check_mailbox")), 400
