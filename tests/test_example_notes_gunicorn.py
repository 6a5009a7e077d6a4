"""The notes example under gunicorn with two workers: one site, not two.

The guestbook it replaces kept its entries in a list per process and made
a random key per worker, so behind two workers half of its posts failed
their CSRF check and each worker showed its own list. Here gunicorn starts
the app with nothing configured (no key, no database), so both workers
make them at the same moment; then every request goes over a new
connection, and the access log, which names the worker that answered,
shows that both workers read the same user, the same notes and the same
session, and accept the same CSRF token.
"""

from __future__ import annotations

import http.client
import http.cookies
import json
import re
import sys
import typing as t
import urllib.parse
from pathlib import Path

import pytest
from servers.process import ServerProcess, server_environ

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REQUEST_TIMEOUT = 10.0
#: At most this many rounds of requests to see both workers answer.
MAX_ROUNDS = 60


class Browser:
    """A client that keeps the session cookie and opens a new connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        json_body: t.Any = None,
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Connection": "close"}
        body: bytes | None = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            connection.close()


def token_in(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture(params=["notes", "notes_flask"], ids=["explicit", "flask-style"])
def server(tmp_path: Path, request: pytest.FixtureRequest) -> t.Iterator[tuple[int, Path, Path]]:
    """gunicorn serving the notes app (or its Flask-style twin) with two
    workers; stopped by its PID."""
    package = request.param
    instance = tmp_path / "instance"
    access_log = tmp_path / "access.log"
    environ = server_environ()
    environ.pop("NOTES_SECRET_KEY", None)

    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(EXAMPLES),
            "--workers", "2",
            "--bind", f"127.0.0.1:{port}",
            "--graceful-timeout", "2",
            "--no-control-socket",
            "--access-logfile", str(access_log),
            # %(p)s is the pid of the worker that answered.
            "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
            f"{package}:create_app(None, instance_path={str(instance)!r})",
        ]  # fmt: skip

    def answers(port: int) -> bool:
        # Listening; the workers may still be importing the app.
        try:
            return Browser(port).request("GET", "/auth/login")[0] == 200
        except (OSError, http.client.HTTPException):
            return False

    with ServerProcess(
        "gunicorn serving the notes app", command, tmp_path / "gunicorn.out", environ, answers
    ) as gunicorn:
        yield gunicorn.port, instance, access_log


def workers(access_log: Path, method: str, path: str, status: int) -> set[str]:
    """The pids of the workers that answered *method* *path* with *status*."""
    pids = set()
    for line in access_log.read_text().splitlines():
        pid, m, p, s = line.split()
        if (m, p, s) == (method, path, str(status)):
            pids.add(pid)
    return pids


def test_two_workers_serve_one_site(server: tuple[int, Path, Path]) -> None:
    port, instance, access_log = server
    ann = Browser(port)

    _, _, page = ann.request("GET", "/auth/register")
    status, headers, _ = ann.request(
        "POST",
        "/auth/register",
        form={"username": "ann", "password": "correct horse", "csrf_token": token_in(page)},
    )
    assert (status, headers["Location"]) == (302, "/auth/login")
    _, _, page = ann.request("GET", "/auth/login")
    status, headers, _ = ann.request(
        "POST",
        "/auth/login",
        form={"username": "ann", "password": "correct horse", "csrf_token": token_in(page)},
    )
    assert (status, headers["Location"]) == (302, "/")
    status, _, _ = ann.request("POST", "/api/notes", json_body={"title": "Shared", "body": "x"})
    assert status == 201

    # One token, from whichever worker answered, for every POST below.
    _, _, page = ann.request("GET", "/")
    token = token_in(page)
    created = 1
    for round_ in range(1, MAX_ROUNDS + 1):
        status, _, page = ann.request("GET", "/")
        assert status == 200
        assert '<span id="current-user">ann</span>' in page
        assert "<h2>Shared</h2>" in page
        form = {"title": f"Note {round_}", "body": "x", "csrf_token": token}
        status, headers, page = ann.request("POST", "/notes/new", form=form)
        assert (status, headers.get("Location")) == (302, "/"), page
        created += 1
        if (
            round_ >= 4
            and len(workers(access_log, "GET", "/", 200)) == 2
            and len(workers(access_log, "POST", "/notes/new", 302)) == 2
        ):
            break
    else:
        pytest.fail(f"one worker answered everything:\n{access_log.read_text()}")

    status, _, body = ann.request("GET", "/api/notes")
    assert status == 200
    assert json.loads(body)["total"] == created
    # The workers made one key between them, and no CSRF check failed.
    assert [p.name for p in instance.iterdir() if "secret_key" in p.name] == ["secret_key"]
    assert workers(access_log, "POST", "/notes/new", 400) == set()
