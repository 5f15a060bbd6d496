"""The organiser console: creating and setting up an event, and its dashboard."""
