"""E-mail notifications: queued per person, sent at once or as a digest."""
