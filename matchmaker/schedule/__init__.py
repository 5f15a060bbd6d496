"""The schedule: solver runs and their jobs, comparing, publishing, moves and explanations."""
