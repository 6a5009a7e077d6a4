"""The app that the hostile-input table is sent to, in-process and over HTTP.

:func:`make_site` serves the same app under three configurations (see
:data:`MOUNTS`), so a case can reach each without another server. The
views call ``record`` with what they were given, so a test can check that
bad input never reached a view as data.

A real server loads it by name, with ``tests/servers`` on ``PYTHONPATH``:
``gunicorn 'hostile_app:create_site()'``, ``waitress --call
hostile_app:create_site``, or ``python -m hostile_app PORT`` for werkzeug's
development server. :func:`create_site` takes its folder and log file from
the environment variables ``HOSTILE_ROOT`` and ``HOSTILE_LOG``.
"""

from __future__ import annotations

import json
import os
import sys
import typing as t
from pathlib import Path

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from microweb import App, Request, get_flashed_messages

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

#: Signs the session cookie; a test signs hostile cookies with it.
SECRET_KEY = "k"
#: ``MAX_CONTENT_LENGTH`` where one is set.
MAX_CONTENT_LENGTH = 64 * 1024
#: ``MAX_FORM_MEMORY_SIZE`` where one is set below the default.
MAX_FORM_MEMORY_SIZE = 1024

#: The config of each app of the site, by where it is mounted.
MOUNTS: dict[str, dict[str, t.Any]] = {
    # Every limit low, so each is easy to go past.
    "": {
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "MAX_FORM_MEMORY_SIZE": MAX_FORM_MEMORY_SIZE,
        "MAX_FORM_PARTS": 10,
    },
    # MAX_CONTENT_LENGTH unset, as it is by default: only the form limits
    # bound a body.
    "/unlimited": {
        "MAX_CONTENT_LENGTH": None,
        "MAX_FORM_MEMORY_SIZE": MAX_FORM_MEMORY_SIZE,
        "MAX_FORM_PARTS": 10,
    },
    # Only MAX_CONTENT_LENGTH set. werkzeug refuses any multipart read
    # larger than MAX_FORM_MEMORY_SIZE, and it reads 64 KiB at a time, so a
    # body at MAX_CONTENT_LENGTH needs the default form limits to parse.
    "/default-forms": {"MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH},
}

Record = t.Callable[[dict[str, t.Any]], None]


def make_root(root: Path) -> Path:
    """Write the files the static cases look for into *root*."""
    (root / "static").mkdir(parents=True, exist_ok=True)
    (root / "static" / "ok.txt").write_text("public")
    (root / "secret.txt").write_text("TOP SECRET")
    return root


def make_app(root_path: str, record: Record, **config: t.Any) -> App:
    """Build the app; its views pass what they received to *record*.

    :param config: Config on top of the secret key, the trusted hosts and
        ``PROPAGATE_EXCEPTIONS=False``, such as a mount's from :data:`MOUNTS`.
    """
    app = App("hostile", root_path=root_path)
    app.config.update(
        SECRET_KEY=SECRET_KEY,
        PROPAGATE_EXCEPTIONS=False,
        TRUSTED_HOSTS=["localhost", "example.com"],
        **config,
    )

    @app.get("/ok")
    def ok(request: Request) -> str:
        return "ok"

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo(request: Request) -> dict[str, t.Any]:
        got = {
            "args": request.args.to_dict(),
            "form": request.form.to_dict(),
            "files": {name: len(file.read()) for name, file in request.files.items()},
            "path": request.path,
        }
        # Nothing closes the uploads after the response, so close them here.
        request.close()
        record(got)
        return got

    @app.post("/json")
    def json_view(request: Request) -> dict[str, t.Any]:
        got = request.get_json()
        record({"path": request.path, "json": type(got).__name__})
        return {"got": got}

    @app.post("/raw")
    def raw(request: Request) -> str:
        size = len(request.get_data())
        record({"path": request.path, "raw": size})
        return str(size)

    @app.get("/session")
    def session_view(request: Request) -> dict[str, t.Any]:
        return {"user": request.session.get("user")}

    @app.get("/flashes")
    def flashes(request: Request) -> dict[str, t.Any]:
        return {"flashes": get_flashed_messages(request, with_categories=True)}

    @app.get("/item/<int:n>")
    def item(request: Request, n: int) -> str:
        return str(n)

    return app


def make_site(root_path: str, record: Record) -> WSGIApplication:
    """Serve the app under each configuration of :data:`MOUNTS`."""
    apps = {prefix: make_app(root_path, record, **config) for prefix, config in MOUNTS.items()}
    return DispatcherMiddleware(apps.pop(""), apps)


def log_to(path: str) -> Record:
    """Return a ``record`` that appends each record to *path* as a JSON line."""

    def record(got: dict[str, t.Any]) -> None:
        # Opened per record so the test can empty the file between requests.
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(got) + "\n")

    return record


def create_site() -> WSGIApplication:
    """The site a server loads, configured from the environment."""
    return make_site(os.environ["HOSTILE_ROOT"], log_to(os.environ["HOSTILE_LOG"]))


if __name__ == "__main__":
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", int(sys.argv[1]), create_site())
