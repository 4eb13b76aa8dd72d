"""The service request family: one workflow per customer request."""
