"""The JSON API under ``/api/``: the same notes and rules as the pages.

It authenticates with the session cookie, so it is exempt from the form
CSRF token and protected as the explicit app's API is (see
``notes/api.py``): bodies must be ``application/json``, ``DELETE`` cannot
come from a form, and the session cookie is ``SameSite=Lax``.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException

from microweb import csrf_exempt
from microweb.compat import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    request,
    url_for,
)
from microweb.compat.typing import ResponseReturnValue
from notes.models import (
    Note,
    create_note,
    delete_note,
    list_notes,
    owned_note,
    update_note,
    validate_note,
)

from .auth import current_user
from .db import get_db

bp = csrf_exempt(Blueprint("api", __name__, url_prefix="/api"))

#: The methods that change something and carry a JSON body.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@bp.before_request
def require_user() -> None:
    if g.user is None:
        abort(401, "Log in first: the API uses the session cookie of the site.")


@bp.before_request
def require_json() -> None:
    # The CSRF protection of the API; see the module's docstring.
    if request.method in BODY_METHODS and request.mimetype != "application/json":
        abort(415, "Send the note as JSON, with Content-Type: application/json.")


def note_json(note: Note) -> dict[str, t.Any]:
    return {
        "id": note.id,
        "title": note.title,
        "body": note.body,
        "created": note.created,
        "updated": note.updated,
        "url": url_for("api.get_note", note_id=note.id),
    }


def json_object() -> dict[str, t.Any]:
    """Return the request's JSON body, which must be an object (else 400)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "The body must be a JSON object such as {\"title\": ..., \"body\": ...}.")
    return data


def invalid(errors: dict[str, str]) -> tuple[dict[str, t.Any], int]:
    """The 400 answer to a note with invalid fields: each field's error."""
    return {
        "code": 400,
        "error": "Bad Request",
        "message": "The note has invalid fields.",
        "errors": errors,
    }, 400


def json_error(error: HTTPException) -> ResponseReturnValue:
    """Answer an HTTP error as JSON: its code, name and description."""
    headers = [
        (key, value)
        for key, value in error.get_headers(request.environ)
        if key.lower() != "content-type"  # Allow on a 405, say
    ]
    body = jsonify(code=error.code, error=error.name, message=error.description)
    return body, error.code or 500, headers


@bp.get("/notes")
def index() -> dict[str, t.Any]:
    per_page: int = current_app.config["NOTES_PER_PAGE"]
    page = request.args.get("page", 1, type=int)
    notes, pages, total = list_notes(get_db(), current_user().id, page, per_page)
    return {
        "notes": [note_json(note) for note in notes],
        "page": page,
        "pages": pages,
        "total": total,
    }


@bp.post("/notes")
def create() -> ResponseReturnValue:
    data = json_object()
    errors = validate_note(data.get("title"), data.get("body"))
    if errors:
        return invalid(errors)
    db = get_db()
    user = current_user()
    note_id = create_note(db, user.id, data["title"], data["body"])
    note = note_json(owned_note(db, user, note_id))
    return note, 201, {"Location": note["url"]}


@bp.get("/notes/<int:note_id>")
def get_note(note_id: int) -> dict[str, t.Any]:
    return note_json(owned_note(get_db(), current_user(), note_id))


@bp.route("/notes/<int:note_id>", methods=["PUT", "PATCH"])
def update(note_id: int) -> ResponseReturnValue:
    """Replace a note (``PUT``: both fields) or change some fields (``PATCH``)."""
    db = get_db()
    user = current_user()
    note = owned_note(db, user, note_id)
    data = json_object()
    if request.method == "PATCH":
        data = {"title": note.title, "body": note.body, **data}
    errors = validate_note(data.get("title"), data.get("body"))
    if errors:
        return invalid(errors)
    update_note(db, note.id, data["title"], data["body"])
    return note_json(owned_note(db, user, note.id))


@bp.delete("/notes/<int:note_id>")
def delete(note_id: int) -> tuple[str, int]:
    db = get_db()
    note = owned_note(db, current_user(), note_id)
    delete_note(db, note.id)
    return "", 204
