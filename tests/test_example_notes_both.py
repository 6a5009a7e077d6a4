"""The two notes apps answer alike: one session run on both, step by step.

``examples/notes`` (views take the request) and ``examples/notes_flask``
(the same site on ``microweb.compat``, Flask-style) each get a test
client; every request goes to both, and their answers are compared:

- the status;
- every header but ``Date`` and ``Set-Cookie`` (``Location``,
  ``Allow``, ``Vary``, ``Content-Type``, the static file's ``ETag`` and
  ``Cache-Control``...), ``Content-Length`` only for being there: a
  CSRF token's length varies (it is compressed when that is shorter),
  so each side's length is checked against its own body instead;
- the body, after putting a placeholder where a value is per session
  by design: the CSRF token of each form (random per session, signed
  with a timestamp) and SQLite's timestamps (a note written at the
  turn of a second may get a different one in each app);
- each ``Set-Cookie``: its name, its attributes (``Path``, ``HttpOnly``,
  ``SameSite``, ``Secure``; for ``Expires`` and ``Max-Age`` whether they
  are there, as their values are times) and the session it holds,
  decoded with the app's own serializer. The raw values differ even for
  equal sessions, as their signatures carry a timestamp; the decoded
  sessions must be equal but for the random ``_csrf_token`` value.

``test_example_notes.py`` runs each of its tests on each app; this test
is the proof that they are not merely both right but the same.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
import typing as t
from pathlib import Path

import pytest

from microweb import App
from microweb.compat import Flask
from microweb.sessions import SecureCookieSessionInterface
from microweb.testing import TestClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import notes  # noqa: E402  # the examples are packages in examples/
import notes_flask  # noqa: E402

PASSWORD = "correct horse battery"

TOKEN_FIELD = re.compile(r'(name="csrf_token" value=")[^"]+(")')
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?")
#: The attributes of a cookie whose value is a time: only their presence is compared.
TIME_ATTRIBUTES = {"expires", "max-age"}


def normalize(body: str) -> str:
    body = TOKEN_FIELD.sub(r"\1<csrf token>\2", body)
    return TIMESTAMP.sub("<time>", body)


@dataclasses.dataclass
class Side:
    """One app, one of its clients, and the CSRF token of the last page it got."""

    name: str
    app: App
    client: TestClient
    token: str = ""

    def cookies(self, headers: list[str]) -> list[tuple[str, t.Any, dict[str, str | None]]]:
        """Each ``Set-Cookie`` as its name, its decoded value and its attributes."""
        found = []
        for header in headers:
            pair, *attributes = header.split("; ")
            name, _, value = pair.partition("=")
            flags: dict[str, str | None] = {}
            for attribute in attributes:
                key, _, flag = attribute.partition("=")
                key = key.lower()
                flags[key] = "<time>" if key in TIME_ATTRIBUTES else flag
            found.append((name, self.session(name, value), flags))
        return found

    def session(self, name: str, value: str) -> t.Any:
        """The contents of the session cookie, with the CSRF secret made a placeholder."""
        if name != self.app.config["SESSION_COOKIE_NAME"] or not value:
            return value
        interface = t.cast(SecureCookieSessionInterface, self.app.session_interface)
        serializer = interface.get_signing_serializer(self.app)
        assert serializer is not None  # the apps have a secret key
        data = dict(serializer.loads(value))
        if "_csrf_token" in data:
            data["_csrf_token"] = "<random>"
        return data


Request = t.Callable[[Side], t.Any]


class Lockstep:
    """Sends each request to both apps and fails on the first difference."""

    def __init__(self, explicit: Side, flask_style: Side) -> None:
        self.sides = (explicit, flask_style)
        #: How many requests each app answered, and how many sessions were compared.
        self.steps = self.sessions = 0

    def __call__(self, step: str, send: Request, status: int) -> t.Any:
        """Send ``send(side)`` to each side; return the explicit app's response.

        :param status: The status both must answer with.
        """
        self.steps += 1
        responses = [send(side) for side in self.sides]
        (a, b), (left, right) = self.sides, responses
        where = f"step {self.steps}, {step}"
        assert left.status_code == right.status_code == status, where
        assert self.headers(left) == self.headers(right), where
        for response in responses:
            if response.content_length is not None and response.request.method != "HEAD":
                assert response.content_length == len(response.get_data()), where
        bodies = [normalize(r.get_data(as_text=True)) for r in responses]
        if left.mimetype == "application/json":
            # The same JSON: Flask's provider sorts an object's keys, the
            # explicit app keeps the view's order, which JSON leaves open.
            assert json.loads(bodies[0]) == json.loads(bodies[1]), where
        else:
            assert bodies[0] == bodies[1], where
        cookies = a.cookies(left.headers.getlist("Set-Cookie"))
        assert cookies == b.cookies(right.headers.getlist("Set-Cookie")), where
        self.sessions += sum(isinstance(value, dict) for _, value, _ in cookies)
        for side, response in zip(self.sides, responses):
            page = response.get_data(as_text=True)
            match = TOKEN_FIELD.search(page)
            if match:
                side.token = page[match.end(1) : match.start(2)]
        return left

    @staticmethod
    def headers(response: t.Any) -> list[tuple[str, str]]:
        return sorted(
            (key, "<length>" if key == "Content-Length" else value)
            for key, value in response.headers.items()
            if key not in {"Date", "Set-Cookie"}
        )

    def get(self, path: str, status: int = 200) -> t.Any:
        return self(f"GET {path}", lambda side: side.client.get(path), status)

    def form(
        self, path: str, data: dict[str, str] | None = None, *, status: int, token: bool = True
    ) -> t.Any:
        """POST a form, with each side's own CSRF token unless *token* is false."""

        def send(side: Side) -> t.Any:
            form = dict(data or {})
            if token:
                form["csrf_token"] = side.token
            return side.client.post(path, data=form)

        return self(f"POST {path} {data or {}}", send, status)

    def open(self, method: str, path: str, *, status: int, **kwargs: t.Any) -> t.Any:
        return self(
            f"{method} {path} {kwargs}",
            lambda side: side.client.open(path, method=method, **kwargs),
            status,
        )


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notes-both")
    path = folder / "empty.db"
    notes.db.init_db(str(path))
    return path


