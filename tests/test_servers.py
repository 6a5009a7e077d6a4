"""The hostile-input table over HTTP, through gunicorn, waitress and werkzeug's development server.

Some bad input only gets through a real server: gunicorn passes on a body
cut short as complete and raises its own errors from a malformed chunked
body. Each server is started once for the session, on 127.0.0.1 and a
free port, with ``tests/servers/hostile_app.py``, and stopped by its PID.
The requests are written on raw sockets, since some of them no client
library would send: a malformed chunk size, a body shorter than its
``Content-Length`` followed by the client closing its side.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import typing as t
from pathlib import Path

import pytest
from servers.hostile_app import make_root
from servers.process import ServerProcess, server_environ
from test_hostile_input import CASES, Case, check_answer, cut_short, mount_of

SERVERS = ["gunicorn", "waitress", "werkzeug"]
HERE = Path(__file__).parent
#: How long a request may take; none should take more than a moment.
REQUEST_TIMEOUT = 10.0

#: What a server answers itself, before the app sees the request, by server
#: and case: its limits on the request line and on a header, and raw bytes
#: that are not ASCII in the query. Any other answer must be the app's.
SERVER_REFUSES: dict[tuple[str, str], set[int]] = {
    ("gunicorn", "very long URL"): {414},
    ("gunicorn", "converter overflow"): {414},
    ("gunicorn", "huge cookie"): {431},
    ("gunicorn", "invalid UTF-8 in the query"): {400},
    ("waitress", "invalid UTF-8 in the query"): {400},
    ("werkzeug", "very long URL"): {414},
    ("werkzeug", "huge cookie"): {431},
}


def command(kind: str, port: int) -> list[str]:
    """The command that serves the hostile site with server *kind* on *port*."""
    if kind == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--graceful-timeout", "1",
            "--no-control-socket",
            "hostile_app:create_site()",
        ]  # fmt: skip
    if kind == "waitress":
        return [
            sys.executable, "-m", "waitress",
            f"--listen=127.0.0.1:{port}",
            "--call", "hostile_app:create_site",
        ]  # fmt: skip
    return [sys.executable, "-m", "hostile_app", str(port)]


class Server:
    """A server started for the tests, and the requests sent to it."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind = kind
        #: Where the views record what they were handed, one JSON line each.
        self.log = root / f"{kind}.jsonl"
        self.log.touch()
        environ = server_environ(HOSTILE_ROOT=str(root), HOSTILE_LOG=str(self.log))
        environ["PYTHONPATH"] = os.pathsep.join([str(HERE / "servers"), environ["PYTHONPATH"]])
        self.process = ServerProcess(
            kind, lambda port: command(kind, port), root / f"{kind}.out", environ
        )

    @property
    def port(self) -> int:
        return self.process.port

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop()

    def send(self, request: bytes, *, half_close: bool = False) -> tuple[int | None, bytes]:
        """Send *request* and read the answer.

        :param half_close: Close the sending side after the request, as a
            client that gave up on its body does.
        :return: The status and body, or ``None`` and ``b""`` if the
            server closed the connection without answering.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=REQUEST_TIMEOUT) as sock:
            try:
                sock.sendall(request)
                if half_close:
                    sock.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                # The server answered before reading the whole body (a 413)
                # and closed: the answer is still there to read.
                pass
            response = http.client.HTTPResponse(sock)
            try:
                response.begin()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError):
                return None, b""
            finally:
                response.close()

    def get(self, path: str) -> tuple[int | None, bytes]:
        return self.send(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())

    def records(self) -> list[dict[str, t.Any]]:
        """What the views were handed since :meth:`forget`."""
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def forget(self) -> None:
        self.log.write_text("")


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Server]:
    root = make_root(tmp_path_factory.mktemp("hostile"))
    server = Server(request.param, root)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def http_request(case: Case) -> tuple[bytes, bool]:
    """The bytes that make the server build *case*'s environ.

    :return: The request, and whether the client then closes its side
        because the body is shorter than its length.
    """
    if case.raw is not None:
        return case.raw, False
    env = case.env
    headers = [f"Host: {env['HTTP_HOST']}", "Connection: close"]
    for key, value in env.items():
        if key.startswith("HTTP_") and key != "HTTP_HOST":
            headers.append(f"{key[5:].replace('_', '-').title()}: {value}")
    if env.get("CONTENT_TYPE"):
        headers.append(f"Content-Type: {env['CONTENT_TYPE']}")
    body = env["wsgi.input"].getvalue()
    length = env.get("CONTENT_LENGTH")
    if length:
        headers.append(f"Content-Length: {length}")
    elif env.get("wsgi.input_terminated") and body:
        headers.append("Transfer-Encoding: chunked")
        body = b"".join(
            b"%x\r\n%s\r\n" % (len(body[i : i + 8192]), body[i : i + 8192])
            for i in range(0, len(body), 8192)
        ) + b"0\r\n\r\n"
    head = f"{env['REQUEST_METHOD']} {env['RAW_URI']} HTTP/1.1\r\n" + "".join(
        f"{header}\r\n" for header in headers
    )
    return head.encode("latin1") + b"\r\n" + body, cut_short(env)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_over_http(server: Server, case: Case) -> None:
    request, half_close = http_request(case)
    server.forget()
    code, body = server.send(request, half_close=half_close)
    if code in SERVER_REFUSES.get((server.kind, case.name), ()):
        # The server's own answer: the app never saw the request.
        assert server.records() == []
    else:
        check_answer(case, code, body, server.records())

    mount = mount_of(case.env["PATH_INFO"])
    assert server.get(mount + "/ok") == (200, b"ok")
