"""On the day: check-in, meeting status, the standby list."""
