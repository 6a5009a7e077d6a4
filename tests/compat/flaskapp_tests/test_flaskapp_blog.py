import hashlib
import json

import pytest
from itsdangerous import URLSafeTimedSerializer

from flaskapp.db import get_db


def count_entries(app):
    with app.app_context():
        return get_db().execute("SELECT count(*) FROM entry").fetchone()[0]


def test_index_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Notes on the engine" in response.text
    assert "Bugs in the relay" in response.text
    assert "Grace&#39;s private draft" not in response.text
    assert 'href="/auth/join"' in response.text
    assert 'href="/auth/login"' in response.text
    assert 'href="/static/style.css"' in response.text
    assert "<title>Entries · Logbook</title>" in response.text


def test_index_for_a_member_shows_her_private_entries(client, auth):
    auth.login("grace")
    response = client.get("/")
    assert "Grace&#39;s private draft</a></h2>\n      <p class=\"meta\">by grace on 2024-01-03 (private)" in response.text
    assert 'action="/auth/logout"' in response.text
    assert 'href="/entries/new"' in response.text
    # Newest first.
    assert response.text.index("Bugs in the relay") < response.text.index("Notes on the engine")


def test_the_stylesheet_is_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b".flash-error" in response.data


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/entries/new"),
        ("POST", "/entries/new"),
        ("GET", "/entries/1/edit"),
        ("POST", "/entries/1/edit"),
        ("POST", "/entries/1/delete"),
    ],
)
def test_login_required(client, app, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next={path}"
    assert count_entries(app) == 3


def test_show(client):
    response = client.get("/entries/1")
    assert response.status_code == 200
    assert "<h1>Notes on the engine</h1>" in response.text
    assert "It weaves algebraic patterns." in response.text
    assert "Edit" not in response.text


def test_the_author_sees_edit_and_delete(client, auth):
    auth.login()
    response = client.get("/entries/1")
    assert 'href="/entries/1/edit"' in response.text
    assert 'action="/entries/1/delete"' in response.text
    assert 'href="/entries/3/edit"' not in client.get("/entries/3").text


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/entries/99", "There is no entry 99."),
        ("/entries/2", "There is no entry 2."),  # grace's private one
        ("/no/such/page", "The requested URL was not found on the server."),
    ],
)
def test_not_found_page(client, path, detail):
    response = client.get(path)
    assert response.status_code == 404
    assert f'<p class="error-detail">{detail}' in response.text
    assert "<title>Not found · Logbook</title>" in response.text


@pytest.mark.parametrize("path", ["/entries/2/edit", "/entries/2/delete"])
def test_someone_elses_private_entry_is_not_found(client, auth, app, path):
    auth.login("ada")
    response = client.post(path, data={"title": "mine now"})
    assert response.status_code == 404
    assert count_entries(app) == 3


@pytest.mark.parametrize("path", ["/entries/3/edit", "/entries/3/delete"])
def test_someone_elses_shared_entry_is_forbidden(client, auth, app, path):
    auth.login("ada")
    assert client.post(path, data={"title": "mine now"}).status_code == 403
    with app.app_context():
        title = get_db().execute("SELECT title FROM entry WHERE id = 3").fetchone()[0]
    assert title == "Bugs in the relay"
    assert count_entries(app) == 3


def test_create(client, auth, app):
    auth.login()
    assert client.get("/entries/new").status_code == 200

    response = client.post(
        "/entries/new", data={"title": "On loops", "body": "Cards that repeat.", "shared": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/entries/4"

    page = client.get("/entries/4")
    assert '<p class="flash flash-success">Entry saved.</p>' in page.text
    assert "Cards that repeat." in page.text
    with app.app_context():
        row = get_db().execute("SELECT * FROM entry WHERE id = 4").fetchone()
    assert (row["title"], row["shared"], row["author_id"]) == ("On loops", 1, 1)


def test_create_keeps_the_form_on_an_error(client, auth, app):
    auth.login()
    response = client.post("/entries/new", data={"title": "  ", "body": "kept text"})
    assert response.status_code == 200
    assert '<p class="flash flash-error">An entry needs a title.</p>' in response.text
    assert "kept text</textarea>" in response.text
    assert count_entries(app) == 3


def test_edit(client, auth, app):
    auth.login()
    form = client.get("/entries/1/edit")
    assert 'value="Notes on the engine"' in form.text
    assert " checked>" in form.text

    response = client.post("/entries/1/edit", data={"title": "Notes, revised", "body": "New."})
    assert response.headers["Location"] == "/entries/1"
    with app.app_context():
        row = get_db().execute("SELECT * FROM entry WHERE id = 1").fetchone()
    assert (row["title"], row["body"], row["shared"]) == ("Notes, revised", "New.", 0)
    assert "Entry updated." in client.get("/entries/1").text


def test_delete(client, auth, app):
    auth.login()
    assert client.get("/entries/1/delete").status_code == 405

    response = client.post("/entries/1/delete", follow_redirects=True)
    assert response.request.path == "/"
    assert '<p class="flash flash-info">Entry deleted.</p>' in response.text
    with app.app_context():
        assert get_db().execute("SELECT * FROM entry WHERE id = 1").fetchone() is None
    assert client.get("/entries/1").status_code == 404


def test_entries_json_for_visitors(client):
    response = client.get("/api/entries")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {
        "member": None,
        "entries": [
            {
                "id": 3,
                "title": "Bugs in the relay",
                "author": "grace",
                "shared": True,
                "url": "http://localhost/entries/3",
            },
            {
                "id": 1,
                "title": "Notes on the engine",
                "author": "ada",
                "shared": True,
                "url": "http://localhost/entries/1",
            },
        ],
    }


def test_entries_json_for_a_member(client, auth):
    auth.login("grace")
    data = client.get("/api/entries").json
    assert data["member"] == "grace"
    assert [(e["id"], e["shared"]) for e in data["entries"]] == [(3, True), (2, False), (1, True)]


class _FlaskSessionJSON:
    @staticmethod
    def dumps(value):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    @staticmethod
    def loads(value):
        return json.loads(value)


def flask_session_cookie(app, data):
    """The session cookie the Flask deploy of this app sets, by hand (Flask 3.1: HMAC-SHA1)."""
    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"],
        salt="cookie-session",
        serializer=_FlaskSessionJSON,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps(data)


def test_members_logged_in_under_flask_stay_logged_in(client, app):
    # grace logged in on the Flask deploy, with "keep me logged in"; Flask
    # flashed her greeting just before the move.
    client.set_cookie(
        "session",
        flask_session_cookie(
            app,
            {
                "_permanent": True,
                "member_id": 2,
                "_flashes": [{" t": ["success", "Hello again, grace."]}],
            },
        ),
    )
    page = client.get("/")
    assert '<span class="who">grace</span>' in page.text
    assert '<p class="flash flash-success">Hello again, grace.</p>' in page.text
    # The cookie written back is still one the Flask deploy would open.
    written = client.get_cookie("session").value
    assert URLSafeTimedSerializer(
        app.config["SECRET_KEY"],
        salt="cookie-session",
        serializer=_FlaskSessionJSON,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).loads(written) == {"_permanent": True, "member_id": 2}
