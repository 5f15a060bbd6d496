"""Forms of the organiser console."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, HiddenField, IntegerField,
                     PasswordField, SearchField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import (DataRequired, EqualTo, InputRequired, Length, NumberRange,
                                Optional)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm


TEXT_FIELDS = ("StringField", "TextAreaField", "SearchField", "HiddenField")


def drop_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class ConsoleForm(BaseForm):
    """BaseForm that also drops NUL characters, which PostgreSQL refuses in text."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class.__name__ in TEXT_FIELDS:
                filters = unbound_field.kwargs.get("filters", [])
                if drop_nul not in filters:
                    unbound_field.kwargs["filters"] = [*filters, drop_nul]
            return super().bind_field(form, unbound_field, options)


MEETING_STATUS_LABELS = {"held": "Held", "no_show": "No-show", "scheduled": "Scheduled",
                         "cancelled": "Cancelled (frees slot and table)"}


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes in a list; `_forms.field` wraps them in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(ConsoleForm):
    name = StringField("Event name", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Web address (slug)", validators=[DataRequired(), Length(max=80)],
                       description="Lowercase letters, digits and hyphens: "
                                   "the event lives at /events/<slug>.")
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)],
                           default="Europe/Brussels",
                           render_kw={"list": "timezones", "autocomplete": "off"},
                           description="All times of the event are shown in this zone, "
                                       "e.g. Europe/Brussels.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])


class BookingRulesForm(ConsoleForm):
    max_open_requests = IntegerField(
        "Open requests a participant may have", validators=[InputRequired(), NumberRange(0, 1000)])
    default_max_meetings = IntegerField(
        "Meetings per participant (default)", validators=[InputRequired(), NumberRange(0, 200)])
    request_expiry_days = IntegerField(
        "Days before an unanswered request expires", validators=[Optional(), NumberRange(1, 365)],
        description="Leave empty: requests do not expire.")


class ProductGroupsForm(ConsoleForm):
    groups = MultiCheckboxField("Product groups in use", coerce=int)


class PhaseForm(ConsoleForm):
    move = HiddenField(validators=[DataRequired()])


class ConfirmForm(ConsoleForm):
    """A POST-only action: just the CSRF token."""


class BlockForm(ConsoleForm):
    name = StringField("Name", validators=[Optional(), Length(max=100)],
                       description="For instance 'Morning meetings'.")
    day = DateField("Day", validators=[InputRequired(message="Give the day.")])
    start_time = TimeField("Start", validators=[InputRequired(message="Give the start time.")])
    end_time = TimeField("End", validators=[InputRequired(message="Give the end time.")])
    meeting_minutes = IntegerField("Meeting length (minutes)", default=20,
                                   validators=[InputRequired(), NumberRange(5, 240)])
    break_minutes = IntegerField("Break between meetings (minutes)", default=5,
                                 validators=[InputRequired(), NumberRange(0, 120)])


class TablesForm(ConsoleForm):
    count = IntegerField("How many tables", default=10,
                         validators=[InputRequired(), NumberRange(1, 500)])
    first_number = IntegerField("First number", validators=[Optional(), NumberRange(1, 100000)],
                                description="Empty: after the highest number in use.")
    zone = StringField("Zone", validators=[Optional(), Length(max=80)],
                       render_kw={"list": "zones"},
                       description="A product group's name groups its tables in the hall.")
    spare = BooleanField("Spare tables (kept free for on-the-day meetings)")


class StandForm(ConsoleForm):
    owner = SelectField("Stand of", coerce=int, validators=[InputRequired()])


class DialogueSessionForm(ConsoleForm):
    product_group = SelectField("Product group", coerce=int, validators=[InputRequired()])
    name = StringField("Title", validators=[Optional(), Length(max=160)],
                       description="Empty: 'Market dialogue: <product group>'.")
    day = DateField("Day", validators=[InputRequired(message="Give the day.")])
    start_time = TimeField("Start", validators=[InputRequired(message="Give the start time.")])
    end_time = TimeField("End", validators=[InputRequired(message="Give the end time.")])


class DialogueTableForm(ConsoleForm):
    label = StringField("Table label", validators=[DataRequired(), Length(max=40)])
    buyer_seats = IntegerField("Buyer seats", default=6,
                               validators=[InputRequired(), NumberRange(1, 30)])
    supplier_seats = IntegerField("Supplier seats", default=6,
                                  validators=[InputRequired(), NumberRange(1, 30)])
    moderator = SelectField("Moderator", coerce=int, validators=[Optional()])


class ImportForm(ConsoleForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     render_kw={"accept": ".csv,text/csv"},
                     description="Columns: name, email, organisation, role, product_groups "
                                 "(codes or names separated by ; or |). UTF-8, at most 1 MB.")
    only_valid = BooleanField("Import only the valid rows")
    invite = BooleanField("Send invitations to new accounts", default=True)


class ImportConfirmForm(ConsoleForm):
    csv_text = HiddenField(validators=[DataRequired()])
    only_valid = BooleanField("Import only the valid rows")
    invite = BooleanField("Send invitations to new accounts")


class SetPasswordForm(ConsoleForm):
    password = PasswordField("New password", validators=[DataRequired()],
                             description="At least 10 characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password",
                                                                "The passwords differ.")],
                            render_kw={"autocomplete": "new-password"})


class CheckinSearchForm(ConsoleForm):
    class Meta:
        csrf = False

    q = SearchField("Name, e-mail or organisation", validators=[Optional(), Length(max=100)])


class MeetingStatusForm(ConsoleForm):
    status = SelectField("Status", choices=[
        SelectChoice(value, label) for value, label in MEETING_STATUS_LABELS.items()])


class FillForm(ConsoleForm):
    request_id = IntegerField(validators=[InputRequired()])
    table_id = IntegerField(validators=[InputRequired()])


class FeedbackForm(ConsoleForm):
    useful = SelectField("Was this meeting useful?", coerce=int,
                         choices=[SelectChoice(5, "5 – very useful"), SelectChoice(4, "4"),
                                  SelectChoice(3, "3"), SelectChoice(2, "2"),
                                  SelectChoice(1, "1 – not useful")],
                         validators=[InputRequired()])
    follow_up = SelectField("Do you plan a follow-up?",
                            choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
                            validators=[InputRequired()])
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])

