"""What the `grantdesk` subcommands share: a session on the configured database, and failing with exit 2."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from sqlmodel import Session

from core.db import Database
from core.settings import Settings, get_settings


@contextmanager
def database() -> Iterator[tuple[Session, Settings]]:
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            yield session, settings
    finally:
        db.dispose()


def fail(message: str, code: int = 2) -> NoReturn:
    """Bad input (exit 2), or a part of the system that cannot be reached (exit 1), with a message."""
    typer.echo(message, err=True)
    raise typer.Exit(code=code)
