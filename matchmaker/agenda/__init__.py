"""A participant's own agenda, availability, and calendar feed."""
