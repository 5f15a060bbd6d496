"""Forms of the day itself: meeting status and filling a freed slot."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from ..forms import BaseForm
from ..ids import MAX_ID

MEETING_STATUS_LABELS = {"held": _l("Held"), "no_show": _l("No-show"),
                         "scheduled": _l("Scheduled"),
                         "cancelled": _l("Cancelled (frees slot and table)")}



class MeetingStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[
        SelectChoice(value, label) for value, label in MEETING_STATUS_LABELS.items()])


class FillForm(BaseForm):
    request_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    table_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
