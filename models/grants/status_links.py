"""The applicant's private status link: a signed token, unguessable without the server's secret."""

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "application-status"


def status_token(application_id: int, secret: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps(application_id)


def application_id_from_token(token: str, secret: str) -> int | None:
    try:
        value = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def status_link(base_url: str, application_id: int, secret: str, language: str) -> str:
    """The link as e-mails give it: opening it shows the page in the applicant's language, whatever the browser's."""
    return f"{base_url}/status/{status_token(application_id, secret)}?lang={language}"
