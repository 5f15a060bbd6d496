"""The e-mails about one's account, written in the account's language.

The views build the links (they need the request's host) and pass them in.
"""
from __future__ import annotations

from flask_babel import gettext as _, ngettext

from ..i18n import current_language, in_language
from ..mail import send_mail
from ..models import User


def _minutes(seconds: int) -> int:
    return max(1, seconds // 60)


def send_verification(user: User, link: str, *, max_age_s: int) -> None:
    with in_language(user.language or current_language()):
        body = (
            _("Hello %(name)s,", name=user.name) + "\n\n"
            + _("Please confirm that this is your e-mail address by opening this link; "
                "it logs you in and takes you on where you were going:")
            + "\n\n" + link + "\n\n"
            + _("Until you do, you cannot send meeting requests.")
            + "\n"
            + ngettext("The link works once and for %(num)d day.",
                       "The link works once and for %(num)d days.",
                       max(1, max_age_s // 86400)) + "\n\n"
            + _("If you did not create an account, ignore this e-mail.") + "\n")
        subject = _("Confirm your e-mail address")
    send_mail(user.email, subject, body)


def send_already_registered(user: User, login_link: str, reset_link: str) -> None:
    """Someone registered with an address that has an account: tell its owner, not them."""
    with in_language(user.language or current_language()):
        body = (
            _("Hello %(name)s,", name=user.name) + "\n\n"
            + _("Someone tried to create a new account with this e-mail address, which has "
                "an account already. If it was you, log in here:") + "\n\n"
            + login_link + "\n\n"
            + _("Forgot your password? Choose a new one here:") + "\n\n"
            + reset_link + "\n\n"
            + _("If it was not you, ignore this e-mail: nothing has changed.") + "\n")
        subject = _("You already have an account")
    send_mail(user.email, subject, body)


def send_reset(user: User, link: str, *, max_age_s: int) -> None:
    with in_language(user.language or current_language()):
        body = (
            _("Hello %(name)s,", name=user.name) + "\n\n"
            + _("To choose a new password, open this link:") + "\n\n"
            + link + "\n\n"
            + ngettext("The link works once and for %(num)d minute.",
                       "The link works once and for %(num)d minutes.", _minutes(max_age_s))
            + "\n\n"
            + _("If you did not ask for a new password, ignore this e-mail: your password "
                "stays as it is.") + "\n")
        subject = _("Choose a new password")
    send_mail(user.email, subject, body)


def send_password_changed(user: User, reset_link: str) -> None:
    with in_language(user.language or current_language()):
        body = (
            _("Hello %(name)s,", name=user.name) + "\n\n"
            + _("The password of your account was changed just now, and every other device "
                "was logged out.") + "\n\n"
            + _("If you did not do this, choose a new password at once:") + "\n\n"
            + reset_link + "\n")
        subject = _("Your password was changed")
    send_mail(user.email, subject, body)
