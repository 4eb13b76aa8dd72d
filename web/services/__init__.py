"""Service functions the routes call: the logic, free of HTTP."""
