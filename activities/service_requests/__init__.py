"""Activities of the service request family: its records and its mail."""
