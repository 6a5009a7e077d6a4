"""The pages: a user's notes, page by page, and the forms that change them."""

from __future__ import annotations

from microweb import Blueprint, Response, flash, redirect, render, url_for

from .db import get_db
from .models import (
    NotesRequest,
    User,
    create_note,
    delete_note,
    list_notes,
    owned_note,
    update_note,
    validate_note,
)

bp = Blueprint("notes", __name__)


@bp.before_request
def require_login(request: NotesRequest) -> Response | None:
    """Send a visitor who is not logged in to the login page."""
    if request.g.user is None:
        return redirect(url_for(request, "auth.login"))
    return None


def current_user(request: NotesRequest) -> User:
    """Return the logged-in user; :func:`require_login` made sure there is one."""
    user = request.g.user
    assert user is not None
    return user


@bp.get("/")
def index(request: NotesRequest) -> str:
    per_page: int = request.app.config["NOTES_PER_PAGE"]
    page = request.args.get("page", 1, type=int)
    db = get_db(request)
    notes, pages, total = list_notes(db, current_user(request).id, page, per_page)
    return render(request, "notes/index.html", notes=notes, page=page, pages=pages, total=total)


@bp.route("/notes/new", methods=["GET", "POST"])
def new(request: NotesRequest) -> str | tuple[str, int] | Response:
    title = request.form.get("title", "")
    body = request.form.get("body", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = validate_note(title, body)
        if not errors:
            create_note(get_db(request), current_user(request).id, title, body)
            flash(request, "Note created.", "success")
            return redirect(url_for(request, "notes.index"))
    page = render(request, "notes/form.html", note=None, title=title, body=body, errors=errors)
    return (page, 400) if errors else page


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit(request: NotesRequest, note_id: int) -> str | tuple[str, int] | Response:
    db = get_db(request)
    note = owned_note(db, current_user(request), note_id)
    title, body = note.title, note.body
    errors: dict[str, str] = {}
    if request.method == "POST":
        title = request.form.get("title", "")
        body = request.form.get("body", "")
        errors = validate_note(title, body)
        if not errors:
            update_note(db, note.id, title, body)
            flash(request, "Note saved.", "success")
            return redirect(url_for(request, "notes.index"))
    page = render(request, "notes/form.html", note=note, title=title, body=body, errors=errors)
    return (page, 400) if errors else page


@bp.post("/notes/<int:note_id>/delete")
def delete(request: NotesRequest, note_id: int) -> Response:
    db = get_db(request)
    note = owned_note(db, current_user(request), note_id)
    delete_note(db, note.id)
    flash(request, f"Deleted “{note.title}”.", "success")
    return redirect(url_for(request, "notes.index"))
