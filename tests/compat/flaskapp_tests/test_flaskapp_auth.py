import re

import pytest
from werkzeug.security import check_password_hash

from microweb.compat import g, session

from flaskapp.db import get_db


def test_join(client, app):
    page = client.get("/auth/join")
    assert page.status_code == 200
    assert '<input name="username"' in page.text

    response = client.post("/auth/join", data={"username": "joan", "password": "cathode ray"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"

    with app.app_context():
        member = get_db().execute("SELECT * FROM member WHERE username = 'joan'").fetchone()
        assert member is not None
        assert check_password_hash(member["password_hash"], "cathode ray")


def test_join_then_the_login_page_shows_the_welcome(client):
    response = client.post(
        "/auth/join",
        data={"username": "joan", "password": "cathode ray"},
        follow_redirects=True,
    )
    assert response.request.path == "/auth/login"
    assert '<p class="flash flash-success">Welcome aboard, joan. Log in to start writing.</p>' in response.text
    # A flashed message is shown once.
    assert "Welcome aboard" not in client.get("/auth/login").text


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "long enough", "Choose a username."),
        ("joan", "short", "Choose a password of at least 8 characters."),
        ("ada", "long enough", "The name ada is taken."),
    ],
)
def test_join_validates(client, app, username, password, message):
    response = client.post("/auth/join", data={"username": username, "password": password})
    assert response.status_code == 200
    assert f'<p class="flash flash-error">{message}</p>' in response.text
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM member").fetchone()[0] == 2


def test_login(client, auth):
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.headers["Location"] == "/"

    with client:
        page = client.get("/")
        assert session["member_id"] == 1
        assert g.user["username"] == "ada"
    assert "Hello again, ada." in page.text
    assert '<span class="who">ada</span>' in page.text


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody", "whatever it is"), ("ada", "difference engine")],
)
def test_login_refuses(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 200
    assert '<p class="flash flash-error">Wrong username or password.</p>' in response.text
    with client:
        client.get("/")
        assert "member_id" not in session
        assert g.user is None


def test_logout(client, auth):
    auth.login()

    with client:
        response = auth.logout()
        assert response.headers["Location"] == "/"
        assert "member_id" not in session
    assert "You are logged out." in client.get("/").text


def test_logout_needs_post(client, auth):
    auth.login()
    assert client.get("/auth/logout").status_code == 405


def test_a_browser_session_unless_remembered(client, auth):
    cookie = auth.login().headers["Set-Cookie"]
    assert "Expires" not in cookie

    remembered = auth.login(remember="1").headers["Set-Cookie"]
    assert re.search(r"Expires=\w{3}, \d\d \w{3} \d{4}", remembered)
    assert "HttpOnly" in remembered


def test_login_goes_back_to_the_page_asked_for(client, auth):
    response = client.get("/entries/new")
    assert response.headers["Location"] == "/auth/login?next=/entries/new"
    assert "Log in to see that page." in client.get(response.headers["Location"]).text

    response = client.post(
        "/auth/login?next=/entries/new",
        data={"username": "ada", "password": "analytical engine"},
    )
    assert response.headers["Location"] == "/entries/new"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "entries"])
def test_login_never_redirects_off_site(client, target):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": "ada", "password": "analytical engine"},
    )
    assert response.headers["Location"] == "/"
