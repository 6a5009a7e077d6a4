"""Notes, written the way a Flask developer writes it, on ``microweb.compat``.

The same site as ``examples/notes`` (same pages, JSON API, database,
templates, stylesheet and secret key), but its views take no request:
they read ``request``, ``session``, ``g`` and ``current_app``, and call
``url_for``, ``render_template``, ``flash``, ``redirect`` and ``abort``
as Flask's do. Its ``from microweb.compat import ...`` lines are where a
Flask app has ``from flask import ...``. ``tests/test_example_notes.py``
runs every test on both apps, and checks that they answer alike.

The templates, ``schema.sql`` and ``static/`` are the explicit app's
(``../notes``); so are the request-free parts, imported as a Flask app
imports a shared module: the queries and validation of ``notes.models``,
``connect`` and ``init_db`` of ``notes.db``, and ``instance_secret_key``.
Both apps default to the same instance folder (``examples/instance``),
so they serve the same users and notes. Serve it from ``examples``::

    microweb --app examples/notes_flask run
    python -m gunicorn --chdir examples -w 2 --threads 4 'notes_flask:create_app()'
"""

from __future__ import annotations

import os
import typing as t

from werkzeug.exceptions import HTTPException

from microweb.compat import Flask, render_template, request
from microweb.compat.typing import ResponseReturnValue
from notes import SECRET_KEY_ENV, instance_secret_key
from notes.db import init_db

from . import api, auth, db, pages

#: The explicit app's folder: its templates and static files serve this app too.
#: Normalized, not "../notes": werkzeug's ETag of a static file hashes its path,
#: and the same file should get the same ETag from either app.
SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notes")

def create_app(
    test_config: t.Mapping[str, t.Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    """Make the notes app, Flask-style; the same arguments as ``notes.create_app``.

    :param test_config: Settings used instead of ``instance/config.py``.
    :param instance_path: The instance folder, if not ``examples/instance``;
        an absolute path.
    """
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=os.path.join(SHARED, "templates"),
        static_folder=os.path.join(SHARED, "static"),
    )
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "notes.sqlite3"),
        CSRF_ENABLED=True,
        MAX_CONTENT_LENGTH=256 * 1024,
        # The JSON API's CSRF protection counts on these (see api.py).
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        NOTES_PER_PAGE=10,
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

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_error_handler(HTTPException, error_page)
    return app


def error_page(error: HTTPException) -> ResponseReturnValue:
    """Answer an HTTP error: JSON under ``/api/``, else a page of the site."""
    # By path, not by blueprint: /api/nothing matched no API view.
    if request.path.startswith("/api/"):
        return api.json_error(error)
    headers = [
        (key, value)
        for key, value in error.get_headers(request.environ)
        if key.lower() != "content-type"  # Allow on a 405, say
    ]
    return render_template("error.html", error=error), error.code or 500, headers
