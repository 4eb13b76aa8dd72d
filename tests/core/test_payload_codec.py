"""Temporal payloads are encrypted: what the server stores never holds personal data in clear text."""

import os

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload

from core.temporal import ENCRYPTED_ENCODING, EncryptionCodec


async def test_round_trip_and_no_clear_text() -> None:
    codec = EncryptionCodec(os.urandom(32))
    secret = b'{"personal_id": "131052-308T"}'
    original = Payload(metadata={"encoding": b"json/plain"}, data=secret)

    [encoded] = await codec.encode([original])
    assert encoded.metadata["encoding"] == ENCRYPTED_ENCODING
    assert b"131052-308T" not in encoded.SerializeToString()
    assert await codec.decode([encoded]) == [original]


async def test_a_different_key_cannot_read_it() -> None:
    [encoded] = await EncryptionCodec(os.urandom(32)).encode([Payload(data=b"x")])
    with pytest.raises(InvalidTag):
        await EncryptionCodec(os.urandom(32)).decode([encoded])


def test_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        EncryptionCodec(b"short")
