"""One results collector for the whole `make bench` run, written when it ends."""

from collections.abc import Iterator

import pytest

from bench.results import Results


@pytest.fixture(scope="session")
def results() -> Iterator[Results]:
    collected = Results()
    yield collected
    collected.write()
