"""`grantdesk dev`: supervises the Temporal dev server, a worker and the web app as child processes.

A part that exits is restarted: the web app keeps taking applications (into its outbox) while Temporal or
the worker comes back. A part that keeps failing stops everything with a non-zero exit. Ctrl-C or SIGTERM
stops the parts in order web → worker → Temporal, so nothing retries into a part that is already gone.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import typer

from core.saml import ensure_keypair
from core.settings import PROJECT_ROOT, get_settings
from core.temporal import binary

# A part that needs more than MAX_RESTARTS restarts within RESTART_WINDOW_SECONDS is broken, not unlucky.
# The environment variable lets a test reach that verdict without crashing a part six times.
MAX_RESTARTS = int(os.environ.get("GRANTDESK_DEV_MAX_RESTARTS", "5"))
RESTART_WINDOW_SECONDS = 60.0
# The first restart waits this long, each further one within the window twice as long as the one before.
RESTART_BACKOFF_SECONDS = 1.0
STARTUP_TIMEOUT_SECONDS = 60.0
# Each part shuts down cleanly on SIGINT; one that takes longer than this is killed.
STOP_TIMEOUT_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class PartFailed(Exception):
    """A part keeps exiting, or does not come up: dev gives up and exits non-zero."""


def wait_for_port(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_answers(port, host):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers themselves do: a port left in TIME_WAIT by a stopped run can be listened on again,
        # while one with a listener (on 127.0.0.1 or any address) cannot.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_ports(*, web_port: int, temporal_port: int, ui_port: int, idp_port: int) -> None:
    """Exit 2 before anything starts if a port is taken: otherwise an old run would answer in our place."""
    options = {"--port": web_port, "--temporal-port": temporal_port, "--ui-port": ui_port, "--idp-port": idp_port}
    if len(set(options.values())) < len(options):
        _refuse(f"the ports must differ: {', '.join(f'{o} {p}' for o, p in options.items())}")
    for option, port in options.items():
        if not port_is_free(port):
            _refuse(f"port {port} is already in use (is grantdesk already running?); choose another with {option}")


def _refuse(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


def temporal_dev_server_command(port: int, ui_port: int, db_file: str, codec_endpoint: str | None = None) -> list[str]:
    # The UI asks the web app to decode payloads (web/routes/codec.py): histories are readable, the key stays.
    codec = ["--ui-codec-endpoint", codec_endpoint] if codec_endpoint else []
    return [
        str(binary("temporal")),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        db_file,
        *codec,
        "--log-level",
        "error",
    ]


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn: the kernel sends the child SIGTERM when the supervisor dies, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here, not between fork and exec
    supervisor = os.getpid()

    def preexec() -> None:
        # The signal follows the thread that forked the child; the supervisor forks from its only thread.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != supervisor:  # it died before prctl: nobody would send the signal
            os._exit(1)

    return preexec


def _exit_reason(code: int) -> str:
    return f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"


class Part:
    """One child process and its restart bookkeeping."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        *,
        port: int | None = None,
        needs: "Part | None" = None,
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.port = port  # it is up when this port takes connections; without one, when it runs
        # Not (re)started before this part is up: it would only fail and use up its restarts.
        self.needs = needs
        self.process: subprocess.Popen[bytes] | None = None
        self.due: float | None = 0.0  # time.monotonic() when it is to be started; None while it is started
        self.restarts: deque[float] = deque()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def up(self) -> bool:
        return self.running and (self.port is None or port_answers(self.port))

    def tend(self, now: float) -> None:
        """Starts the part when it is due, or plans its restart when it has exited."""
        if self.running:
            return
        if self.process is not None and self.due is None:
            self._plan_restart(now, self.process.returncode)
        if self.due is not None and now >= self.due and (self.needs is None or self.needs.up()):
            # Own session: a Ctrl-C in the terminal reaches only the supervisor, which stops the parts in order.
            self.process = subprocess.Popen(  # noqa: S603 (our own commands)
                self.command, cwd=PROJECT_ROOT, env=self.env, start_new_session=True, preexec_fn=_die_with_parent()
            )
            self.due = None

    def _plan_restart(self, now: float, code: int) -> None:
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW_SECONDS:
            self.restarts.popleft()
        if len(self.restarts) >= MAX_RESTARTS:
            raise PartFailed(
                f"{self.name} keeps failing: it {_exit_reason(code)}"
                f" (restarts in the last {RESTART_WINDOW_SECONDS:g} s: {len(self.restarts)})"
            )
        delay = RESTART_BACKOFF_SECONDS * 2 ** len(self.restarts)
        self.restarts.append(now)
        self.due = now + delay
        typer.echo(f"{self.name} {_exit_reason(code)}; restarting it in {delay:g} s", err=True)

    def stop(self) -> None:
        """SIGINT, then SIGKILL if it takes too long; returns only when the process is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        typer.echo(f"stopped {self.name}")


def supervise(parts: list[Part], on_up: Callable[[], None]) -> None:
    """Keeps the parts running until interrupted; raises PartFailed when one keeps failing or never comes up."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    announced = False
    while True:
        now = time.monotonic()
        for part in parts:
            part.tend(now)
        if not announced:
            if all(part.up() for part in parts):
                on_up()
                announced = True
            elif now > deadline:
                down = ", ".join(part.name for part in parts if not part.up())
                raise PartFailed(f"{down} did not come up within {STARTUP_TIMEOUT_SECONDS:g} s")
        time.sleep(0.2)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def state_paths(state_dir: Path) -> dict[str, str]:
    """The settings that put what the system writes under `state_dir`: database, documents, mail, bank files
    and SAML keys."""
    state = state_dir.resolve()
    return {
        "DATABASE_URL": f"sqlite:///{state / 'grantdesk.db'}",
        "DOCUMENTS_DIR": str(state / "documents"),
        "MAIL_DIR": str(state / "outbox"),
        "BANK_OUTGOING_DIR": str(state / "bank" / "outgoing"),
        "SAML_SP_KEY_FILE": str(state / "saml" / "sp.key"),
        "SAML_SP_CERT_FILE": str(state / "saml" / "sp.crt"),
        "SIMULATION_IDP_KEY_FILE": str(state / "saml" / "simulation-idp.key"),
        "SIMULATION_IDP_CERT_FILE": str(state / "saml" / "simulation-idp.crt"),
    }


