"""The notes example through the test client, in both of its styles.

Every test here runs twice (ids ``explicit`` and ``flask-style``): on
``examples/notes``, whose views take the request, and on
``examples/notes_flask``, the same site written Flask's way on
``microweb.compat``. Every page and API endpoint, the refusals included,
the database's life cycle, the ``init-db`` command and where the secret
key comes from. The UI contract the browser test relies on (ids, classes,
field names) is checked here too, so a change to a template fails fast,
without Chromium. ``test_example_notes_both.py`` runs one session on the
two apps side by side and compares every answer.
"""

from __future__ import annotations

import concurrent.futures
import html.parser
import http.client
import os
import re
import shutil
import sqlite3
import stat
import sys
import typing as t
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from microweb import App
from microweb.cli import cli
from microweb.compat import Flask
from microweb.testing import TestClient

from servers.process import ServerProcess, server_environ

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import notes  # noqa: E402  # the example is a package in examples/
import notes.db  # noqa: E402
import notes_flask  # noqa: E402  # the same site, Flask-style
import notes_flask.db  # noqa: E402
from notes import instance_secret_key  # noqa: E402

#: The two apps every test runs on, and their test ids.
EXAMPLES_BY_STYLE = [notes, notes_flask]
STYLE_IDS = ["explicit", "flask-style"]

PASSWORD = "correct horse battery"


# -- reading pages -------------------------------------------------------------


class Element(t.NamedTuple):
    tag: str
    attrs: dict[str, str]
    text: str


