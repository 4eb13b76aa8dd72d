"""Who acts in a workflow update, as the web app authenticated them; shared by every workflow family."""

from pydantic import BaseModel

from models.staff import Role


class Actor(BaseModel):
    """The workflow checks roles and four eyes with it."""

    user_id: int
    name: str
    organisation_code: str
    roles: list[Role]
