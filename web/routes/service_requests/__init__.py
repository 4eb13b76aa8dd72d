"""Service request pages: the public front door, the customer's status page, the staff workplace and the API."""
