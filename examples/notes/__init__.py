"""Notes: a small multi-user notes site, and the whole of microweb in use.

Accounts with hashed passwords, CSRF-protected forms, flashed messages,
template inheritance, a static stylesheet, a JSON API, and SQLite from the
standard library. Serve it from the ``examples`` folder::

    microweb --app examples/notes run
    python -m gunicorn --chdir examples -w 2 --threads 4 'notes:create_app()'

(With gunicorn, use threads: browsers open spare connections ahead of
time, and a plain sync worker waits on such an idle connection until it
times out.)

Everything it keeps is in the instance folder (``examples/instance``): the
database, the secret key it makes on its first run, and an optional
``config.py``. Nothing lives in a worker's memory, so any number of
workers serve the same site. Before deploying it, put
``SESSION_COOKIE_SECURE = True`` and ``TRUSTED_HOSTS`` in that
``config.py``; ``microweb --app examples/notes check`` lists what is left.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import typing as t

import click
from werkzeug.exceptions import HTTPException

from microweb import App, Response, render

from . import api, auth, notes
from .db import close_db, init_db
from .models import NotesRequest

#: The environment variable that may hold the secret key.
SECRET_KEY_ENV = "NOTES_SECRET_KEY"


def create_app(
    test_config: t.Mapping[str, t.Any] | None = None, *, instance_path: str | None = None
) -> App:
    """Make the notes app.

    The secret key is the first of: ``SECRET_KEY`` in *test_config* or
    ``instance/config.py``, the ``NOTES_SECRET_KEY`` environment variable,
    the key in ``instance/secret_key`` (made on the first run).

    :param test_config: Settings used instead of ``instance/config.py``,
        such as ``{"DATABASE": "/tmp/notes.db", "SECRET_KEY": "..."}``.
    :param instance_path: The instance folder, if not ``examples/instance``;
        an absolute path.
    """
    app = App(__name__, instance_path=instance_path, instance_relative_config=True)
    app.request_class = NotesRequest
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "notes.sqlite3"),
        CSRF_ENABLED=True,
        MAX_CONTENT_LENGTH=256 * 1024,
        # microweb's defaults, named here because the JSON API's CSRF
        # protection counts on them (see api.py).
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        NOTES_PER_PAGE=10,
        # What werkzeug.security hashes new passwords with; tests choose a
        # cheaper one than the default scrypt.
        PASSWORD_HASH_METHOD="scrypt",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = os.environ.get(SECRET_KEY_ENV) or instance_secret_key(
            app.instance_path
        )

    # Cheap when the tables exist; on the first run it creates the file.
    init_db(app.config["DATABASE"])

    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)
    app.register_blueprint(api.bp)
    app.teardown_request(close_db)
    app.register_error_handler(HTTPException, error_page)

    @app.cli.command("init-db")
    @click.option("--reset", is_flag=True, help="Delete every user and note first.")
    def init_db_command(reset: bool) -> None:
        """Create the database's tables (they are also made on first run)."""
        if reset:
            click.confirm("Delete every user and note?", abort=True)
        init_db(app.config["DATABASE"], reset=reset)
        click.echo(f"Initialized the database at {app.config['DATABASE']}.")

    return app


def error_page(request: NotesRequest, error: HTTPException) -> Response:
    """Answer an HTTP error: JSON under ``/api/``, else a page of the site."""
    # By path, not by blueprint: /api/nothing matched no API view but is
    # still asked by an API client.
    if request.path.startswith("/api/"):
        return api.json_error(request, error)
    response = Response(render(request, "error.html", error=error), error.code or 500)
    for key, value in error.get_headers(request.environ):
        if key.lower() != "content-type":  # Allow on a 405, say
            response.headers[key] = value
    return response


def instance_secret_key(instance_path: str) -> str:
    """Return the key kept in *instance_path*, making it on the first run.

    Several gunicorn workers may start at once, and all must end with the
    same key. Each writes a key to a file of its own, then links that file
    to the shared name: ``os.link`` fails if the name exists, so exactly
    one key wins, and the name never shows a half-written file.
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        return read_key(path)
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    fd, candidate = tempfile.mkstemp(prefix=".secret_key-", dir=instance_path)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another worker won; its key is the key
    finally:
        os.unlink(candidate)
    return read_key(path)


def read_key(path: str) -> str:
    with open(path, encoding="ascii") as f:
        key = f.read().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it, and a new key is made.")
    return key
