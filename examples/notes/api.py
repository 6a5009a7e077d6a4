"""The JSON API under ``/api/``: the same notes and rules as the pages.

It authenticates with the session cookie the pages set, so a page on
another site could try to make a logged-in user's browser change notes.
It is exempt from the form CSRF token and protected this way instead:

- ``POST``, ``PUT`` and ``PATCH`` need ``Content-Type: application/json``
  (else 415). A form or a "simple" ``fetch`` from another origin cannot
  send that type; a script that sets it triggers a CORS preflight, which
  this app never approves.
- ``DELETE`` cannot be sent by a form at all, and a cross-origin
  ``fetch`` with it is preflighted the same way.
- The session cookie is ``SameSite=Lax``, so cross-site subrequests do not
  carry it in the first place in browsers that honour it.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException

from microweb import Blueprint, Response, abort, csrf_exempt, jsonify, url_for
from microweb.typing import ResponseReturnValue

from .db import get_db
from .models import (
    Note,
    NotesRequest,
    User,
    create_note,
    delete_note,
    list_notes,
    owned_note,
    update_note,
    validate_note,
)

bp = csrf_exempt(Blueprint("api", __name__, url_prefix="/api"))

#: The methods that change something and carry a JSON body.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@bp.before_request
def require_user(request: NotesRequest) -> None:
    if request.g.user is None:
        abort(401, "Log in first: the API uses the session cookie of the site.")


@bp.before_request
def require_json(request: NotesRequest) -> None:
    # The CSRF protection of the API; see the module's docstring.
    if request.method in BODY_METHODS and request.mimetype != "application/json":
        abort(415, "Send the note as JSON, with Content-Type: application/json.")


def current_user(request: NotesRequest) -> User:
    user = request.g.user
    assert user is not None  # require_user ran
    return user


def note_json(request: NotesRequest, note: Note) -> dict[str, t.Any]:
    return {
        "id": note.id,
        "title": note.title,
        "body": note.body,
        "created": note.created,
        "updated": note.updated,
        "url": url_for(request, "api.get_note", note_id=note.id),
    }


def json_object(request: NotesRequest) -> dict[str, t.Any]:
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


def json_error(request: NotesRequest, error: HTTPException) -> Response:
    """Answer an HTTP error as JSON: its code, name and description."""
    response = jsonify(code=error.code, error=error.name, message=error.description)
    response.status_code = error.code or 500
    for key, value in error.get_headers(request.environ):
        if key.lower() != "content-type":  # Allow on a 405, say
            response.headers[key] = value
    return response


@bp.get("/notes")
def index(request: NotesRequest) -> dict[str, t.Any]:
    per_page: int = request.app.config["NOTES_PER_PAGE"]
    page = request.args.get("page", 1, type=int)
    db = get_db(request)
    notes, pages, total = list_notes(db, current_user(request).id, page, per_page)
    return {
        "notes": [note_json(request, note) for note in notes],
        "page": page,
        "pages": pages,
        "total": total,
    }


@bp.post("/notes")
def create(request: NotesRequest) -> ResponseReturnValue:
    data = json_object(request)
    errors = validate_note(data.get("title"), data.get("body"))
    if errors:
        return invalid(errors)
    db = get_db(request)
    user = current_user(request)
    note_id = create_note(db, user.id, data["title"], data["body"])
    note = note_json(request, owned_note(db, user, note_id))
    return note, 201, {"Location": note["url"]}


@bp.get("/notes/<int:note_id>")
def get_note(request: NotesRequest, note_id: int) -> dict[str, t.Any]:
    note = owned_note(get_db(request), current_user(request), note_id)
    return note_json(request, note)


@bp.route("/notes/<int:note_id>", methods=["PUT", "PATCH"])
def update(request: NotesRequest, note_id: int) -> ResponseReturnValue:
    """Replace a note (``PUT``: both fields) or change some fields (``PATCH``)."""
    db = get_db(request)
    user = current_user(request)
    note = owned_note(db, user, note_id)
    data = json_object(request)
    if request.method == "PATCH":
        data = {"title": note.title, "body": note.body, **data}
    errors = validate_note(data.get("title"), data.get("body"))
    if errors:
        return invalid(errors)
    update_note(db, note.id, data["title"], data["body"])
    return note_json(request, owned_note(db, user, note.id))


@bp.delete("/notes/<int:note_id>")
def delete(request: NotesRequest, note_id: int) -> tuple[str, int]:
    db = get_db(request)
    note = owned_note(db, current_user(request), note_id)
    delete_note(db, note.id)
    return "", 204
