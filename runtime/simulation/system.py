"""The system a simulated campaign runs against: a Temporal dev server, the simulated identification service, web
processes and worker processes, as `grantdesk dev` runs them, but as many of each as asked and on a database of
the caller's choice. Workers can be killed and restarted mid-campaign; resident memory is sampled throughout."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from core.settings import PROJECT_ROOT
from runtime.devserver import _die_with_parent, state_paths, temporal_dev_server_command, wait_for_port

SAMPLE_SECONDS = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    command: list[str]
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None
    peak_mb: float = 0.0

    def start(self, env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (our own commands)
                self.command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent(),
            )  # fmt: skip

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def sample(self) -> None:
        """Memory of the process and its children (the worker's PDF renderers), in MB; the peak is kept. Each
        counted by its proportional share (PSS): a forked child shares its parent's pages, and resident sizes
        summed would count them twice."""
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            root = psutil.Process(self.popen.pid)
            total = sum(_proportional(p) for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return
        self.peak_mb = max(self.peak_mb, total / 2**20)


def _proportional(process: psutil.Process) -> int:
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):  # no PSS on this system: the resident size
        return int(process.memory_info().rss)


@dataclass
class System:
    """Start with `start()`, stop with `stop()`; `web_urls` are where the applicants post."""

    state_dir: Path
    database_url: str
    workers: int = 1
    webs: int = 1
    programmes_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    temporal: Process | None = None
    idp: Process | None = None
    web_processes: list[Process] = field(default_factory=list)
    worker_processes: list[Process] = field(default_factory=list)
    _sampling: threading.Event = field(default_factory=threading.Event)
    # Kills (fault injection) and restarts (the call closing) come from different threads: one at a time.
    _workers_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def temporal_address(self) -> str:
        assert self.temporal is not None and self.temporal.port is not None
        return f"127.0.0.1:{self.temporal.port}"

    @property
    def web_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p.port}" for p in self.web_processes]

    @property
    def env(self) -> dict[str, str]:
        assert self.idp is not None
        return {
            **os.environ,
            **state_paths(self.state_dir),
            "DATABASE_URL": self.database_url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "IDENTIFICATION": "simulation",
            "SIMULATION_IDP_URL": f"http://127.0.0.1:{self.idp.port}",
            # Every applicant posts from this machine's address: no per-address limit applies.
            "PUBLIC_POST_LIMIT": "",
            # Finance (simulated) starts the payment runs; no daily schedule.
            "PAYMENT_RUN_TIME": "",
            **self._programmes_env(),
            **self.extra_env,
        }

    def _programmes_env(self) -> dict[str, str]:
        if self.programmes_dir is None:
            return {}
        return {"PROGRAMMES_DIR": str(self.programmes_dir), "LOAD_DEMO_PROGRAMMES": "false"}

    def start(self) -> None:
        (self.state_dir / "logs").mkdir(parents=True, exist_ok=True)
        python = sys.executable
        temporal_port = free_port()
        command = temporal_dev_server_command(temporal_port, free_port(), str(self.state_dir / "temporal.db"))
        self.temporal = Process("temporal", command, temporal_port)
        idp_port = free_port()
        self.idp = Process("idp", [python, "-m", "runtime", "idp-sim", "--port", str(idp_port)], idp_port)
        # The web processes' links point at the first one (what a load balancer's address would be).
        web_ports = [free_port() for _ in range(self.webs)]
        self.extra_env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{web_ports[0]}")
        self.web_processes = [
            Process(f"web-{i + 1}", [python, "-m", "runtime", "web", "--port", str(port)], port)
            for i, port in enumerate(web_ports)
        ]
        self.worker_processes = [
            Process(f"worker-{i + 1}", [python, "-m", "runtime", "worker"]) for i in range(self.workers)
        ]
        for process in [self.temporal, self.idp, *self.web_processes, *self.worker_processes]:
            self._start(process)
            if process.port is not None:
                wait_for_port("127.0.0.1", process.port, timeout=60)
        threading.Thread(target=self._sample, daemon=True).start()

    def _start(self, process: Process) -> None:
        process.start(self.env, self.state_dir / "logs" / f"{process.name}.log")

    def kill_worker(self, index: int = 0) -> None:
        """SIGKILL: no clean shutdown, the activities it held are lost with it."""
        with self._workers_lock:
            self.worker_processes[index].stop(signal.SIGKILL)

    def start_worker(self, index: int = 0) -> None:
        with self._workers_lock:
            process = self.worker_processes[index]
            if process.popen is None or process.popen.poll() is not None:
                self._start(process)

    def restart_workers(self) -> None:
        """As a deployment does when a programme's settings change: each worker stopped cleanly and started."""
        with self._workers_lock:
            for process in self.worker_processes:
                process.stop()
                self._start(process)

    def peak_memory_mb(self) -> dict[str, float]:
        return {p.name: round(p.peak_mb, 1) for p in self._all()}

    def _all(self) -> list[Process]:
        parts = [self.temporal, self.idp, *self.web_processes, *self.worker_processes]
        return [p for p in parts if p is not None]

    def _sample(self) -> None:
        while not self._sampling.is_set():
            for process in self._all():
                process.sample()
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._sampling.set()
        # Web → worker → Temporal, so nothing retries into a part that is already gone.
        with self._workers_lock:
            for process in [*self.web_processes, *self.worker_processes, self.idp, self.temporal]:
                if process is not None:
                    process.stop()
