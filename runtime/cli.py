"""The `grantdesk` command: run the pieces, migrate, seed, and assess an application file."""

import asyncio
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from core.db import Database
from core.settings import get_settings
from models.grants.eligibility import RegistryFacts, SubmittedApplication, assess
from models.grants.programme import load_programmes
from runtime.cli_support import fail
from runtime.payments_cli import app as payments_app
from runtime.payments_cli import report_app
from runtime.users_cli import app as users_app

app = typer.Typer(help="grantdesk: grant programmes and service requests on Temporal.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(payments_app, name="payments")
app.add_typer(report_app, name="report")

DEFAULT_PROGRAMME = "sole-entrepreneur-2020"


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from core.migrate import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@app.command()
def seed() -> None:
    """Seed organisations and demo registry data; in dev also demo staff (passwords printed once)."""
    from runtime.seed import seed_demo_rights, seed_demo_staff, seed_reference_data

    settings = get_settings()
    db = Database(settings.database_url)
    with db.session() as session:
        seed_reference_data(session)
        if settings.environment != "production":
            seed_demo_rights(session)
        created = seed_demo_staff(session) if settings.is_dev else []
    if created:
        typer.echo("Demo staff accounts (shown once; dev only):")
        for email, password in created:
            typer.echo(f"  {email:<26} {password}")


@app.command(name="assess")
def assess_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="application JSON")],
    programme: Annotated[str, typer.Option(help="programme code")] = DEFAULT_PROGRAMME,
    explain: Annotated[bool, typer.Option(help="also print each rule's check")] = False,
) -> None:
    """Print the eligibility assessment of an application JSON file (exit 0 eligible or not, 2 bad input)."""
    programmes = load_programmes(get_settings().programmes_dir, include_demo=True)
    if programme not in programmes:
        fail(f"unknown programme {programme!r}; known: {', '.join(sorted(programmes))}")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{file}: not valid JSON ({exc})")
    if not isinstance(data, dict):
        fail(f"{file}: expected a JSON object")
    registry = data.pop("registry", None) or {}
    try:
        application = SubmittedApplication.model_validate(data)
    except ValidationError as exc:
        fail(f"{file}: invalid application\n" + _errors(exc))
    try:
        facts = RegistryFacts.model_validate(registry)
    except ValidationError as exc:
        fail(f"{file}: invalid registry facts\n" + _errors(exc, prefix=("registry",)))
    result = assess(application, facts, programmes[programme])
    output = result.summary()
    if explain:
        output["checks"] = [c.model_dump(mode="json") for c in result.checks]
        output["discrepancies"] = [d.model_dump() for d in result.discrepancies]
    typer.echo(json.dumps(output, indent=2, ensure_ascii=False))


def _errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> str:
    return "\n".join(f"  {'.'.join(str(p) for p in (*prefix, *e['loc']))}: {e['msg']}" for e in exc.errors())


@app.command()
def worker() -> None:
    """Run the Temporal worker (all workflows and activities)."""
    from core.temporal import connect
    from runtime.schedules import ensure_schedules
    from runtime.worker import build_worker, pdf_pool

    settings = get_settings()

    async def main() -> None:
        client = await connect(settings.temporal_address, settings.temporal_namespace, settings.payload_key)
        await ensure_schedules(client, settings)
        db = Database(settings.database_url)
        programmes = load_programmes(settings.programmes_dir, include_demo=settings.demo_programmes)
        # Both pools are shut down with the worker, the rendering processes included.
        with ThreadPoolExecutor(max_workers=16) as executor, pdf_pool() as pool:
            w = build_worker(client, settings=settings, db=db, programmes=programmes, executor=executor, pdf_pool=pool)
            typer.echo(f"worker polling task queue {settings.task_queue!r} at {settings.temporal_address}")
            await w.run()

    asyncio.run(main())


@app.command()
def web(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
) -> None:
    """Run the web app (public site, staff pages, JSON API)."""
    import uvicorn

    # X-Forwarded-For is believed only from TRUSTED_PROXIES, in the app itself (web/app.py), not by uvicorn.
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port, reload=reload, proxy_headers=False)


