"""The FastAPI site: the public front door, the applicant's pages, the staff workplace and the JSON API."""
