"""Business failures that retrying cannot fix; workers list them as non-retryable by name."""


class ApplicationNotFound(Exception):
    pass


class BudgetExhausted(Exception):
    """Approving this grant would take the programme past its budget."""


class NothingToDecide(Exception):
    """The proposal the decision refers to does not exist."""


NON_RETRYABLE = [ApplicationNotFound.__name__, BudgetExhausted.__name__, NothingToDecide.__name__]
