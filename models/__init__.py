"""Domain models: database tables, API schemas, Temporal payloads and the programme rules."""
