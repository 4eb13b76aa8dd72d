"""The applicant's attachments: only PDF, JPEG and PNG, recognised by their content, within a size limit."""

import hashlib
from dataclasses import dataclass

from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from core.i18n import N_
from core.storage import FileStore
from models.grants.info_requests import Attachment

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class UploadRefused(Exception):
    """The file is not one we accept; `message` (a msgid) and `values` say which and why."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


async def uploads_in(form: FormData, name: str = "files") -> list[Upload]:
    """The files a multipart form carries under `name` (a file input left empty sends none)."""
    return [
        Upload(filename=f.filename or "attachment", data=await f.read())
        for f in form.getlist(name)
        if isinstance(f, UploadFile) and f.filename
    ]


def safe_filename(name: str) -> str:
    """The name as the applicant's computer gave it, without control characters, at most 200 characters."""
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return cleaned[-200:] or "attachment"


def content_type_of(data: bytes) -> str | None:
    """By the first bytes, not by the name or the browser's word for it."""
    for signature, content_type in SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    return None


def checked_uploads(uploads: list[Upload], *, max_bytes: int, max_files: int) -> list[tuple[Upload, str]]:
    """Every file checked before any is stored: its content type, or UploadRefused saying why not."""
    if len(uploads) > max_files:
        raise UploadRefused(N_("At most %(count)s files can be attached."), count=max_files)
    checked = []
    for upload in uploads:
        if not upload.data:
            # An empty file is no answer: refused, so the question does not close on nothing.
            raise UploadRefused(N_("%(file)s is empty."), file=upload.filename)
        content_type = content_type_of(upload.data)
        if content_type is None:
            raise UploadRefused(N_("%(file)s: only PDF, JPEG and PNG files are accepted."), file=upload.filename)
        if len(upload.data) > max_bytes:
            raise UploadRefused(
                N_("%(file)s is larger than %(size)s MB."), file=upload.filename, size=max_bytes // (1024 * 1024)
            )
        checked.append((upload, content_type))
    return checked


def add_attachments(
    session: Session,
    store: FileStore,
    checked: list[tuple[Upload, str]],
    *,
    application_id: int,
    rectification_request_id: int | None = None,
) -> list[Attachment]:
    """The checked files stored and their rows added to the caller's transaction (of a rectification request,
    when given)."""
    attachments = []
    for upload, content_type in checked:
        attachment = Attachment(
            application_id=application_id,
            filename=safe_filename(upload.filename),
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            storage_key=store.put(upload.data),
            rectification_request_id=rectification_request_id,
        )
        session.add(attachment)
        attachments.append(attachment)
    return attachments


def store_uploads(
    session: Session, store: FileStore, *, application_id: int, uploads: list[Upload], max_bytes: int, max_files: int
) -> list[int]:
    """Checks every file first, then stores them all; returns the attachment ids."""
    checked = checked_uploads(uploads, max_bytes=max_bytes, max_files=max_files)
    attachments = add_attachments(session, store, checked, application_id=application_id)
    session.commit()
    return [a.id for a in attachments if a.id is not None]
