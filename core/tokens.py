"""Secrets we hand out (links, sign-ins, API credentials) are kept only as digests: a leaked table opens nothing."""

import hashlib


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
