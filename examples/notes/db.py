"""The database: one SQLite connection per request, opened on first use.

Every worker process opens its own connections to the same file, so
whatever one worker writes, the others read: no state lives in a process.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .models import NotesRequest

SCHEMA = Path(__file__).with_name("schema.sql")


def connect(path: str) -> sqlite3.Connection:
    """Open the database at *path*, with foreign keys enforced."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def init_db(path: str, *, reset: bool = False) -> None:
    """Create the tables that are missing in the database at *path*.

    It is safe to run on a database that has them, and by several
    processes at once: gunicorn's workers all do when they start.

    :param reset: Drop the tables first, deleting every user and note.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = connect(path)
    try:
        # WAL lets readers go on while a worker writes; the mode is kept
        # in the file, so it is set once for every later connection.
        db.execute("PRAGMA journal_mode = WAL")
        if reset:
            db.executescript("DROP TABLE IF EXISTS note; DROP TABLE IF EXISTS user;")
        db.executescript(SCHEMA.read_text(encoding="utf-8"))
    finally:
        db.close()


def get_db(request: NotesRequest) -> sqlite3.Connection:
    """Return the request's connection, opening it on first use.

    A request that never touches the database (a static file, the login
    page before anyone logs in) opens none; :func:`close_db` closes it.
    """
    db = request.g.db
    if db is None:
        db = request.g.db = connect(request.app.config["DATABASE"])
    return db


def close_db(request: NotesRequest, exc: BaseException | None) -> None:
    """Close the request's connection, if it opened one: a teardown hook.

    A transaction left open (a view that failed half-way) is rolled back.
    """
    db = request.g.pop("db", None)
    if db is not None:
        db.close()
