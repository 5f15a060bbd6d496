"""Offers and queries, the searchable market place, and suggestions of whom to meet."""
