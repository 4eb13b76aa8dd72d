"""`grantdesk users`: staff accounts from the command line, for the first administrator and for scripts.

The same service functions as the administrators' pages (web/services/staff_users.py); every change
is audited with no actor and "via": "cli". Bad input exits 2 with a message naming it.
"""

from typing import Annotated

import typer
from sqlmodel import Session, select

from core.i18n import LANGUAGES
from models.staff import Organisation, User
from models.types import utcnow
from runtime.cli_support import database, fail
from web.services import staff_users
from web.services.password_links import link_url

app = typer.Typer(
    help="Staff accounts: create, set roles and letter titles, deactivate, reset a password.", no_args_is_help=True
)

RoleOption = Annotated[
    list[str], typer.Option("--role", help=f"one of {', '.join(staff_users.ROLES)}; repeat for several")
]
CLI = staff_users.Operator.cli()


def _roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in staff_users.ROLES]
    if unknown:
        fail(f"unknown role {unknown[0]!r}; known: {', '.join(staff_users.ROLES)}")
    return roles


def _user(session: Session, email: str) -> User:
    user = staff_users.user_by_email(session, email)
    if user is None:
        fail(f"no staff account with the e-mail {email!r}")
    return user


@app.command()
def create(
    email: Annotated[str, typer.Argument(help="the person's e-mail address (their username)")],
    name: Annotated[str, typer.Option(help="full name")],
    organisation: Annotated[str, typer.Option(help="organisation code, e.g. E")],
    role: RoleOption,
    temporary_password: Annotated[
        bool, typer.Option(help="print a temporary password (changed at first sign-in) instead of a link")
    ] = False,
    language: Annotated[str, typer.Option(help=f"language of their e-mails: {', '.join(LANGUAGES)}")] = "fi",
) -> None:
    """Create an account; prints its one-time invitation link (also e-mailed) or a temporary password."""
    with database() as (session, settings):
        if session.get(Organisation, organisation) is None:
            known = ", ".join(sorted(session.exec(select(Organisation.code)).all()))
            fail(f"unknown organisation {organisation!r}; known: {known}")
        member = staff_users.check_new_member(
            session, email=email, full_name=name, roles=_roles(role), language=language
        )
        for field, reason in member.errors.items():
            fail(f"{field}: {reason}")
        if temporary_password:
            user, password = staff_users.create_with_temporary_password(
                session, organisation_code=organisation, member=member, operator=CLI
            )
            typer.echo(f"created {user.email}; temporary password (to be changed at first sign-in): {password}")
            return
        user, token = staff_users.invite(
            session, organisation_code=organisation, member=member, operator=CLI, settings=settings, now=utcnow()
        )
        typer.echo(f"created {user.email}; invitation e-mailed, valid {settings.invitation_link_hours} hours, once:")
        typer.echo(link_url(settings.public_base_url, token))


@app.command("set-roles")
def set_roles(email: Annotated[str, typer.Argument()], role: RoleOption) -> None:
    """Replace the account's roles."""
    with database() as (session, _settings):
        user = _user(session, email)
        staff_users.set_roles(session, user=user, roles=_roles(role), operator=CLI)
        typer.echo(f"{user.email}: {', '.join(staff_users.roles_of(session, user.id or 0))}")


@app.command()
def deactivate(email: Annotated[str, typer.Argument()]) -> None:
    """Deactivate the account: no more sign-ins, and every open session ends."""
    with database() as (session, _settings):
        user = _user(session, email)
        staff_users.deactivate_member(session, user=user, operator=CLI, now=utcnow())
        typer.echo(f"{user.email}: deactivated")


@app.command()
def reset(
    email: Annotated[str, typer.Argument()],
    temporary_password: Annotated[
        bool, typer.Option(help="set and print a temporary password (changed at next sign-in) instead of a link")
    ] = False,
) -> None:
    """Print a one-time link (also e-mailed) to choose a new password; earlier links stop working."""
    with database() as (session, settings):
        user = _user(session, email)
        try:
            if temporary_password:
                password = staff_users.set_temporary_password(session, user=user, operator=CLI, now=utcnow())
                typer.echo(f"{user.email}: temporary password (to be changed at next sign-in): {password}")
                return
            token = staff_users.request_reset(session, user=user, operator=CLI, settings=settings, now=utcnow())
        except staff_users.AccountRefused as refused:
            fail(f"{user.email}: {refused.reason}")
        typer.echo(f"{user.email}: reset link e-mailed, valid {settings.password_reset_link_hours} hours, once:")
        typer.echo(link_url(settings.public_base_url, token))


@app.command("set-titles")
def set_titles(
    email: Annotated[str, typer.Argument()],
    fi: Annotated[str, typer.Option("--fi", help="the office in Finnish, e.g. elinkeinojohtaja")] = "",
    sv: Annotated[str, typer.Option("--sv", help="in Swedish, e.g. näringslivsdirektör")] = "",
    en: Annotated[str, typer.Option("--en", help="in English, e.g. Director of Economic Development")] = "",
    phone: Annotated[str, typer.Option(help="the phone number letters may give")] = "",
) -> None:
    """Set how decision letters name the person (their office per language) and their phone; replaces both."""
    with database() as (session, _settings):
        user = _user(session, email)
        details = staff_users.LetterDetails.typed(title_fi=fi, title_sv=sv, title_en=en, phone=phone)
        try:
            staff_users.save_letter_details(session, user=user, details=details, operator=CLI)
        except staff_users.AccountRefused as refused:
            fail(f"{refused.field}: {refused.reason}")
        titles = ", ".join(f"{language}={title}" for language, title in user.titles.items()) or "no titles"
        typer.echo(f"{user.email}: {titles}; phone {user.phone or '-'}")
