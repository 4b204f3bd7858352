"""Story clustering: one story per real-world event across outlets and follow-ups."""
