"""Cross-cutting plumbing: settings, database, Temporal client, programme catalogue, CLI."""