class _Collector(html.parser.HTMLParser):
    """Every element of a page with its attributes and text content."""

    VOID = {"input", "meta", "link", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.open: list[tuple[str, dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in self.VOID:
            self.elements.append(Element(tag, values, ""))
        else:
            self.open.append((tag, values, []))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, values, parts = self.open.pop()
            text = "".join(parts)
            self.elements.append(Element(name, values, text))
            if self.open:
                self.open[-1][2].append(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)


def find(page: str, tag: str, **attrs: str) -> list[Element]:
    """Return the *tag* elements of *page* whose attributes have these values.

    ``class_="note"`` matches an element that has the class ``note``.
    """
    collector = _Collector()
    collector.feed(page)
    found = []
    for element in collector.elements:
        if element.tag != tag:
            continue
        ok = True
        for name, value in attrs.items():
            name = name.rstrip("_")
            if name == "class":
                ok = ok and value in element.attrs.get("class", "").split()
            else:
                ok = ok and element.attrs.get(name) == value
        if ok:
            found.append(element)
    return found


def one(page: str, tag: str, **attrs: str) -> Element:
    found = find(page, tag, **attrs)
    assert len(found) == 1, f"{len(found)} <{tag} {attrs}> in the page"
    return found[0]


def csrf_token(page: str) -> str:
    return find(page, "input", name="csrf_token")[0].attrs["value"]


def flashes(page: str) -> list[str]:
    return [e.text for e in find(page, "p", class_="flash")]


def errors(page: str) -> list[str]:
    return [e.text for e in find(page, "p", class_="error")]


def form_block(page: str, action: str) -> str:
    """The HTML of the form posting to *action*."""
    match = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert match, f"no form posting to {action}"
    return match.group(0)


# -- fixtures ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(notes.SECRET_KEY_ENV, raising=False)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "notes.db"


@pytest.fixture(scope="module", params=EXAMPLES_BY_STYLE, ids=STYLE_IDS)
def example(request: pytest.FixtureRequest) -> ModuleType:
    """The example package: ``notes`` (explicit) or ``notes_flask`` (Flask-style)."""
    return t.cast(ModuleType, request.param)


@pytest.fixture(scope="module")
def create_app(example: ModuleType) -> t.Callable[..., App]:
    """The example's ``create_app``: both take the same arguments."""
    return t.cast("t.Callable[..., App]", example.create_app)


@pytest.fixture(scope="module")
def shared_app(
    create_app: t.Callable[..., App], tmp_path_factory: pytest.TempPathFactory
) -> App:
    """One app for the module's tests (one per style): its templates and rules are compiled once.

    The database it makes on start is the empty one each test copies.
    """
    folder = tmp_path_factory.mktemp("notes")
    return create_app(
        {
            "TESTING": True,
            "DATABASE": str(folder / "empty.db"),
            "SECRET_KEY": "test key",
            # scrypt takes 0.15 s a hash; these tests hash dozens.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=str(folder / "instance"),
    )


@pytest.fixture
def app(shared_app: App, database: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    """The app, with a new empty database of its own for each test."""
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared_app.config["DATABASE"], database)
    monkeypatch.setitem(shared_app.config, "DATABASE", str(database))
    return shared_app


@pytest.fixture
def client(app: App) -> TestClient:
    return app.test_client()


def register(client: TestClient, username: str, password: str = PASSWORD) -> t.Any:
    token = csrf_token(client.get("/auth/register").text)
    return client.post(
        "/auth/register",
        data={"username": username, "password": password, "csrf_token": token},
    )


def login(client: TestClient, username: str, password: str = PASSWORD) -> t.Any:
    token = csrf_token(client.get("/auth/login").text)
    return client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def token_of(client: TestClient) -> str:
    return csrf_token(client.get("/notes/new").text)


def write(client: TestClient, title: str, body: str = "Some text.") -> int:
    response = client.post(
        "/notes/new", data={"title": title, "body": body, "csrf_token": token_of(client)}
    )
    assert response.status_code == 302, response.text
    page = client.get("/").text
    return int(find(page, "article", class_="note")[0].attrs["id"].removeprefix("note-"))


@pytest.fixture
def ann(app: App) -> TestClient:
    """A client logged in as ann."""
    client = app.test_client()
    assert register(client, "ann").status_code == 302
    assert login(client, "ann").status_code == 302
    return client


@pytest.fixture
def bob(app: App) -> TestClient:
    """A client logged in as bob."""
    client = app.test_client()
    assert register(client, "bob").status_code == 302
    assert login(client, "bob").status_code == 302
    return client


# -- logged out ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/?page=2", "/notes/new", "/notes/1/edit"])
def test_pages_need_a_login(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_posts_need_a_login(client: TestClient) -> None:
    token = csrf_token(client.get("/auth/login").text)
    for path in ["/notes/new", "/notes/1/edit", "/notes/1/delete"]:
        response = client.post(path, data={"title": "t", "body": "b", "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == "/auth/login"


def test_logged_out_nav(client: TestClient) -> None:
    page = client.get("/auth/login").text
    one(page, "a", id="login", href="/auth/login")
    one(page, "a", id="register", href="/auth/register")
    assert not find(page, "span", id="current-user")
    assert not find(page, "form", id="logout")
    assert not find(page, "a", id="new-note")


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
def test_account_forms(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    form = form_block(response.text, path)
    one(form, "input", name="username")
    one(form, "input", name="password", type="password")
    one(form, "button", type="submit")
    one(form, "input", type="hidden", name="csrf_token")
    assert 'rel="stylesheet" href="/static/style.css"' in response.text


def test_stylesheet(client: TestClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    # The before-hook leaves the session alone for static files.
    assert "Cookie" not in response.headers.get("Vary", "")


# -- accounts ------------------------------------------------------------------


def test_register_then_login(client: TestClient, database: Path) -> None:
    response = register(client, "ann")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").text
    assert flashes(page) == ["Welcome, ann! Log in to start writing."]

    response = login(client, "ann")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").text
    assert flashes(page) == ["Hello, ann."]
    assert one(page, "span", id="current-user").text == "ann"
    one(page, "a", id="new-note", href="/notes/new")
    one(page, "form", id="logout", method="post", action="/auth/logout")
    logout = form_block(page, "/auth/logout")
    one(logout, "input", name="csrf_token", type="hidden")
    one(logout, "button", type="submit")
    assert not find(page, "a", id="login")

    (password_hash,) = sqlite3.connect(database).execute(
        "SELECT password_hash FROM user WHERE username = 'ann'"
    ).fetchone()
    assert password_hash.startswith("pbkdf2:sha256:1000$")
    assert PASSWORD not in password_hash


def test_password_hash_defaults_to_scrypt(
    create_app: t.Callable[..., App], tmp_path: Path
) -> None:
    app = create_app({"DATABASE": str(tmp_path / "n.db"), "SECRET_KEY": "k"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"


def test_login_is_case_insensitive_and_names_are_unique(client: TestClient) -> None:
    assert register(client, "Ann").status_code == 302
    response = register(client, "ann")
    assert response.status_code == 400
    assert errors(response.text) == ["The name 'ann' is taken; choose another."]
    assert login(client, "ANN").status_code == 302
    assert one(client.get("/").text, "span", id="current-user").text == "Ann"


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("", PASSWORD, ["Choose a username."]),
        ("a b", PASSWORD, ["Use up to 32 letters, digits, dots, dashes or underscores."]),
        ("x" * 33, PASSWORD, ["Use up to 32 letters, digits, dots, dashes or underscores."]),
        ("ann", "short", ["Use at least 8 characters."]),
        ("", "", ["Choose a username.", "Use at least 8 characters."]),
    ],
    ids=["no-name", "space", "long-name", "short-password", "neither"],
)
def test_register_shows_errors_by_the_fields(
    client: TestClient, username: str, password: str, expected: list[str]
) -> None:
    response = register(client, username, password)
    assert response.status_code == 400
    assert errors(response.text) == expected
    # Each error follows its field, which points to it.
    page = response.text
    if "Choose a username." in expected:
        one(page, "input", name="username", **{"aria-describedby": "username-error"})
        assert page.index('id="username-error"') > page.index('name="username"')
    if "Use at least 8 characters." in expected:
        one(page, "input", name="password", **{"aria-invalid": "true"})
        assert page.index('id="password-error"') > page.index('name="password"')
    # What was typed stays, the password does not.
    assert one(page, "input", name="username").attrs["value"] == username
    assert "value" not in one(page, "input", name="password").attrs


@pytest.mark.parametrize(
    ("username", "password"), [("ann", "wrong password"), ("nobody", PASSWORD)]
)
def test_login_refused(client: TestClient, username: str, password: str) -> None:
    register(client, "ann")
    response = login(client, username, password)
    assert response.status_code == 400
    assert errors(response.text) == ["That username and password do not match an account."]
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
def test_account_forms_need_the_csrf_token(client: TestClient, path: str) -> None:
    client.get(path)
    response = client.post(path, data={"username": "ann", "password": PASSWORD})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    # An error page of the site, with its nav.
    one(response.text, "a", id="login")


def test_a_token_from_another_session_is_refused(app: App, client: TestClient) -> None:
    token = csrf_token(app.test_client().get("/auth/register").text)
    client.get("/auth/register")
    response = client.post(
        "/auth/register", data={"username": "ann", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "does not match this session" in response.text


def test_logout(ann: TestClient) -> None:
    token = token_of(ann)
    response = ann.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert flashes(ann.get("/auth/login").text) == ["You are logged out."]
    assert ann.get("/").status_code == 302


def test_logout_needs_a_post_with_the_token(ann: TestClient) -> None:
    assert ann.get("/auth/logout").status_code == 405
    assert ann.post("/auth/logout").status_code == 400
    assert ann.get("/").status_code == 200


def test_a_deleted_account_logs_no_one_in(ann: TestClient, database: Path) -> None:
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM user")
    assert ann.get("/").status_code == 302


def test_session_cookie_flags(client: TestClient) -> None:
    response = client.get("/auth/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# -- notes ---------------------------------------------------------------------


def test_new_note_form(ann: TestClient) -> None:
    page = ann.get("/notes/new").text
    form = form_block(page, "/notes/new")
    one(form, "input", name="title")
    one(form, "textarea", name="body")
    one(form, "button", type="submit")
    one(form, "input", name="csrf_token", type="hidden")


def test_create_list_and_show(ann: TestClient) -> None:
    response = ann.post(
        "/notes/new",
        data={"title": "  Groceries ", "body": "Milk\nEggs", "csrf_token": token_of(ann)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = ann.get("/").text
    assert flashes(page) == ["Note created."]
    (article,) = find(page, "article", class_="note")
    note_id = article.attrs["id"].removeprefix("note-")
    block = page[page.index(f'id="note-{note_id}"') :]
    block = block[: block.index("</article>")]
    assert one(block, "h2").text == "Groceries"
    assert "Milk\nEggs" in block
    one(block, "a", class_="edit", href=f"/notes/{note_id}/edit")
    one(block, "form", class_="delete", method="post", action=f"/notes/{note_id}/delete")
    delete = form_block(block, f"/notes/{note_id}/delete")
    one(delete, "input", name="csrf_token", type="hidden")
    one(delete, "button", type="submit")


def test_notes_are_escaped(ann: TestClient) -> None:
    write(ann, "<script>alert(1)</script>", "<b>bold</b>")
    page = ann.get("/").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("", "text", {"title": "Give the note a title."}),
        ("   ", "text", {"title": "Give the note a title."}),
        ("x" * 121, "text", {"title": "Keep the title under 121 characters."}),
        ("title", "", {"body": "Write something in the note."}),
        ("title", "x" * 10_001, {"body": "Keep the text under 10,001 characters."}),
        ("", "", {"title": "Give the note a title.", "body": "Write something in the note."}),
    ],
    ids=["no-title", "blank-title", "long-title", "no-body", "long-body", "neither"],
)
def test_new_note_shows_errors_by_the_fields(
    ann: TestClient, title: str, body: str, expected: dict[str, str]
) -> None:
    response = ann.post(
        "/notes/new", data={"title": title, "body": body, "csrf_token": token_of(ann)}
    )
    assert response.status_code == 400
    page = response.text
    for field, message in expected.items():
        assert one(page, "p", class_="error", id=f"{field}-error").text == message
        tag = "input" if field == "title" else "textarea"
        element = one(page, tag, name=field)
        assert element.attrs["aria-describedby"] == f"{field}-error"
        assert page.index(f'id="{field}-error"') > page.index(f'name="{field}"')
    assert len(errors(page)) == len(expected)
    # What was typed stays in the form.
    assert one(page, "input", name="title").attrs["value"] == title
    assert one(page, "textarea", name="body").text == body
    assert not find(ann.get("/").text, "article", class_="note")


def test_new_note_needs_the_csrf_token(ann: TestClient) -> None:
    response = ann.post("/notes/new", data={"title": "t", "body": "b"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    response = ann.post("/notes/new", data={"title": "t", "body": "b", "csrf_token": "forged"})
    assert response.status_code == 400
    assert not find(ann.get("/").text, "article", class_="note")


def test_edit(ann: TestClient) -> None:
    note_id = write(ann, "Draft", "First version")
    page = ann.get(f"/notes/{note_id}/edit").text
    form = form_block(page, f"/notes/{note_id}/edit")
    assert one(form, "input", name="title").attrs["value"] == "Draft"
    assert one(form, "textarea", name="body").text == "First version"
    one(form, "button", type="submit")
    one(form, "input", name="csrf_token", type="hidden")

    response = ann.post(
        f"/notes/{note_id}/edit",
        data={"title": "Final", "body": "Second version", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = ann.get("/").text
    assert flashes(page) == ["Note saved."]
    assert one(page, "h2").text == "Final"
    assert "Second version" in page
    assert "First version" not in page


def test_edit_shows_errors(ann: TestClient) -> None:
    note_id = write(ann, "Draft")
    response = ann.post(
        f"/notes/{note_id}/edit", data={"title": "", "body": "x", "csrf_token": token_of(ann)}
    )
    assert response.status_code == 400
    assert errors(response.text) == ["Give the note a title."]
    assert one(ann.get("/").text, "h2").text == "Draft"


def test_edit_needs_the_csrf_token(ann: TestClient) -> None:
    note_id = write(ann, "Draft")
    response = ann.post(f"/notes/{note_id}/edit", data={"title": "Changed", "body": "x"})
    assert response.status_code == 400
    assert one(ann.get("/").text, "h2").text == "Draft"


def test_delete(ann: TestClient) -> None:
    keep = write(ann, "Keep")
    note_id = write(ann, "Throw away")
    response = ann.post(f"/notes/{note_id}/delete", data={"csrf_token": token_of(ann)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = ann.get("/").text
    assert flashes(page) == ["Deleted “Throw away”."]
    assert [a.attrs["id"] for a in find(page, "article", class_="note")] == [f"note-{keep}"]


def test_delete_needs_a_post_with_the_token(ann: TestClient) -> None:
    note_id = write(ann, "Keep")
    assert ann.get(f"/notes/{note_id}/delete").status_code == 405
    assert ann.post(f"/notes/{note_id}/delete").status_code == 400
    assert find(ann.get("/").text, "article", id=f"note-{note_id}")


def test_only_the_owner_may_edit_or_delete(ann: TestClient, bob: TestClient) -> None:
    note_id = write(ann, "Ann's")
    token = token_of(bob)
    response = bob.get(f"/notes/{note_id}/edit")
    assert response.status_code == 403
    assert "This note belongs to someone else." in response.text
    one(response.text, "span", id="current-user")  # a page of the site
    data = {"title": "Bob's now", "body": "x", "csrf_token": token}
    assert bob.post(f"/notes/{note_id}/edit", data=data).status_code == 403
    assert bob.post(f"/notes/{note_id}/delete", data={"csrf_token": token}).status_code == 403
    page = ann.get("/").text
    assert one(page, "h2").text == "Ann's"
    assert not find(bob.get("/").text, "article", class_="note")


def test_missing_notes_are_404(ann: TestClient) -> None:
    token = token_of(ann)
    response = ann.get("/notes/99/edit")
    assert response.status_code == 404
    assert "There is no note 99." in response.text
    data = {"title": "t", "body": "b", "csrf_token": token}
    assert ann.post("/notes/99/edit", data=data).status_code == 404
    assert ann.post("/notes/99/delete", data={"csrf_token": token}).status_code == 404
    assert ann.get("/notes/abc/edit").status_code == 404
    assert ann.get("/no/such/page").status_code == 404


def test_pagination(app: App, ann: TestClient, bob: TestClient, database: Path) -> None:
    write(bob, "Bob's note")
    with sqlite3.connect(database) as db:
        (ann_id,) = db.execute("SELECT id FROM user WHERE username = 'ann'").fetchone()
        db.executemany(
            "INSERT INTO note (author_id, title, body) VALUES (?, ?, ?)",
            [(ann_id, f"Note {i}", f"Body {i}") for i in range(1, 24)],
        )

    def titles(page: str) -> list[str]:
        return [e.text for e in find(page, "h2")]

    first = ann.get("/").text
    assert titles(first) == [f"Note {i}" for i in range(23, 13, -1)]  # newest first
    assert "Page 1 of 3" in first
    assert not find(first, "a", class_="prev")
    assert one(first, "a", class_="next").attrs["href"] == "/?page=2"

    second = ann.get("/?page=2").text
    assert titles(second) == [f"Note {i}" for i in range(13, 3, -1)]
    assert one(second, "a", class_="prev").attrs["href"] == "/"
    assert one(second, "a", class_="next").attrs["href"] == "/?page=3"

    third = ann.get("/?page=3").text
    assert titles(third) == ["Note 3", "Note 2", "Note 1"]
    assert one(third, "a", class_="prev").attrs["href"] == "/?page=2"
    assert not find(third, "a", class_="next")

    assert ann.get("/?page=4").status_code == 404
    assert ann.get("/?page=0").status_code == 404
    assert ann.get("/?page=-1").status_code == 404
    assert ann.get(f"/?page={10**30}").status_code == 404
    assert ann.get(f"/api/notes?page={10**30}").status_code == 404
    assert titles(ann.get("/?page=x").text) == titles(first)


def test_one_page_has_no_pagination(ann: TestClient) -> None:
    page = ann.get("/").text
    assert "No notes yet." in page
    assert not find(page, "nav", class_="pagination")
    write(ann, "Only one")
    assert not find(ann.get("/").text, "nav", class_="pagination")


# -- the JSON API ----------------------------------------------------------------


def api_note(client: TestClient, title: str = "Title", body: str = "Body") -> dict[str, t.Any]:
    response = client.post("/api/notes", json={"title": title, "body": body})
    assert response.status_code == 201, response.text
    return t.cast("dict[str, t.Any]", response.json)


def test_api_create_get_list(ann: TestClient) -> None:
    response = ann.post("/api/notes", json={"title": " Hello ", "body": "World"})
    assert response.status_code == 201
    note = response.json
    assert note["title"] == "Hello"
    assert note["body"] == "World"
    assert note["url"] == f"/api/notes/{note['id']}"
    assert response.headers["Location"] == note["url"]
    assert set(note) == {"id", "title", "body", "created", "updated", "url"}

    assert ann.get(note["url"]).json == note
    listing = ann.get("/api/notes").json
    assert listing == {"notes": [note], "page": 1, "pages": 1, "total": 1}
    # The pages see what the API wrote.
    assert one(ann.get("/").text, "h2").text == "Hello"


def test_api_list_is_paginated(ann: TestClient) -> None:
    for i in range(12):
        api_note(ann, f"Note {i}")
    first = ann.get("/api/notes").json
    assert [n["title"] for n in first["notes"]] == [f"Note {i}" for i in range(11, 1, -1)]
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 12)
    second = ann.get("/api/notes?page=2").json
    assert [n["title"] for n in second["notes"]] == ["Note 1", "Note 0"]
    response = ann.get("/api/notes?page=3")
    assert response.status_code == 404
    assert response.json["code"] == 404


def test_api_update(ann: TestClient) -> None:
    note = api_note(ann, "Old", "Old body")
    response = ann.put(note["url"], json={"title": "New", "body": "New body"})
    assert response.status_code == 200
    assert (response.json["title"], response.json["body"]) == ("New", "New body")
    response = ann.patch(note["url"], json={"body": "Patched"})
    assert response.status_code == 200
    assert (response.json["title"], response.json["body"]) == ("New", "Patched")
    assert ann.get(note["url"]).json["body"] == "Patched"
    # PUT replaces: both fields are needed.
    response = ann.put(note["url"], json={"body": "Only the body"})
    assert response.status_code == 400
    assert response.json["errors"] == {"title": "Give the note a title."}


def test_api_delete(ann: TestClient) -> None:
    note = api_note(ann)
    response = ann.delete(note["url"])
    assert response.status_code == 204
    assert response.data == b""
    assert ann.get(note["url"]).status_code == 404
    assert ann.delete(note["url"]).status_code == 404


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"title": "", "body": "b"}, {"title": "Give the note a title."}),
        ({"body": "b"}, {"title": "Give the note a title."}),
        (
            {"title": 3, "body": ["b"]},
            {"title": "The title must be a string.", "body": "The text must be a string."},
        ),
        ({"title": "t", "body": " "}, {"body": "Write something in the note."}),
    ],
    ids=["empty-title", "no-title", "not-strings", "blank-body"],
)
def test_api_invalid_fields(
    ann: TestClient, data: dict[str, t.Any], expected: dict[str, str]
) -> None:
    response = ann.post("/api/notes", json=data)
    assert response.status_code == 400
    assert response.json == {
        "code": 400,
        "error": "Bad Request",
        "message": "The note has invalid fields.",
        "errors": expected,
    }
    note = api_note(ann)
    response = ann.put(note["url"], json=data)
    assert response.status_code == 400
    assert response.json["errors"] == expected
    if "title" in data:  # PATCH keeps a field that is left out
        response = ann.patch(note["url"], json=data)
        assert response.status_code == 400
        assert response.json["errors"] == expected
    assert ann.get(note["url"]).json == note


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null"])
def test_api_body_must_be_an_object(ann: TestClient, body: str) -> None:
    response = ann.post("/api/notes", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["message"].startswith("The body must be a JSON object")


def test_api_malformed_json(ann: TestClient) -> None:
    response = ann.post("/api/notes", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.json["code"] == 400


def test_api_refuses_bodies_that_are_not_json(ann: TestClient) -> None:
    # What a form on another site could send: the cookie alone is not enough.
    note = api_note(ann, "Mine")
    for method, path in [("POST", "/api/notes"), ("PUT", note["url"]), ("PATCH", note["url"])]:
        for content_type in ["application/x-www-form-urlencoded", "text/plain", None]:
            headers = {"Content-Type": content_type} if content_type else {}
            response = ann.open(
                path, method=method, data='{"title": "Evil", "body": "x"}', headers=headers
            )
            assert response.status_code == 415, (method, content_type)
            assert response.json["code"] == 415
            assert response.json["message"] == (
                "Send the note as JSON, with Content-Type: application/json."
            )
    assert ann.get("/api/notes").json["notes"] == [note]


def test_api_accepts_json_with_a_charset(ann: TestClient) -> None:
    response = ann.post(
        "/api/notes",
        data='{"title": "é", "body": "ü"}'.encode(),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201
    assert response.json["title"] == "é"


def test_api_needs_no_csrf_token(app: App, ann: TestClient) -> None:
    # The pages' forms need one (see above); the API is exempt, as its
    # JSON-only rule protects it.
    assert app.config["CSRF_ENABLED"]
    assert ann.post("/api/notes", json={"title": "t", "body": "b"}).status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/notes"),
        ("POST", "/api/notes"),
        ("GET", "/api/notes/1"),
        ("PUT", "/api/notes/1"),
        ("PATCH", "/api/notes/1"),
        ("DELETE", "/api/notes/1"),
    ],
)
def test_api_needs_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.open(path, method=method, json={"title": "t", "body": "b"})
    assert response.status_code == 401
    assert response.json == {
        "code": 401,
        "error": "Unauthorized",
        "message": "Log in first: the API uses the session cookie of the site.",
    }


def test_api_after_logout_is_401(ann: TestClient) -> None:
    ann.post("/auth/logout", data={"csrf_token": token_of(ann)})
    assert ann.get("/api/notes").status_code == 401


def test_api_only_the_owner(ann: TestClient, bob: TestClient) -> None:
    note = api_note(ann, "Ann's")
    for response in [
        bob.get(note["url"]),
        bob.put(note["url"], json={"title": "t", "body": "b"}),
        bob.patch(note["url"], json={"title": "t"}),
        bob.delete(note["url"]),
    ]:
        assert response.status_code == 403
        assert response.json == {
            "code": 403,
            "error": "Forbidden",
            "message": "This note belongs to someone else.",
        }
    assert ann.get(note["url"]).json == note
    assert bob.get("/api/notes").json["notes"] == []


def test_api_404s_are_json(ann: TestClient) -> None:
    for response in [
        ann.get("/api/notes/99"),
        ann.put("/api/notes/99", json={"title": "t", "body": "b"}),
        ann.delete("/api/notes/99"),
    ]:
        assert response.status_code == 404
        assert response.json["message"] == "There is no note 99."
    # No API view matched, and the answer is still JSON.
    response = ann.get("/api/nothing")
    assert response.status_code == 404
    assert response.json["error"] == "Not Found"


def test_api_405_is_json_with_allow(ann: TestClient) -> None:
    response = ann.post("/api/notes/1", json={})
    assert response.status_code == 405
    assert response.json["code"] == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT", "PATCH", "DELETE"}


# -- the database ----------------------------------------------------------------


def test_first_run_creates_the_database(
    create_app: t.Callable[..., App], tmp_path: Path
) -> None:
    database = tmp_path / "new" / "notes.db"
    create_app({"DATABASE": str(database), "SECRET_KEY": "k"})
    assert database.exists()
    tables = {
        name
        for (name,) in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"user", "note"} <= tables


def test_a_second_start_keeps_the_data(
    create_app: t.Callable[..., App], app: App, ann: TestClient, database: Path
) -> None:
    write(ann, "Survives")
    again = create_app(dict(app.config))
    client = again.test_client()
    login(client, "ann")
    assert one(client.get("/").text, "h2").text == "Survives"


class Recorder:
    """Wraps the ``connect`` an example's ``db`` module calls: every connection a request opens.

    Both apps open connections with ``notes.db.connect``: the explicit
    app's ``get_db`` looks it up in ``notes.db``, the Flask-style app's in
    ``notes_flask.db``, which imports it; each is patched where it is read.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, example: ModuleType) -> None:
        self.connections: list[sqlite3.Connection] = []
        module = example.db
        real = module.connect

        def connect(path: str) -> sqlite3.Connection:
            db = real(path)
            self.connections.append(db)
            return t.cast(sqlite3.Connection, db)

        monkeypatch.setattr(module, "connect", connect)

    def closed(self) -> list[bool]:
        result = []
        for db in self.connections:
            try:
                db.execute("SELECT 1")
            except sqlite3.ProgrammingError:
                result.append(True)
            else:
                result.append(False)
        return result


def test_one_connection_per_request_closed_at_teardown(
    example: ModuleType, ann: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ann, "A note")
    recorder = Recorder(monkeypatch, example)
    assert ann.get("/").status_code == 200  # the hook and the view share it
    assert recorder.closed() == [True]
    assert ann.post("/api/notes", json={"title": "t", "body": "b"}).status_code == 201
    assert recorder.closed() == [True, True]
    ann.get("/api/notes/99")  # an error answer closes it too
    assert recorder.closed() == [True, True, True]


def test_connections_are_opened_only_when_used(
    example: ModuleType, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(monkeypatch, example)
    client.get("/static/style.css")
    client.get("/auth/login")  # no one logged in: no user to load
    client.get("/")
    assert recorder.connections == []


def test_teardown_closes_the_connection(example: ModuleType, app: App) -> None:
    # Each app's get_db is called its own way: with the request, or inside
    # the request context that binds the proxies (Flask's test idiom).
    if example is notes:
        request = app.test_request("/auth/login", run_hooks=True)
        db = notes.db.get_db(request)  # type: ignore[arg-type]  # app.request_class
        assert notes.db.get_db(request) is db  # type: ignore[arg-type]
        db.execute("SELECT 1")
        app.finish_request(request)
    else:
        assert isinstance(app, Flask)
        with app.test_request_context("/auth/login") as context:
            app.preprocess_request()
            db = notes_flask.db.get_db()
            assert notes_flask.db.get_db() is db
            db.execute("SELECT 1")
        request = context.request
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")
    assert "db" not in request.g


def test_init_db_in_an_app_context(tmp_path: Path) -> None:
    # Flask's way to reach the database from a script or a test: the
    # Flask-style app alone (the explicit app's get_db takes a request).
    database = tmp_path / "notes.db"
    app = notes_flask.create_app(
        {"DATABASE": str(database), "SECRET_KEY": "test"}, instance_path=str(tmp_path)
    )
    assert isinstance(app, Flask)
    with app.app_context():
        db = notes_flask.db.get_db()
        assert notes_flask.db.get_db() is db
        assert db.execute("SELECT COUNT(*) FROM user").fetchone() == (0,)
    # Leaving the context closed it (teardown_appcontext).
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")


def test_init_db_command(app: App, database: Path, ann: TestClient) -> None:
    write(ann, "Kept")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Initialized the database at {database}.\n"
    count = sqlite3.connect(database).execute("SELECT COUNT(*) FROM note").fetchone()
    assert count == (1,)  # tables that exist are kept

    result = runner.invoke(args=["init-db", "--reset"], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM note").fetchone() == (1,)

    result = runner.invoke(args=["init-db", "--reset"], input="y\n")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(database)
    assert db.execute("SELECT COUNT(*) FROM note").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM user").fetchone() == (0,)


def test_init_db_creates_a_missing_database(app: App, database: Path) -> None:
    database.unlink()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert database.exists()


def test_init_db_is_listed(app: App) -> None:
    result = app.test_cli_runner().invoke(args=["--help"])
    assert result.exit_code == 0, result.output
    assert "init-db" in result.output


# -- the microweb command ---------------------------------------------------------


def app_target(example: ModuleType, instance: Path) -> str:
    """What ``microweb --app`` takes for the example, with *instance* as its instance folder."""
    folder = EXAMPLES / example.__name__
    return f"{folder}:create_app(None, instance_path={str(instance)!r})"


def test_the_cli_lists_the_same_routes(example: ModuleType, tmp_path: Path) -> None:
    # microweb --app examples/notes_flask routes, as for the explicit app.
    result = CliRunner().invoke(
        cli, ["--app", app_target(example, tmp_path), "routes"], prog_name="microweb"
    )
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()[2:]]
    assert rows == [
        ["api.create", "POST", "/api/notes"],
        ["api.delete", "DELETE", "/api/notes/<int:note_id>"],
        ["api.get_note", "GET", "/api/notes/<int:note_id>"],
        ["api.index", "GET", "/api/notes"],
        ["api.update", "PATCH,", "PUT", "/api/notes/<int:note_id>"],
        ["auth.login", "GET,", "POST", "/auth/login"],
        ["auth.logout", "POST", "/auth/logout"],
        ["auth.register", "GET,", "POST", "/auth/register"],
        ["notes.delete", "POST", "/notes/<int:note_id>/delete"],
        ["notes.edit", "GET,", "POST", "/notes/<int:note_id>/edit"],
        ["notes.index", "GET", "/"],
        ["notes.new", "GET,", "POST", "/notes/new"],
        ["static", "GET", "/static/<path:filename>"],
    ]


def test_init_db_through_the_microweb_command(example: ModuleType, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--app", app_target(example, tmp_path), "init-db"], prog_name="microweb"
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Initialized the database at {tmp_path / 'notes.sqlite3'}.\n"


def test_microweb_run_serves_it(example: ModuleType, tmp_path: Path) -> None:
    # microweb --app examples/notes_flask run: the development server.
    environ = server_environ()
    environ.pop(notes.SECRET_KEY_ENV, None)
    target = app_target(example, tmp_path / "instance")

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "microweb", "--app", target, "run", "--port", str(port)]

    def get(port: int, path: str) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode()
            return response.status, response.headers.get("Location", ""), body
        finally:
            connection.close()

    name = f"microweb run serving {example.__name__}"
    with ServerProcess(name, command, tmp_path / "server.out", environ) as server:
        status, _, page = get(server.port, "/auth/login")
        assert status == 200
        one(page, "input", type="hidden", name="csrf_token")
        assert get(server.port, "/")[:2] == (302, "/auth/login")
        status, _, body = get(server.port, "/api/notes")
        assert status == 401 and '"code":401' in body.replace(" ", "")
        assert get(server.port, "/static/style.css")[0] == 200
    assert (tmp_path / "instance" / "notes.sqlite3").exists()


# -- the secret key ------------------------------------------------------------


@pytest.fixture
def make(create_app: t.Callable[..., App]) -> t.Callable[..., App]:
    """``make(instance, **config)``: the app with *instance* as its instance folder."""

    def make(instance: Path, **config: t.Any) -> App:
        if config:
            config.setdefault("DATABASE", str(instance / "notes.sqlite3"))
        return create_app(config or None, instance_path=str(instance))

    return make


def test_secret_key_is_made_once_and_reused(make: t.Callable[..., App], tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    first = make(instance)
    key = first.config["SECRET_KEY"]
    assert isinstance(key, str) and len(key) == 64
    key_file = instance / "secret_key"
    assert key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = make(instance)
    assert second.config["SECRET_KEY"] == key
    # No candidate key is left behind.
    assert not [name for name in os.listdir(instance) if name.startswith(".secret_key")]

    # A session signed by one app is read by the other, as by two workers.
    client = first.test_client()
    token = csrf_token(client.get("/auth/register").text)
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    response = other.post(
        "/auth/register", data={"username": "ann", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_a_new_instance_folder_gets_a_new_key(make: t.Callable[..., App], tmp_path: Path) -> None:
    assert make(tmp_path / "a").config["SECRET_KEY"] != make(tmp_path / "b").config["SECRET_KEY"]


def test_secret_key_made_by_concurrent_starts_is_one_key(tmp_path: Path) -> None:
    instance = str(tmp_path / "instance")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret_key(instance), range(32)))
    assert len(keys) == 1
    assert sorted(os.listdir(instance)) == ["secret_key"]


def test_secret_key_from_the_environment(make: t.Callable[..., App], 
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notes.SECRET_KEY_ENV, "from the environment")
    instance = tmp_path / "instance"
    assert make(instance).config["SECRET_KEY"] == "from the environment"
    assert not (instance / "secret_key").exists()


def test_secret_key_from_the_instance_config(make: t.Callable[..., App], 
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notes.SECRET_KEY_ENV, "from the environment")
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SECRET_KEY = "from config.py"\nNOTES_PER_PAGE = 3\n'
    )
    app = make(instance)
    assert app.config["SECRET_KEY"] == "from config.py"
    assert app.config["NOTES_PER_PAGE"] == 3
    assert app.config["DATABASE"] == str(instance / "notes.sqlite3")


def test_secret_key_from_test_config(make: t.Callable[..., App], tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    app = make(instance, SECRET_KEY="given")
    assert app.config["SECRET_KEY"] == "given"
    assert not (instance / "secret_key").exists()


def test_an_empty_key_file_is_an_error(make: t.Callable[..., App], tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="is empty: delete it"):
        make(instance)
