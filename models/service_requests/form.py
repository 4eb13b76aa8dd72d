"""A service request as the customer sends it: one schema for the JSON API and the web form."""

from typing import Annotated

from pydantic import EmailStr, Field, StrictBool

from models.grants.application_form import BusinessId, Language, Phone, Strict, Text
from models.service_requests.catalogue import CustomerGroup, LifeCycleStage, ServicePackage

Description = Annotated[str, Field(min_length=10, max_length=4000)]


class ServiceRequestForm(Strict):
    package: ServicePackage
    stage: LifeCycleStage
    customer_group: CustomerGroup
    description: Description = Field(description="What the customer needs help with, in their own words")
    name: Text
    email: EmailStr
    phone: Phone | None = None
    business_id: BusinessId | None = None
    business_name: Annotated[str, Field(max_length=200)] | None = None
    language: Language = "fi"
    # Optional and explicit (true or false, nothing taken for either): without it the request stays with the
    # organisation it is routed to.
    share_consent: StrictBool = Field(
        default=False, description="The customer lets the request be shared with other organisations of the network"
    )
