"""Forms of the organiser console."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, IntegerField,
                     SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange,
                                Optional, ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget
from markupsafe import escape

from ..forms import BaseForm
from ..ids import db_int


class EscapedText:
    """A lazy translation that templates escape: Flask-Babel's lazy strings count as safe
    HTML, which would swallow a text like '/events/<slug>'."""

    def __init__(self, lazy) -> None:
        self.lazy = lazy

    def __str__(self) -> str:
        return str(self.lazy)

    def __html__(self) -> str:
        return str(escape(str(self.lazy)))


FIRST_YEAR, LAST_YEAR = 2000, 2100


def sane_day(form, field) -> None:
    """Meeting days far in the past or future are typing mistakes, and at the edges of the
    calendar (0001-01-01) time-zone arithmetic overflows."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Give a day between %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes in a list; `_forms.field` wraps them in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(BaseForm):
    name = StringField(_l("Event name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Web address (slug)"), validators=[DataRequired(), Length(max=80)],
                       description=EscapedText(_l("Lowercase letters, digits and hyphens: "
                                                 "the event lives at /events/<slug>.")))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)],
                           default="Europe/Brussels",
                           render_kw={"list": "timezones", "autocomplete": "off"},
                           description=_l("All times of the event are shown in this zone, "
                                          "e.g. Europe/Brussels."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class AccessForm(BaseForm):
    """Who may join the event, and who sees consenting participants' contact details."""

    join_policy = SelectField(_l("Who may join"), choices=[], validators=[InputRequired()])
    join_code = StringField(_l("Invitation code"), validators=[Optional(), Length(max=40)],
                            render_kw={"autocomplete": "off"},
                            description=_l("For joining by invitation code: share it with "
                                           "the people you invite. Empty: one is made for "
                                           "you."))
    contact_visibility = SelectField(_l("Contact details of people who consent are shown"),
                                    choices=[], validators=[InputRequired()])


class BookingRulesForm(BaseForm):
    max_open_requests = IntegerField(
        _l("Open requests a participant may have"),
        validators=[InputRequired(), NumberRange(0, 1000)])
    default_max_meetings = IntegerField(
        _l("Meetings per participant (default)"),
        validators=[InputRequired(), NumberRange(0, 200)])
    request_expiry_days = IntegerField(
        _l("Days before an unanswered request expires"),
        validators=[Optional(), NumberRange(1, 365)],
        description=_l("Leave empty: requests do not expire."))


class FreezeForm(BaseForm):
    frozen_day = DateField(_l("Freeze self-service changes from (day)"),
                           validators=[Optional()])
    frozen_time = TimeField(_l("Time"), validators=[Optional()],
                            description=_l("From then on participants can no longer book, "
                                           "move or cancel meetings themselves, e.g. once the "
                                           "agendas are printed. Leave both empty: never "
                                           "frozen."))


class ProductGroupsForm(BaseForm):
    groups = MultiCheckboxField(_l("Product groups in use"), coerce=db_int)


class PhaseForm(BaseForm):
    move = HiddenField(validators=[DataRequired()])


class BlockForm(BaseForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)],
                       description=_l("For instance 'Morning meetings'."))
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Give the day.")),
                                           sane_day])
    start_time = TimeField(_l("Start"),
                           validators=[InputRequired(message=_l("Give the start time."))])
    end_time = TimeField(_l("End"), validators=[InputRequired(message=_l("Give the end time."))])
    meeting_minutes = IntegerField(_l("Meeting length (minutes)"), default=20,
                                   validators=[InputRequired(), NumberRange(5, 240)])
    break_minutes = IntegerField(_l("Break between meetings (minutes)"), default=5,
                                 validators=[InputRequired(), NumberRange(0, 120)])


class TablesForm(BaseForm):
    count = IntegerField(_l("How many tables"), default=10,
                         validators=[InputRequired(), NumberRange(1, 500)])
    first_number = IntegerField(_l("First number"),
                                validators=[Optional(), NumberRange(1, 100000)],
                                description=_l("Empty: after the highest number in use."))
    zone = StringField(_l("Zone"), validators=[Optional(), Length(max=80)],
                       render_kw={"list": "zones"},
                       description=_l("A product group's name groups its tables in the hall."))
    spare = BooleanField(_l("Spare tables (kept free for on-the-day meetings)"))


class StandForm(BaseForm):
    owner = SelectField(_l("Stand of"), coerce=db_int, validators=[InputRequired()])


class DialogueSessionForm(BaseForm):
    product_group = SelectField(_l("Product group"), coerce=db_int, validators=[InputRequired()])
    name = StringField(_l("Title"), validators=[Optional(), Length(max=160)],
                       description=EscapedText(_l("Empty: 'Market dialogue: <product group>'.")))
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Give the day.")),
                                           sane_day])
    start_time = TimeField(_l("Start"),
                           validators=[InputRequired(message=_l("Give the start time."))])
    end_time = TimeField(_l("End"), validators=[InputRequired(message=_l("Give the end time."))])


class DialogueTableForm(BaseForm):
    label = StringField(_l("Table label"), validators=[DataRequired(), Length(max=40)])
    buyer_seats = IntegerField(_l("Buyer seats"), default=6,
                               validators=[InputRequired(), NumberRange(1, 30)])
    supplier_seats = IntegerField(_l("Supplier seats"), default=6,
                                  validators=[InputRequired(), NumberRange(1, 30)])
    moderator = SelectField(_l("Moderator"), coerce=db_int, validators=[Optional()])
