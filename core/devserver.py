"""`grantdesk dev`: the Temporal dev server, a worker and the web app as child processes; Ctrl-C stops all."""

import signal
import socket
import subprocess
import sys
import time

import typer

from core.settings import PROJECT_ROOT
from core.temporal import binary


def wait_for_port(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def temporal_dev_server_command(port: int, ui_port: int, db_file: str) -> list[str]:
    return [
        str(binary("temporal")), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(ui_port),
        "--db-filename", db_file, "--log-level", "error",
    ]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_all(*, web_port: int, temporal_port: int, ui_port: int) -> None:
    # `kill` or a closed terminal stops the children too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    var = PROJECT_ROOT / "var"
    var.mkdir(exist_ok=True)
    python = sys.executable
    children: list[subprocess.Popen[bytes]] = []

    def start(cmd: list[str]) -> subprocess.Popen[bytes]:
        # Own process group: the terminal's Ctrl-C reaches us, and we stop the children in order.
        child = subprocess.Popen(cmd, cwd=PROJECT_ROOT, start_new_session=True)  # noqa: S603 (our own commands)
        children.append(child)
        return child

    try:
        start(temporal_dev_server_command(temporal_port, ui_port, str(var / "temporal.db")))
        wait_for_port("127.0.0.1", temporal_port)
        start([python, "-m", "core.cli", "worker"])
        start([python, "-m", "core.cli", "web", "--port", str(web_port)])
        wait_for_port("127.0.0.1", web_port)
        typer.echo(
            f"\ngrantdesk is running:\n"
            f"  public site   http://localhost:{web_port}/\n"
            f"  staff         http://localhost:{web_port}/staff\n"
            f"  API docs      http://localhost:{web_port}/docs\n"
            f"  Temporal UI   http://localhost:{ui_port}/\n"
            "Ctrl-C stops everything.\n"
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        typer.echo("a component stopped; shutting down", err=True)
    except KeyboardInterrupt:
        typer.echo("\nstopping…")
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in reversed(children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
