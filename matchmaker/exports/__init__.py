"""Exports: calendars, printed plans and data files built from the event."""
