"""The simulation in a terminal: progress bars while it runs, the report as tables at the end (rich)."""

import json
import logging
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from runtime.simulation.report import Report
from runtime.simulation.run import Options, simulate

LABELS = {"sent": "applications sent", "decided": "decided and served", "paid": "approvals paid"}


def run_with_progress(*, report_file: Path | None, **options: Any) -> bool:
    console = Console()
    handlers: list[logging.Handler] = [RichHandler(console=console, show_path=False, level=logging.WARNING)]
    if options.get("state_dir") is not None:  # kept: the refusals beside the processes' own logs
        (options["state_dir"] / "logs").mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(options["state_dir"] / "logs" / "simulation.log", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bars:
        tasks = {what: bars.add_task(label, total=None) for what, label in LABELS.items()}

        def progress(what: str, done: int, of: int) -> None:
            bars.update(tasks[what], completed=done, total=of)

        report = simulate(Options(**options), progress)
    show(console, report)
    if report_file is not None:
        report_file.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    return report.sound and report.final


def show(console: Console, report: Report) -> None:
    outcomes = Table(title=f"{report.applications} applications")
    outcomes.add_column("outcome")
    outcomes.add_column("cases", justify="right")
    for outcome, count in sorted(report.by_outcome.items()):
        outcomes.add_row(outcome, str(count))
    for reason, count in report.rejection_reasons.items():
        outcomes.add_row(f"  rejected: {reason}", str(count))
    outcomes.add_row("paid", f"{report.payments_paid} payments, EUR {report.euros_paid}")
    outcomes.add_row("rectification requests", str(report.rectifications))
    console.print(outcomes)
    services = Table(title="service requests")
    services.add_column("status")
    services.add_column("requests", justify="right")
    for status, count in sorted(report.service_requests.items()):
        services.add_row(status, str(count))
    services.add_row("referred on", str(report.referrals))
    services.add_row("feedback average", str(report.feedback_average))
    console.print(services)
    run = Table(title="the run")
    run.add_column("measure")
    run.add_column("value", justify="right")
    for name, value in report.seconds.items():
        run.add_row(f"seconds {name}", str(value))
    for name, value in report.peak_memory_mb.items():
        run.add_row(f"peak MB {name}", str(value))
    for name, value in report.twice.items():
        run.add_row(name, str(value))
    console.print(run)
    if report.refusals:
        console.print("[bold]refused by the system[/bold] (each as the person would read it):")
        for reason, count in sorted(report.refusals.items(), key=lambda r: -r[1]):
            console.print(f"  {count:>5} × {reason}")
