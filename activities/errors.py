"""Business failures that retrying cannot fix; workers list them as non-retryable by name."""


class ApplicationNotFound(Exception):
    pass


class BudgetExhausted(Exception):
    """Approving this grant would take the programme past its budget."""


class LegalBasisNotInForce(Exception):
    """The programme's legal basis is not in force on the day of the decision: no lawful decision can be made."""


class NothingToDecide(Exception):
    """The proposal the decision refers to does not exist."""


class MissingLetterFact(Exception):
    """A decision letter would lack something the law requires it to state: no letter rather than a wrong one."""


class InvalidAccount(Exception):
    """Not an IBAN in the SEPA area (wrong check digits, say): asking again cannot make it one."""


class PaymentOnItsWay(Exception):
    """The payment is in a batch for the bank or has been sent: cancelling it now would be a lie."""


class ServiceRequestNotFound(Exception):
    pass


class UnknownOrganisation(Exception):
    """A referral named an organisation that is not in the network."""


NON_RETRYABLE = [
    ApplicationNotFound.__name__,
    BudgetExhausted.__name__,
    InvalidAccount.__name__,
    LegalBasisNotInForce.__name__,
    MissingLetterFact.__name__,
    NothingToDecide.__name__,
    PaymentOnItsWay.__name__,
    ServiceRequestNotFound.__name__,
    UnknownOrganisation.__name__,
]
