"""The worker's PDF rendering processes end with the worker, even when it is killed with SIGKILL, and hold
WeasyPrint and little else."""

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


# What a renderer has imported once it has rendered a letter, asked through the pool itself: `eval` is a builtin,
# so submitting it makes the renderer import nothing more. Run as `python -m runtime worker` runs it: a main
# module multiprocessing does not re-import (here `-c`; there a package's __main__).
HEAVY = ("temporalio", "sqlalchemy", "sqlmodel", "fastapi", "pydantic_settings", "activities", "workflows", "web")
RENDERER = f"""
from runtime.worker import pdf_pool
from core.pdf import render_pdf
with pdf_pool() as pool:
    pool.submit(render_pdf, "<p>Hei</p>").result()
    probe = "sorted({{m.split('.')[0] for m in __import__('sys').modules}} & set({HEAVY!r}))"
    print(pool.submit(eval, probe).result())
"""


def test_a_rendering_process_imports_no_database_temporal_or_web_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RENDERER], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.strip() == "[]"


def test_the_command_line_runs_as_a_package_main() -> None:
    """`python -m runtime` is the `grantdesk` command (how compose, `grantdesk dev` and the simulator start it)."""
    done = subprocess.run(
        [sys.executable, "-m", "runtime", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0 and "grantdesk" in done.stdout and "worker" in done.stdout
