"""The pages: a user's notes, page by page, and the forms that change them."""

from __future__ import annotations

from microweb.compat import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from microweb.compat.typing import ResponseReturnValue
from notes.models import (
    create_note,
    delete_note,
    list_notes,
    owned_note,
    update_note,
    validate_note,
)

from .auth import current_user
from .db import get_db

# Named "notes" as in the explicit app: the templates link to notes.index.
bp = Blueprint("notes", __name__)


# A before-hook, not a login_required decorator on each view: microweb checks
# the CSRF token after the before-hooks and before the view, so a decorator
# would answer a logged-out POST without a token with 400 where the explicit
# app (and this hook) send the visitor to the login page.
@bp.before_request
def require_login() -> ResponseReturnValue | None:
    """Send a visitor who is not logged in to the login page."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    return None


@bp.get("/")
def index() -> str:
    per_page: int = current_app.config["NOTES_PER_PAGE"]
    page = request.args.get("page", 1, type=int)
    notes, pages, total = list_notes(get_db(), current_user().id, page, per_page)
    return render_template("notes/index.html", notes=notes, page=page, pages=pages, total=total)


@bp.route("/notes/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    title = request.form.get("title", "")
    body = request.form.get("body", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = validate_note(title, body)
        if not errors:
            create_note(get_db(), current_user().id, title, body)
            flash("Note created.", "success")
            return redirect(url_for("notes.index"))
    page = render_template("notes/form.html", note=None, title=title, body=body, errors=errors)
    return (page, 400) if errors else page


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit(note_id: int) -> ResponseReturnValue:
    db = get_db()
    note = owned_note(db, current_user(), note_id)
    title, body = note.title, note.body
    errors: dict[str, str] = {}
    if request.method == "POST":
        title = request.form.get("title", "")
        body = request.form.get("body", "")
        errors = validate_note(title, body)
        if not errors:
            update_note(db, note.id, title, body)
            flash("Note saved.", "success")
            return redirect(url_for("notes.index"))
    page = render_template("notes/form.html", note=note, title=title, body=body, errors=errors)
    return (page, 400) if errors else page


@bp.post("/notes/<int:note_id>/delete")
def delete(note_id: int) -> ResponseReturnValue:
    db = get_db()
    note = owned_note(db, current_user(), note_id)
    delete_note(db, note.id)
    flash(f"Deleted “{note.title}”.", "success")
    return redirect(url_for("notes.index"))
