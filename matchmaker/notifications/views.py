"""The account page's e-mail preferences."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from .forms import MailPreferencesForm

bp = Blueprint("notifications", __name__)

PREFERENCES = ("organiser_mail", "meeting_reminders", "outcome_questions")


@bp.route("/account/mail", methods=["POST"])
@login_required
def preferences():
    form = MailPreferencesForm()
    if not form.validate_on_submit():
        flash(_("Your e-mail preferences were not saved: reload the page and try again."),
              "error")
        return redirect(url_for("profiles.account")), 303
    user = current_user._get_current_object()
    for name in PREFERENCES:
        setattr(user, name, bool(getattr(form, name).data))
    db.session.commit()
    flash(_("Your e-mail preferences are saved."), "success")
    return redirect(url_for("profiles.account"))
