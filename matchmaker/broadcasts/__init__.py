"""Messages from the organisers to a segment of an event's participants."""
