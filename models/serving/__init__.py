"""Serving decisions: how a decision reaches the applicant (e-mail, or a letter in the post room's print batch)."""
