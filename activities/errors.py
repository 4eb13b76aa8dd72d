"""Business failures that retrying cannot fix; workers list them as non-retryable by name."""


class ApplicationNotFound(Exception):
    pass


NON_RETRYABLE = [ApplicationNotFound.__name__]
