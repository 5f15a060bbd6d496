"""Forms of the day itself: meeting status, filling a freed slot, badge scans, walk-ins."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..forms import BaseForm
from ..ids import MAX_ID
from .services import WALK_IN_ROLES

MEETING_STATUS_LABELS = {"held": _l("Held"), "no_show": _l("No-show"),
                         "scheduled": _l("Scheduled"),
                         "cancelled": _l("Cancelled (frees slot and table)")}



class MeetingStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[
        SelectChoice(value, label) for value, label in MEETING_STATUS_LABELS.items()])


class FillForm(BaseForm):
    request_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    table_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])


class ScanForm(BaseForm):
    """What a badge scanner read: the badge link or its token."""
    token = StringField(validators=[DataRequired(), Length(max=500)])


class WalkInForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[])
    invite = BooleanField(_l("E-mail an invitation to set a password"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, role.label) for role in WALK_IN_ROLES]


class WalkInMeetingForm(BaseForm):
    partner_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    slot_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
