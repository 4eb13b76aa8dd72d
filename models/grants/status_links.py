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
