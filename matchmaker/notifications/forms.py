"""Which e-mails a person wants: organisers' messages, meeting reminders, outcome questions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..forms import BaseForm


class MailPreferencesForm(BaseForm):
    organiser_mail = BooleanField(_l("Messages from the organisers of my events"))
    meeting_reminders = BooleanField(_l("A reminder before each meeting"))
    outcome_questions = BooleanField(_l("Months later, a question about what came of my meetings"))
