"""Forms of the console's schedule pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ..forms import BaseForm
from ..ids import db_int


class StartRunForm(BaseForm):
    kind = HiddenField(validators=[DataRequired()])
    time_limit = FloatField(_l("Time limit (seconds)"), default=60,
                            validators=[InputRequired(_l("Give a time limit in seconds.")),
                                        NumberRange(min=1, max=3600, message=_l(
                                            "Between 1 and 3600 seconds."))],
                            description=_l("The solver stops after this time with the best "
                                           "result found; you can stop it earlier."))

    def validate_kind(self, field) -> None:
        from wtforms import ValidationError
        if field.data not in ("meetings", "dialogues"):
            raise ValidationError(_l("Unknown kind of run."))


class MoveForm(BaseForm):
    slot = SelectField(_l("Slot"), coerce=db_int, validators=[InputRequired(_l("Choose a slot."))])
    table = SelectField(_l("Table"), coerce=db_int,
                        validators=[InputRequired(_l("Choose a table."))])
