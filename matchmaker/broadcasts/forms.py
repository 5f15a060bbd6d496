"""The broadcast form: who receives it, the subject, the message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import BaseForm
from .services import SEGMENTS


class BroadcastForm(BaseForm):
    segment = SelectField(_l("Send to"), validators=[InputRequired()])
    product_group = SelectField(_l("Product group"), coerce=int, validators=[Optional()],
                                description=_l("Only for “A product group”."))
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Write a subject.")), Length(max=150)])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write a message.")), Length(max=10000)],
        render_kw={"rows": 10})
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.segment.choices = [SelectChoice(key, str(label)) for key, label in SEGMENTS.items()]
        self.product_group.choices = [SelectChoice(0, "—")] + [SelectChoice(i, n) for i, n in groups]

    def validate_product_group(self, field) -> None:
        if self.segment.data == "group" and not field.data:
            raise ValidationError(_l("Choose a product group."))
