"""`grantdesk dev` run as a user runs it: real processes on their own ports, no mocks.

It must use the ports it is given end to end, refuse busy ports, restart a part that dies while the web app
keeps taking applications, take its children along when it is killed, and stop in order web → worker → Temporal.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from runtime.idp_simulation import TEST_PEOPLE
from tests.factories import application
from tests.identification import bearer_over_http

GRANTDESK = Path(sys.executable).parent / "grantdesk"
DEMO_PROGRAMME = "sole-entrepreneur-demo"


def free_ports(count: int) -> list[int]:
    """Ports free now, all different (each socket is held until every one is chosen)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    """A zombie is dead: it only waits for its parent (or init) to read its exit code."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


MATTI = TEST_PEOPLE[1]


class Dev:
    """One `grantdesk dev` process in its own folder, with its output in a log file."""

    def __init__(self, folder: Path, **env: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port, self.temporal_port, self.ui_port, self.idp_port = free_ports(4)
        self.bearer: str | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.log = folder / "dev.log"
        self.env = {
            **os.environ,
            "ENVIRONMENT": "dev",
            "LOAD_DEMO_PROGRAMMES": "true",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Dev":
        command = [
            str(GRANTDESK),
            "dev",
            "--port",
            str(self.port),
            "--temporal-port",
            str(self.temporal_port),
            "--ui-port",
            str(self.ui_port),
            "--idp-port",
            str(self.idp_port),
            "--state-dir",
            str(self.folder),
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        return self

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_running(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while "grantdesk is running" not in self.output:
            assert self.process.poll() is None, f"dev exited with {self.process.returncode}:\n{self.output}"
            assert time.monotonic() < deadline, f"dev did not come up in {timeout} s:\n{self.output}"
            time.sleep(0.2)
        assert httpx.get(f"{self.url}/healthz").status_code == 200

    def children(self) -> dict[str, int]:
        """The supervisor's child processes by part: temporal, worker, web."""
        assert self.process is not None
        pids = [
            int(pid)
            for children in Path(f"/proc/{self.process.pid}/task").glob("*/children")
            for pid in children.read_text().split()
        ]
        found = {}
        for pid in pids:
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if b"start-dev" in argv:
                found["temporal"] = pid
            elif b"worker" in argv:
                found["worker"] = pid
            elif b"idp-sim" in argv:
                found["idp"] = pid
            elif b"web" in argv:
                found["web"] = pid
        return found

    def wait_for_child(self, name: str, other_than: int | None = None, timeout: float = 30) -> int:
        wait_until(lambda: self.children().get(name, other_than) != other_than, timeout, f"a new {name} process")
        return self.children()[name]

    def submit(self) -> httpx.Response:
        """As the applicant's script would: signed in through the simulated identification service dev runs."""
        # Matti Virtanen owns Toiminimi Virtanen in the demo data dev seeds (its register and Mandates).
        if self.bearer is None:
            self.bearer = bearer_over_http(
                self.url, personal_id=MATTI.personal_id, given_names=MATTI.given_names, surname=MATTI.surname
            )
        return httpx.post(
            f"{self.url}/api/v1/programmes/{DEMO_PROGRAMME}/applications",
            json=application(applicant__personal_id=MATTI.personal_id, applicant__name=MATTI.name),
            headers={"Authorization": f"Bearer {self.bearer}"},
        )

    def wait_assessed(self, status_url: str, timeout: float = 60) -> None:
        token = status_url.rsplit("/", 1)[1]
        statuses: list[str] = []

        def assessed() -> bool:
            statuses.append(httpx.get(f"{self.url}/api/v1/status/{token}").json()["status"])
            return statuses[-1] == "assessed"

        try:
            wait_until(assessed, timeout, "the application to be assessed")
        except AssertionError:
            raise AssertionError(f"last status {statuses[-1:]}; dev output:\n{self.output}") from None

    def close(self) -> None:
        """Whatever a test left running goes: SIGTERM, then SIGKILL (the children follow the supervisor)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """One running instance shared by the tests that leave it running (the last one stops it)."""
    # A user's own TEMPORAL_ADDRESS and PUBLIC_BASE_URL must not win over dev's ports; other settings pass
    # through (a short outbox poll makes the wait after a Temporal restart short).
    instance = Dev(
        tmp_path_factory.mktemp("dev"),
        TEMPORAL_ADDRESS="127.0.0.1:1",
        PUBLIC_BASE_URL="http://wrong.invalid",
        OUTBOX_POLL_SECONDS="0.5",
    ).start()
    try:
        instance.wait_running()
        yield instance
    finally:
        instance.close()


def test_an_application_goes_through_temporal_on_the_chosen_port(dev: Dev) -> None:
    response = dev.submit()
    assert response.status_code == 201, response.text
    status_url = response.json()["status_url"]
    assert status_url.startswith(f"http://localhost:{dev.port}/status/")
    dev.wait_assessed(status_url)
    # Everything it wrote is under --state-dir: the databases, and the receipt e-mail in its outbox.
    assert (dev.folder / "grantdesk.db").exists() and (dev.folder / "temporal.db").exists()
    wait_until(lambda: any((dev.folder / "outbox").glob("*.eml")), 20, "the receipt in the state folder's outbox")


def test_the_web_app_takes_applications_while_temporal_restarts(dev: Dev) -> None:
    temporal = dev.children()["temporal"]
    os.kill(temporal, signal.SIGKILL)
    wait_until(lambda: not alive(temporal) and not answers(dev.temporal_port), 10, "temporal to go")

    assert httpx.get(f"{dev.url}/healthz").status_code == 200
    response = dev.submit()
    assert response.status_code == 201, response.text
    assert not answers(dev.temporal_port), "temporal came back before the application was sent"

    dev.wait_for_child("temporal", other_than=temporal)
    wait_until(lambda: answers(dev.temporal_port), 30, "the restarted temporal")
    dev.wait_assessed(response.json()["status_url"])
    assert "temporal was killed by SIGKILL; restarting it" in dev.output
    assert dev.process is not None and dev.process.poll() is None


def test_sigint_stops_web_then_worker_then_temporal(dev: Dev) -> None:
    assert dev.process is not None
    children = dev.children()
    assert set(children) == {"temporal", "worker", "web", "idp"}
    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(timeout=45) == 0, dev.output
    output = dev.output
    stops = [output.find(f"stopped {name}") for name in ("web", "idp", "worker", "temporal")]
    assert -1 not in stops and stops == sorted(stops), output
    assert not any(alive(pid) for pid in children.values())


@pytest.mark.parametrize("busy", ["port", "temporal_port", "ui_port", "idp_port"])
def test_a_busy_port_is_refused_before_anything_starts(tmp_path: Path, busy: str) -> None:
    instance = Dev(tmp_path)
    port = getattr(instance, busy)
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", port))
        occupant.listen()
        instance.start()
        assert instance.process is not None
        try:
            assert instance.process.wait(timeout=20) == 2
        finally:
            instance.close()
        option = "--" + busy.replace("_", "-")
        assert f"port {port} is already in use" in instance.output
        assert f"choose another with {option}" in instance.output
        assert "grantdesk is running" not in instance.output
        # Nothing was started: no Temporal on its port, no state written.
        others = {instance.port, instance.temporal_port, instance.ui_port, instance.idp_port} - {port}
        assert not any(answers(p) for p in others)
        assert not (tmp_path / "temporal.db").exists()
        assert not (tmp_path / "grantdesk.db").exists()


def test_children_exit_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    instance = Dev(tmp_path).start()
    try:
        instance.wait_running()
        children = instance.children()
        assert set(children) == {"temporal", "worker", "web", "idp"}
        assert instance.process is not None
        instance.process.kill()
        instance.process.wait()
        wait_until(lambda: not any(alive(pid) for pid in children.values()), 10, "the children to exit")
        assert not answers(instance.port) and not answers(instance.temporal_port)
    finally:
        instance.close()


def test_a_part_that_keeps_failing_stops_dev_with_an_error(tmp_path: Path) -> None:
    # A budget of one restart: the worker's second death is one too many.
    instance = Dev(tmp_path, GRANTDESK_DEV_MAX_RESTARTS="1").start()
    try:
        instance.wait_running()
        assert instance.process is not None
        worker = instance.children()["worker"]
        os.kill(worker, signal.SIGKILL)
        worker = instance.wait_for_child("worker", other_than=worker)
        os.kill(worker, signal.SIGKILL)
        assert instance.process.wait(timeout=45) == 1, instance.output
    finally:
        instance.close()
    output = instance.output
    assert "worker was killed by SIGKILL; restarting it" in output
    assert "worker keeps failing" in output
    stops = [output.find(f"stopped {name}") for name in ("web", "idp", "worker", "temporal")]
    assert -1 not in stops and stops == sorted(stops), output
    assert not answers(instance.port) and not answers(instance.temporal_port)
