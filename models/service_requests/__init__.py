"""Service requests: a customer's need, routed to the organisation of the network that serves it."""
