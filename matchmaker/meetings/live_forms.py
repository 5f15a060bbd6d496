"""Forms of live booking: choosing a time, cancelling a published meeting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm
from .live import REASON_MAX


class TimeChoiceForm(BaseForm):
    """The time is a radio list the page draws from the free times; the service checks
    it, so that a time taken meanwhile gets its own message rather than 'not a valid
    choice'."""
    slot = IntegerField(_l("Time"), validators=[Optional()])


class MoveForm(BaseForm):
    slot = IntegerField(_l("New time"), validators=[InputRequired(_l("Choose a new time."))])


class CancelMeetingForm(BaseForm):
    reason = TextAreaField(_l("Why do you cancel?"),
                           validators=[InputRequired(_l("Tell the other person why you "
                                                        "cancel.")), Length(max=REASON_MAX)],
                           render_kw={"maxlength": REASON_MAX, "rows": 3},
                           description=_l("Sent to the other person with the cancellation."))
