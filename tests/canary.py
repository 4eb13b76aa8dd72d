"""A listening socket that counts every connection made to it: put its address in input, and any fetch of it
(a PDF renderer following an image, a preview of a link, a webhook) shows up as a count above zero."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Canary:
    port: int
    connections: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def canary() -> Iterator[Canary]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    found = Canary(port=server.getsockname()[1])
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            found.connections.append(f"{address[0]}:{address[1]}")
            connection.close()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()
        server.close()
