"""Files kept by content: the store names each file by its SHA-256, so the same bytes are kept once.

The filesystem store serves the embedded default; an S3-compatible store implements the same protocol.
"""

import hashlib
from pathlib import Path
from typing import Protocol


class FileStore(Protocol):
    def put(self, data: bytes) -> str:
        """Stores the bytes; returns the key to read them back with."""
        ...

    def get(self, key: str) -> bytes: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(data)
            temporary.replace(path)  # readers never see half a file
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a storage key")
        return self._root / key[:2] / key
