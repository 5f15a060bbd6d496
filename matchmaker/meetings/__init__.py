"""Meeting requests between participants: send, accept, decline, cancel, expire."""
