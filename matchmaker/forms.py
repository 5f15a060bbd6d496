"""The base every form inherits: Flask-WTF's CSRF protection and stripped text."""
from flask_wtf import FlaskForm


def strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and unbound_field.field_class.__name__ in (
                    "StringField", "EmailField", "TextAreaField", "SearchField", "TelField"):
                unbound_field.kwargs["filters"] = [strip, *filters]
            return unbound_field.bind(form=form, **options)
