"""How the network classifies a customer's need (the handbook's service packages, life-cycle stages and
customer groups), with the words the pages show for each."""

from enum import StrEnum

from core.i18n import N_


class ServicePackage(StrEnum):
    START = "start"
    GROW = "grow"
    COMPETENCE = "competence"
    RECRUITMENT = "recruitment"
    INTERNATIONALISATION = "internationalisation"
    CHANGE = "change"  # ownership change, closing, changing direction


class LifeCycleStage(StrEnum):
    VISITING = "visiting"  # visiting or getting to know the city
    PLANNING = "planning"
    STARTING = "starting"  # start of operations
    ONGOING = "ongoing"
    CHANGE = "change"  # business change


class CustomerGroup(StrEnum):
    WOULD_BE = "would_be"
    SOLE = "sole"
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    IMMIGRANT = "immigrant"
    ELSEWHERE = "elsewhere"  # an entrepreneur from elsewhere


PACKAGE_NAMES = {
    ServicePackage.START: N_("Start a business"),
    ServicePackage.GROW: N_("Grow your business"),
    ServicePackage.COMPETENCE: N_("Competence development"),
    ServicePackage.RECRUITMENT: N_("Recruitment assistance"),
    ServicePackage.INTERNATIONALISATION: N_("Internationalisation"),
    ServicePackage.CHANGE: N_("Change situations (ownership change, closing, changing direction)"),
}
STAGE_NAMES = {
    LifeCycleStage.VISITING: N_("Getting to know the city"),
    LifeCycleStage.PLANNING: N_("Planning a business"),
    LifeCycleStage.STARTING: N_("Starting operations"),
    LifeCycleStage.ONGOING: N_("Ongoing business"),
    LifeCycleStage.CHANGE: N_("Business change"),
}
GROUP_NAMES = {
    CustomerGroup.WOULD_BE: N_("Would-be entrepreneur"),
    CustomerGroup.SOLE: N_("Sole entrepreneur"),
    CustomerGroup.MICRO: N_("Micro company (under 10 people)"),
    CustomerGroup.SMALL: N_("Small company (10–49 people)"),
    CustomerGroup.MEDIUM: N_("Medium-sized company (50–249 people)"),
    CustomerGroup.LARGE: N_("Large company (250 people or more)"),
    CustomerGroup.IMMIGRANT: N_("Immigrant entrepreneur"),
    CustomerGroup.ELSEWHERE: N_("Entrepreneur from elsewhere"),
}

# Where a request is and how it ended, in words (keys: models/service_requests/requests.py's enums).
STATUS_NAMES = {
    "unconfirmed": N_("Waiting for e-mail confirmation"),
    "expired": N_("Not confirmed"),
    "new": N_("Waiting for an adviser"),
    "accepted": N_("With an adviser"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
OUTCOME_NAMES = {
    "advised": N_("Advised"),
    "service_started": N_("Service started"),
    "no_response": N_("No answer from the customer"),
    "not_our_service": N_("Not a service of the network"),
    "duplicate": N_("Duplicate"),
    "withdrawn": N_("No longer needed"),
}
VIA_NAMES = {
    "routing": N_("Routed"),
    "triage": N_("Front desk"),
    "referral": N_("Referred with consent"),
}

# Every name above, as the pages' templates read them (the words are translated where shown).
WORDS = {
    "packages": PACKAGE_NAMES,
    "stages": STAGE_NAMES,
    "groups": GROUP_NAMES,
    "status_names": STATUS_NAMES,
    "outcome_names": OUTCOME_NAMES,
    "via_names": VIA_NAMES,
}