@app.command(name="idp-sim")
def idp_sim(host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run the simulated Suomi.fi e-Identification (development only: refused in production)."""
    import uvicorn

    from runtime.idp_simulation import create_simulation_idp

    settings = get_settings()
    if settings.environment == "production":
        typer.echo("the simulated identification service does not run in production", err=True)
        raise typer.Exit(code=2)
    uvicorn.run(create_simulation_idp(settings), host=host, port=port)


@app.command(name="time-limit")
def time_limit(
    sent: Annotated[str, typer.Option(help="the day the decision was sent, YYYY-MM-DD")],
    channel: Annotated[str, typer.Option(help="email or letter")],
    programme: Annotated[str, typer.Option(help="programme code (its deemed-received and appeal days)")] = (
        DEFAULT_PROGRAMME
    ),
    days: Annotated[int | None, typer.Option(help="another time limit, e.g. 30 for the administrative court")] = None,
) -> None:
    """The day a decision is deemed received and the last day to request rectification (or to appeal), as JSON."""
    from datetime import date

    from models.time_limits import EARLIEST_SENT, LATEST_SENT, Channel, deemed_received_on, last_day_of

    programmes = load_programmes(get_settings().programmes_dir, include_demo=True)
    if programme not in programmes:
        fail(f"unknown programme {programme!r}; known: {', '.join(sorted(programmes))}")
    try:
        sent_on = date.fromisoformat(sent)
    except ValueError:
        fail(f"--sent {sent!r} is not a date (YYYY-MM-DD)")
    if not EARLIEST_SENT <= sent_on <= LATEST_SENT:
        fail(f"--sent must be between {EARLIEST_SENT} and {LATEST_SENT}")
    if channel not in set(Channel):
        fail(f"--channel {channel!r}: email or letter")
    if days is not None and not 1 <= days <= 365:
        fail("--days must be between 1 and 365")
    chosen = programmes[programme]
    received = deemed_received_on(sent_on, Channel(channel), chosen)
    last = last_day_of(received, days if days is not None else chosen.appeal_days)
    typer.echo(json.dumps({"deemed_received": received.isoformat(), "last_day": last.isoformat()}))


@app.command()
def simulate(
    applications: Annotated[int, typer.Option(min=1, help="applications in the campaign (Espoo 2020: 2,809)")] = 2809,
    service_requests: Annotated[int, typer.Option(min=0, help="service requests beside it")] = 200,
    seed: Annotated[int, typer.Option(help="the same seed gives the same campaign")] = 2020,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    webs: Annotated[int, typer.Option(min=1, help="web processes")] = 1,
    database_url: Annotated[
        str | None, typer.Option(help="an empty database (default: SQLite in the state folder)")
    ] = None,
    state_dir: Annotated[
        Path | None, typer.Option(file_okay=False, help="keep the state here (default: removed)")
    ] = None,
    report: Annotated[Path | None, typer.Option(dir_okay=False, help="also write the report here as JSON")] = None,
    kill_worker_every: Annotated[
        float | None, typer.Option(min=1, help="SIGKILL the worker this often (seconds) and restart it")
    ] = None,
) -> None:
    """Run a simulated campaign on a system of its own: applicants, staff and the bank until every case is final.

    Exits 0 when every case was final and nothing was done twice, 1 otherwise.
    """
    from runtime.simulation.console import run_with_progress

    ok = run_with_progress(
        applications=applications, service_requests=service_requests, seed=seed, workers=workers, webs=webs,
        database_url=database_url, state_dir=state_dir, report_file=report, kill_worker_every=kill_worker_every,
    )  # fmt: skip
    if not ok:
        raise typer.Exit(code=1)


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="web app port")] = 8000,
    temporal_port: Annotated[int, typer.Option(help="Temporal dev server port")] = 7233,
    ui_port: Annotated[int, typer.Option(help="Temporal UI port")] = 8233,
    idp_port: Annotated[int, typer.Option(help="simulated identification service's port")] = 8001,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="where the databases, documents, mail and bank files go (default: var/ in the project)",
        ),
    ] = None,
) -> None:
    """Everything on one machine: migrate, seed, Temporal dev server, worker and web app (restarted if they exit).

    Exits 2 if a port is taken, 1 if a part keeps failing, 0 on Ctrl-C or SIGTERM.
    """
    from runtime.devserver import check_ports, keep_state_in, make_saml_keys, run_all

    # A busy port means another run is up: refuse before migrating or seeding anything.
    check_ports(web_port=port, temporal_port=temporal_port, ui_port=ui_port, idp_port=idp_port)
    if state_dir is not None:
        keep_state_in(state_dir)
    migrate()
    seed()
    make_saml_keys()
    run_all(web_port=port, temporal_port=temporal_port, ui_port=ui_port, idp_port=idp_port, state_dir=state_dir)


if __name__ == "__main__":
    sys.exit(app())
