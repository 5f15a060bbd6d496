"""What came of the meetings: one question per meeting, months after the event."""
