from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField
from wtforms.validators import NumberRange, Optional

from ..forms import BaseForm
from ..ids import db_int


class AvailabilityForm(BaseForm):
    slots = SelectMultipleField(_l("Times you are available"), coerce=db_int, validate_choice=True)
    max_meetings = IntegerField(
        _l("Most meetings I want"), validators=[Optional(), NumberRange(min=0)],
        description=_l("Leave empty for the event's maximum."))


class RotateFeedForm(BaseForm):
    """No fields: the CSRF token of the 'new feed address' button."""
