from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm
from ..models import Priority
from .services import MESSAGE_MAX, REASON_MAX


class RequestForm(BaseForm):
    priority = RadioField(
        "How much do you want this meeting?", coerce=int, default=Priority.WOULD_LIKE.value,
        choices=[SelectChoice(Priority.MUST_MEET.value, "Must meet"),
                 SelectChoice(Priority.WOULD_LIKE.value, "Would like to meet")],
        validators=[InputRequired("Choose how much you want this meeting.")],
        description="Must-meet requests come first when the schedule is made.")
    message = TextAreaField(
        "Message (optional)", validators=[Length(max=MESSAGE_MAX)],
        render_kw={"maxlength": MESSAGE_MAX, "rows": 4},
        description="Say in a sentence or two what you would like to talk about.")


class DeclineForm(BaseForm):
    reason = TextAreaField("Reason (optional)", validators=[Length(max=REASON_MAX)],
                           render_kw={"maxlength": REASON_MAX, "rows": 3},
                           description="Shown to the sender.")


class ActionForm(BaseForm):
    """No fields: the CSRF token of a one-button action (accept, cancel)."""
