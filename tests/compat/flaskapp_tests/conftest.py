"""Fixtures for Logbook's tests, as a Flask project writes them."""

import pytest
from werkzeug.security import generate_password_hash

from flaskapp import create_app
from flaskapp.db import get_db, init_db

# Two members with known passwords; ada wrote entry 1 (shared), grace
# entry 2 (private) and entry 3 (shared).
MEMBERS = {"ada": "analytical engine", "grace": "compiler first"}
# Hashed once, with few rounds: logging in should not cost each test a second.
HASHES = {
    username: generate_password_hash(password, method="pbkdf2:sha256:1000")
    for username, password in MEMBERS.items()
}


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "logbook.sqlite")})

    with app.app_context():
        init_db()
        db = get_db()
        db.executemany(
            "INSERT INTO member (username, password_hash) VALUES (?, ?)", HASHES.items()
        )
        db.executemany(
            "INSERT INTO entry (title, body, shared, author_id, written) VALUES (?, ?, ?, ?, ?)",
            [
                ("Notes on the engine", "It weaves algebraic patterns.", 1, 1, "2024-01-02 10:00:00"),
                ("Grace's private draft", "Not ready yet.", 0, 2, "2024-01-03 10:00:00"),
                ("Bugs in the relay", "Found a moth in relay 70.", 1, 2, "2024-01-04 10:00:00"),
            ],
        )
        db.commit()

    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="ada", password=None, **extra):
        if password is None:
            password = MEMBERS[username]
        return self._client.post(
            "/auth/login", data={"username": username, "password": password, **extra}
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
