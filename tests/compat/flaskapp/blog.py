"""Entries: each member writes private ones, and shares some with everyone."""

from microweb.compat import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from .auth import login_required
from .db import get_db

bp = Blueprint("blog", __name__)

_ENTRY_QUERY = (
    "SELECT e.id, e.title, e.body, e.shared, e.written, e.author_id, m.username"
    " FROM entry e JOIN member m ON m.id = e.author_id"
)


def visible_entries():
    """The shared entries, and the current member's own."""
    member_id = g.user["id"] if g.user else None
    return (
        get_db()
        .execute(
            f"{_ENTRY_QUERY} WHERE e.shared = 1 OR e.author_id = ?"
            " ORDER BY e.written DESC, e.id DESC",
            (member_id,),
        )
        .fetchall()
    )


def get_entry(entry_id, must_own=True):
    """Return the entry, or stop with 404 (missing, or someone's private one) or 403."""
    entry = get_db().execute(f"{_ENTRY_QUERY} WHERE e.id = ?", (entry_id,)).fetchone()
    if entry is None:
        abort(404, f"There is no entry {entry_id}.")
    mine = g.user is not None and entry["author_id"] == g.user["id"]
    if not mine and not entry["shared"]:
        abort(404, f"There is no entry {entry_id}.")
    if must_own and not mine:
        abort(403)
    return entry


def _read_form():
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "")
    shared = 1 if request.form.get("shared") else 0
    if not title:
        flash("An entry needs a title.", "error")
        return None
    return title, body, shared


@bp.route("/")
def index():
    return render_template("blog/index.html", entries=visible_entries())


@bp.route("/entries/<int:entry_id>")
def show(entry_id):
    return render_template("blog/show.html", entry=get_entry(entry_id, must_own=False))


@bp.route("/entries/new", methods=("GET", "POST"))
@login_required
def create():
    if request.method == "POST":
        fields = _read_form()
        if fields is not None:
            db = get_db()
            cursor = db.execute(
                "INSERT INTO entry (title, body, shared, author_id) VALUES (?, ?, ?, ?)",
                (*fields, g.user["id"]),
            )
            db.commit()
            flash("Entry saved.", "success")
            return redirect(url_for("blog.show", entry_id=cursor.lastrowid))
    return render_template("blog/form.html", entry=None)


@bp.route("/entries/<int:entry_id>/edit", methods=("GET", "POST"))
@login_required
def edit(entry_id):
    entry = get_entry(entry_id)
    if request.method == "POST":
        fields = _read_form()
        if fields is not None:
            db = get_db()
            db.execute(
                "UPDATE entry SET title = ?, body = ?, shared = ? WHERE id = ?",
                (*fields, entry_id),
            )
            db.commit()
            flash("Entry updated.", "success")
            return redirect(url_for("blog.show", entry_id=entry_id))
    return render_template("blog/form.html", entry=entry)


@bp.route("/entries/<int:entry_id>/delete", methods=("POST",))
@login_required
def delete(entry_id):
    get_entry(entry_id)
    db = get_db()
    db.execute("DELETE FROM entry WHERE id = ?", (entry_id,))
    db.commit()
    flash("Entry deleted.", "info")
    return redirect(url_for("blog.index"))


@bp.route("/api/entries")
def entries_json():
    """The visible entries as JSON, newest first."""
    return jsonify(
        member=g.user["username"] if g.user else None,
        entries=[
            {
                "id": entry["id"],
                "title": entry["title"],
                "author": entry["username"],
                "shared": bool(entry["shared"]),
                "url": url_for("blog.show", entry_id=entry["id"], _external=True),
            }
            for entry in visible_entries()
        ],
    )
