"""The one-click outcome answer and the opt-out confirmation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import BaseForm
from ..models import Outcome


class OutcomeForm(BaseForm):
    """Rendered as one button per answer: a click is the answer."""

    outcome = RadioField(_l("What came of this meeting?"),
                         validators=[InputRequired(_l("Choose one of the answers."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice(o.value, o.label) for o in Outcome]
