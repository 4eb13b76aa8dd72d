"""The customer's private links to a service request: signed tokens, unguessable without the server's secret.

The status page's token and the e-mail confirmation's are signed with different salts: a status link cannot
be turned into a confirmation, and the confirmation link proves only that its reader got the e-mail.
"""

from itsdangerous import BadSignature, URLSafeSerializer

STATUS_SALT = "service-request-status"
CONFIRM_SALT = "service-request-confirmation"


def request_token(request_id: int, secret: str, *, salt: str = STATUS_SALT) -> str:
    return URLSafeSerializer(secret, salt=salt).dumps(request_id)


def request_id_from_token(token: str, secret: str, *, salt: str = STATUS_SALT) -> int | None:
    try:
        value = URLSafeSerializer(secret, salt=salt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def request_status_link(base_url: str, request_id: int, secret: str, language: str) -> str:
    return f"{base_url}/help/requests/{request_token(request_id, secret)}?lang={language}"


def confirmation_link(base_url: str, request_id: int, secret: str, language: str) -> str:
    return f"{base_url}/help/confirm/{request_token(request_id, secret, salt=CONFIRM_SALT)}?lang={language}"
