"""Where released payment files go: an interface a bank connection (host-to-host, EBICS, a web service)
implements; the embedded default is a folder the operator's transfer program picks the files up from."""

import hashlib
from pathlib import Path
from typing import Protocol


class FileAlreadyDelivered(Exception):
    """A different file was already delivered under this name: a released batch is never written anew."""


class BankConnection(Protocol):
    def deliver(self, filename: str, content: bytes) -> None:
        """Hands the file to the bank. Delivering the same file again is harmless; another under its name is not."""
        ...


class OutgoingFolder:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def deliver(self, filename: str, content: bytes) -> None:
        if "/" in filename or filename.startswith("."):
            raise ValueError(f"not a file name: {filename!r}")
        path = self._folder / filename
        if path.exists():
            if hashlib.sha256(path.read_bytes()).digest() != hashlib.sha256(content).digest():
                raise FileAlreadyDelivered(f"{filename} was delivered with other contents")
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{filename}.part")  # the transfer program never sees half a file
        temporary.write_bytes(content)
        temporary.replace(path)
