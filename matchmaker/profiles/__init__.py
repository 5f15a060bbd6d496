"""A participant's profile in an event, their logo, and their account's personal data."""
