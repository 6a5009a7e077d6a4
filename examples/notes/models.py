"""Users and notes: the app's request class, its rows, their queries and
the validation that the pages and the JSON API share."""

from __future__ import annotations

import dataclasses
import sqlite3
from functools import cached_property

from microweb import Request, RequestGlobals, abort

TITLE_MAX = 120
BODY_MAX = 10_000
USERNAME_MAX = 32
PASSWORD_MIN = 8

#: The columns of a note, in the order of :class:`Note`'s fields.
NOTE_COLUMNS = "id, author_id, title, body, created, updated"


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    username: str


@dataclasses.dataclass(frozen=True)
class Note:
    id: int
    author_id: int
    title: str
    body: str
    #: UTC, as SQLite writes it: ``2024-05-01 12:34:56``.
    created: str
    updated: str


class NotesGlobals(RequestGlobals):
    """What this app keeps in ``request.g``."""

    #: The logged-in user, or ``None``; set by ``auth.load_user``.
    user: User | None = None
    #: The request's connection once opened; see ``db.get_db``.
    db: sqlite3.Connection | None = None


class NotesRequest(Request):
    """The app's request: its ``g`` is a :class:`NotesGlobals`."""

    @cached_property
    def g(self) -> NotesGlobals:
        return NotesGlobals()


def validate_note(title: object, body: object) -> dict[str, str]:
    """Return the errors of a note's fields by field name; empty if it is valid.

    The values are what the client sent: strings from a form, anything
    from JSON, ``None`` for a field it left out.
    """
    errors = {}
    if title is None or (isinstance(title, str) and not title.strip()):
        errors["title"] = "Give the note a title."
    elif not isinstance(title, str):
        errors["title"] = "The title must be a string."
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX + 1} characters."
    if body is None or (isinstance(body, str) and not body.strip()):
        errors["body"] = "Write something in the note."
    elif not isinstance(body, str):
        errors["body"] = "The text must be a string."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the text under {BODY_MAX + 1:,} characters."
    return errors


def validate_registration(username: str, password: str) -> dict[str, str]:
    """Return the errors of a new account's fields; empty if they are valid."""
    errors = {}
    if not username:
        errors["username"] = "Choose a username."
    elif len(username) > USERNAME_MAX or not all(
        c.isalnum() or c in "._-" for c in username
    ):
        errors["username"] = (
            f"Use up to {USERNAME_MAX} letters, digits, dots, dashes or underscores."
        )
    if len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    return errors


def create_user(db: sqlite3.Connection, username: str, password_hash: str) -> int | None:
    """Insert a user and return their id, or ``None`` if the name is taken.

    The UNIQUE constraint decides, so two workers registering the same
    name at once cannot both succeed.
    """
    try:
        with db:
            cursor = db.execute(
                "INSERT INTO user (username, password_hash) VALUES (?, ?)",
                (username, password_hash),
            )
    except sqlite3.IntegrityError:
        return None
    assert cursor.lastrowid is not None  # set by every INSERT
    return cursor.lastrowid


def find_login(db: sqlite3.Connection, username: str) -> tuple[User, str] | None:
    """Return the user called *username* (any case) and their password hash."""
    row = db.execute(
        "SELECT id, username, password_hash FROM user WHERE username = ?", (username,)
    ).fetchone()
    return (User(row[0], row[1]), row[2]) if row else None


def find_user(db: sqlite3.Connection, user_id: int) -> User | None:
    row = db.execute("SELECT id, username FROM user WHERE id = ?", (user_id,)).fetchone()
    return User(*row) if row else None


def find_note(db: sqlite3.Connection, note_id: int) -> Note | None:
    row = db.execute(f"SELECT {NOTE_COLUMNS} FROM note WHERE id = ?", (note_id,)).fetchone()
    return Note(*row) if row else None


def owned_note(db: sqlite3.Connection, user: User, note_id: int) -> Note:
    """Return the note *note_id* if *user* wrote it.

    :raises werkzeug.exceptions.NotFound: If there is no such note (404).
    :raises werkzeug.exceptions.Forbidden: If someone else wrote it (403).
    """
    note = find_note(db, note_id)
    if note is None:
        abort(404, f"There is no note {note_id}.")
    if note.author_id != user.id:
        abort(403, "This note belongs to someone else.")
    return note


def list_notes(
    db: sqlite3.Connection, author_id: int, page: int, per_page: int
) -> tuple[list[Note], int, int]:
    """Return one page of a user's notes, newest first, the number of
    pages and the number of notes.

    :raises werkzeug.exceptions.NotFound: If there is no such page (404);
        the first page always exists.
    """
    (total,) = db.execute(
        "SELECT COUNT(*) FROM note WHERE author_id = ?", (author_id,)
    ).fetchone()
    pages = max(1, -(-total // per_page))
    if not 1 <= page <= pages:
        abort(404, f"There is no page {page}: your notes fill {pages}.")
    rows = db.execute(
        f"SELECT {NOTE_COLUMNS} FROM note WHERE author_id = ?"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        (author_id, per_page, (page - 1) * per_page),
    ).fetchall()
    return [Note(*row) for row in rows], pages, total


def create_note(db: sqlite3.Connection, author_id: int, title: str, body: str) -> int:
    """Insert a note and return its id."""
    with db:
        cursor = db.execute(
            "INSERT INTO note (author_id, title, body) VALUES (?, ?, ?)",
            (author_id, title.strip(), body),
        )
    assert cursor.lastrowid is not None  # set by every INSERT
    return cursor.lastrowid


def update_note(db: sqlite3.Connection, note_id: int, title: str, body: str) -> None:
    with db:
        db.execute(
            "UPDATE note SET title = ?, body = ?, updated = CURRENT_TIMESTAMP"
            " WHERE id = ?",
            (title.strip(), body, note_id),
        )


def delete_note(db: sqlite3.Connection, note_id: int) -> None:
    with db:
        db.execute("DELETE FROM note WHERE id = ?", (note_id,))

