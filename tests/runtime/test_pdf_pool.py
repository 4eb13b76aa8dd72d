"""The worker's PDF rendering processes end with the worker, even when it is killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time

import psutil

from core.settings import PROJECT_ROOT

# A stand-in worker: starts the pool's processes, prints their pids, and waits to be killed.
WORKER = """
import os, time
from runtime.worker import pdf_pool
pool = pdf_pool()
pids = set()
while len(pids) < 2:
    pids |= {f.result() for f in [pool.submit(os.getpid) for _ in range(8)]}
print(*pids, flush=True)
time.sleep(120)
"""


def test_rendering_processes_end_when_the_worker_is_killed() -> None:
    children: list[int] = []
    worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        children = [int(pid) for pid in worker.stdout.readline().split()]
        assert len(children) == 2 and all(psutil.pid_exists(pid) for pid in children)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in children)
    finally:
        worker.kill()
        for pid in filter(_alive, children):  # not left behind when the test fails
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
