"""Sending e-mail: an SMTP mailer (aiosmtplib) for real servers, a file mailer for the embedded default."""

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

import aiosmtplib


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    # Stable per message key: a resent copy carries the same id, so it is recognisable as the same message.
    message_id: str
    attachments: list[Attachment] = field(default_factory=list)


class Mailer(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


def build_message(sender: str, email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(usegmt=True)  # "GMT": a known zone, not "-0000" (unknown)
    message.set_content(email.text)
    for attachment in email.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password, self._starttls, self._timeout = username, password, starttls, timeout

    async def send(self, email: OutgoingEmail) -> None:
        await aiosmtplib.send(
            build_message(self._sender, email),
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._starttls,
            timeout=self._timeout,
        )


class FileMailer:
    """Writes each message to `<dir>/<message id>.eml`; sending the same message again overwrites it."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def send(self, email: OutgoingEmail) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", email.message_id.strip("<>"))
        (self._directory / f"{name}.eml").write_bytes(bytes(build_message(self._sender, email)))