def keep_state_in(state_dir: Path) -> None:
    """Everything the system writes goes under `state_dir` (database, documents, mail, bank files, Temporal),
    except what the user has pointed elsewhere with its own variable."""
    for name, value in state_paths(state_dir).items():
        os.environ.setdefault(name, value)
    get_settings.cache_clear()


def make_saml_keys() -> None:
    """Development keys for our service provider and the simulated identification service, made once."""
    settings = get_settings()
    ensure_keypair(settings.saml_sp_key_file, settings.saml_sp_cert_file, "grantdesk development service provider")
    ensure_keypair(
        settings.simulation_idp_key_file, settings.simulation_idp_cert_file, "grantdesk simulated identification"
    )


def run_all(*, web_port: int, temporal_port: int, ui_port: int, idp_port: int, state_dir: Path | None = None) -> None:
    check_ports(web_port=web_port, temporal_port=temporal_port, ui_port=ui_port, idp_port=idp_port)
    # Absolute: the children run in the project folder, not where dev was started.
    state_dir = (state_dir or PROJECT_ROOT / "var").resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    # The worker and web reach this Temporal, and e-mails link to this web port, whatever ports were chosen;
    # everything else the user set is passed on.
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "PUBLIC_BASE_URL": f"http://localhost:{web_port}",
        "TEMPORAL_UI_ORIGIN": f"http://localhost:{ui_port}",
        "IDENTIFICATION": "simulation",
        "SIMULATION_IDP_URL": f"http://localhost:{idp_port}",
    }
    python = sys.executable
    db_file = str(state_dir / "temporal.db")
    command = temporal_dev_server_command(temporal_port, ui_port, db_file, f"http://localhost:{web_port}/codec")
    temporal = Part("temporal", command, env, port=temporal_port)
    worker = Part("worker", [python, "-m", "runtime", "worker"], env, needs=temporal)
    # The web app needs no Temporal to start: it connects on first use and keeps applications in its outbox.
    web = Part("web", [python, "-m", "runtime", "web", "--port", str(web_port)], env, port=web_port)
    # The simulated Suomi.fi e-Identification the applicants sign in with.
    idp = Part("idp", [python, "-m", "runtime", "idp-sim", "--port", str(idp_port)], env, port=idp_port)
    parts = [temporal, worker, idp, web]  # stopped in the reverse order

    def announce() -> None:
        typer.echo(
            f"\ngrantdesk is running:\n"
            f"  public site   http://localhost:{web_port}/\n"
            f"  staff         http://localhost:{web_port}/staff\n"
            f"  API docs      http://localhost:{web_port}/docs\n"
            f"  Temporal UI   http://localhost:{ui_port}/\n"
            f"  sign-in (simulated Suomi.fi)  http://localhost:{idp_port}/\n"
            "Ctrl-C stops everything.\n"
        )

    # `kill` or a closed terminal stops the parts as Ctrl-C does. SIGINT is set too: a shell script's
    # background job starts with it ignored, and the children would inherit that and ignore our SIGINT.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    failed = False
    try:
        supervise(parts, announce)
    except KeyboardInterrupt:
        typer.echo("\nstopping…")
    except PartFailed as exc:
        failed = True
        typer.echo(f"{exc}; stopping everything", err=True)
    finally:
        # A second Ctrl-C must not cut the orderly stop short; each part is killed after a timeout anyway.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for part in reversed(parts):
            part.stop()
    if failed:
        raise typer.Exit(code=1)
