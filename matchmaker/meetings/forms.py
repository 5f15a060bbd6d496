from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import BaseForm
from ..models import Priority
from .services import BULK_MAX, MESSAGE_MAX, REASON_MAX


class RequestForm(BaseForm):
    priority = RadioField(
        _l("How much do you want this meeting?"), coerce=int,
        default=Priority.WOULD_LIKE.value,
        choices=[SelectChoice(Priority.MUST_MEET.value, _l("Must meet")),
                 SelectChoice(Priority.WOULD_LIKE.value, _l("Would like to meet"))],
        validators=[InputRequired(_l("Choose how much you want this meeting."))],
        description=_l("Must-meet requests come first when the schedule is made."))
    message = TextAreaField(
        _l("Message (optional)"), validators=[Length(max=MESSAGE_MAX)],
        render_kw={"maxlength": MESSAGE_MAX, "rows": 4},
        description=_l("Say in a sentence or two what you would like to talk about."))


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=REASON_MAX)],
                           render_kw={"maxlength": REASON_MAX, "rows": 3},
                           description=_l("Shown to the sender."))


class ActionForm(BaseForm):
    """No fields: the CSRF token of a one-button action (accept, cancel)."""


class BulkAnswerForm(BaseForm):
    """The requests ticked on the incoming tab, and which answer they all get."""

    ids = SelectMultipleField(
        coerce=int, validate_choice=False,
        validators=[DataRequired(_l("Select at least one request.")),
                    Length(max=BULK_MAX, message=_l("Select at most %(max)d requests at once."))])
    accept = SubmitField(_l("Accept selected"))
    decline = SubmitField(_l("Decline selected"))
