"""Administration: who may organise events."""
