"""Attendees: import from CSV, export, invitations and their acceptance."""
