"""Servers that tests start: on 127.0.0.1, on a free port, stopped by their PID.

``tests/test_servers.py`` (gunicorn, waitress, the development server),
``tests/test_browser.py`` and ``tests/test_example_notes_gunicorn.py`` all
start one this way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import typing as t
from pathlib import Path

import pytest

import microweb

#: How long a server may take to start answering.
START_TIMEOUT = 20.0


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environ(**variables: str) -> dict[str, str]:
    """The environment for a server process, plus *variables*.

    The server imports the microweb these tests import, not another one.
    """
    root = str(Path(microweb.__file__).resolve().parent.parent)
    environ = {**os.environ, **variables}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environ.get("PYTHONPATH")]))
    return environ


class ServerProcess:
    """A server process for the tests.

    :param name: What it is, for the failure message.
    :param command: Makes the command line for a port.
    :param output: Where the server's own output goes.
    :param environ: Its environment; see :func:`server_environ`.
    :param ready: Tells, given the port, whether the server answers yet
        (once it accepts connections its workers may still be loading the
        app); by default accepting a connection is enough.
    """

    def __init__(
        self,
        name: str,
        command: t.Callable[[int], list[str]],
        output: Path,
        environ: dict[str, str],
        ready: t.Callable[[int], bool] | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.output = output
        self.environ = environ
        self.ready = ready
        #: The port it listens on, once started.
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait, a bounded time, until it answers."""
        # A free port may be taken again before the server binds it: retry.
        for _ in range(3):
            self.port = free_port()
            with self.output.open("ab") as output:
                self.process = subprocess.Popen(
                    self.command(self.port),
                    env=self.environ,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_until_ready():
                return
            self.stop()
        pytest.fail(f"{self.name} did not start:\n{self.log()}")

    def _wait_until_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if self.ready is None or self.ready(self.port):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log(self) -> str:
        """What the server printed."""
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