def make_app(factory: t.Callable[..., App], database: Path, instance: Path) -> App:
    # The same key for both: a difference in the sessions is then in what
    # they hold, not in how they are signed.
    return factory(
        {
            "TESTING": True,
            "DATABASE": str(database),
            "SECRET_KEY": "one key for both",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=str(instance),
    )


@pytest.fixture
def apps(tmp_path: Path, empty_database: Path) -> tuple[App, App]:
    made = []
    for name, factory in [("explicit", notes.create_app), ("flask", notes_flask.create_app)]:
        database = tmp_path / name / "notes.db"
        database.parent.mkdir()
        shutil.copyfile(empty_database, database)
        made.append(make_app(factory, database, tmp_path / name / "instance"))
    return made[0], made[1]


def pair(apps: tuple[App, App]) -> Lockstep:
    explicit, flask_style = apps
    assert not isinstance(explicit, Flask)
    assert isinstance(flask_style, Flask)
    return Lockstep(
        Side("explicit", explicit, explicit.test_client()),
        Side("flask-style", flask_style, flask_style.test_client()),
    )


def test_one_session_on_both_apps(apps: tuple[App, App]) -> None:
    step = pair(apps)

    # Logged out: the static file, the 404 pages, the guards.
    assert step.get("/static/style.css").mimetype == "text/css"
    step.get("/static/nothing.css", 404)
    step.get("/no/such/page", 404)
    assert step.get("/", 302).headers["Location"] == "/auth/login"
    step.open("HEAD", "/", status=302)
    step.get("/notes/1/edit", 302)
    step.get("/api/notes", 401)
    step.open("DELETE", "/api/notes/1", status=401)
    step.open("POST", "/api/notes", data="x", content_type="text/plain", status=401)
    step.form("/notes/new", {"title": "t", "body": "b"}, token=False, status=302)

    # Registering: the form, its refusals, then an account.
    step.get("/auth/register")
    step.form("/auth/register", {"username": "a b", "password": "short"}, status=400)
    step.form("/auth/register", {"username": "ann"}, token=False, status=400)
    account = {"username": "ann", "password": PASSWORD}
    assert step.form("/auth/register", account, status=302).headers["Location"] == "/auth/login"
    assert "Welcome, ann!" in step.get("/auth/login").text
    step.form("/auth/register", {"username": "ANN", "password": PASSWORD}, status=400)

    # Logging in: a refusal, then a session.
    step.get("/auth/login")
    step.form("/auth/login", {"username": "ann", "password": "wrong!!!"}, status=400)
    step.form("/auth/login", account, status=302)
    assert "Hello, ann." in step.get("/").text

    # Notes through the pages: refusals, then twelve notes over two pages
    # (each new form page shows, and so takes, the last note's flash).
    step.get("/notes/new")
    step.form("/notes/new", {"title": "", "body": ""}, status=400)
    step.form("/notes/new", {"title": "t", "body": "b"}, token=False, status=400)
    for i in range(1, 13):
        step.get("/notes/new")
        step.form("/notes/new", {"title": f"Note {i}", "body": f"Body {i}"}, status=302)
    first = step.get("/")
    assert "Page 1 of 2" in first.text and first.text.count("Note created.") == 1
    assert "Page 2 of 2" in step.get("/?page=2").text
    step.get("/?page=3", 404)
    step.get("/?page=x")

    # Edit and delete.
    step.get("/notes/1/edit")
    step.form("/notes/1/edit", {"title": "", "body": "x"}, status=400)
    step.form("/notes/1/edit", {"title": "Edited", "body": "New"}, status=302)
    assert "Note saved." in step.get("/?page=2").text
    step.get("/notes/2/delete", 405)
    step.form("/notes/2/delete", token=False, status=400)
    step.form("/notes/2/delete", status=302)
    assert "Deleted “Note 2”." in step.get("/?page=2").text
    step.get("/notes/99/edit", 404)
    step.get("/notes/abc/edit", 404)

    # The JSON API: every endpoint and its errors.
    assert step.get("/api/notes").json["total"] == 11
    assert len(step.get("/api/notes?page=2").json["notes"]) == 1
    step.get("/api/notes?page=3", 404)
    created = step.open("POST", "/api/notes", json={"title": "API", "body": "made"}, status=201)
    url = created.json["url"]
    assert step.get(url).json["title"] == "API"
    step.open("PUT", url, json={"title": "Put", "body": "whole"}, status=200)
    step.open("PATCH", url, json={"body": "patched"}, status=200)
    step.open("PUT", url, json={"body": "no title"}, status=400)
    step.open("POST", "/api/notes", json=[1, 2], status=400)
    step.open("POST", "/api/notes", data="{not json", content_type="application/json", status=400)
    step.open("POST", "/api/notes", data="title=x", content_type="text/plain", status=415)
    too_big = {"title": "t", "body": "x" * 300_000}
    step.open("POST", "/api/notes", json=too_big, status=413)
    step.open("POST", url, json={}, status=405)
    step.get("/api/nothing", 404)
    step.open("DELETE", url, status=204)
    step.get(url, 404)
    step.open("DELETE", url, status=404)

    # Another user: ann's notes are forbidden to bob, on the pages and the API.
    bob = pair(apps)
    bob.get("/auth/register")
    bob.form("/auth/register", {"username": "bob", "password": PASSWORD}, status=302)
    bob.get("/auth/login")
    bob.form("/auth/login", {"username": "bob", "password": PASSWORD}, status=302)
    bob.get("/notes/1/edit", 403)
    bob.get("/")
    bob.form("/notes/1/delete", status=403)
    bob.get("/api/notes/1", 403)
    bob.open("PATCH", "/api/notes/1", json={"title": "bob's"}, status=403)
    assert bob.get("/api/notes").json["notes"] == []

    # Logging out: a GET is refused, a POST with the token logs out.
    step.get("/auth/logout", 405)
    step.get("/")
    assert step.form("/auth/logout", status=302).headers["Location"] == "/auth/login"
    assert "You are logged out." in step.get("/auth/login").text
    step.get("/api/notes", 401)
    step.get("/", 302)
    # The sessions compared: every step that set the cookie.
    assert (step.steps, bob.steps) == (84, 10)
    assert step.sessions >= 30 and bob.sessions >= 5
