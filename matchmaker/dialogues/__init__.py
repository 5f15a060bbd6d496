"""Market dialogues as participants see them: the sessions, and the ones they choose."""
