"""Participants' feedback after their meetings."""
