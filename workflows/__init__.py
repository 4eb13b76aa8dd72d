"""Temporal workflows, one per file: deterministic, no I/O (that is the activities' job)."""
