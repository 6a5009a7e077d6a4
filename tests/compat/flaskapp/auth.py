"""Joining, logging in and out, and ``g.user`` for every request."""

import functools

from werkzeug.security import check_password_hash, generate_password_hash

from microweb.compat import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    """Send visitors who are not logged in to the login page, then back."""

    @functools.wraps(view)
    def wrapped_view(**kwargs):
        if g.user is None:
            flash("Log in to see that page.", "warning")
            return redirect(url_for("auth.login", next=request.path))
        return view(**kwargs)

    return wrapped_view


@bp.before_app_request
def load_logged_in_user():
    member_id = session.get("member_id")
    if member_id is None:
        g.user = None
    else:
        g.user = (
            get_db().execute("SELECT * FROM member WHERE id = ?", (member_id,)).fetchone()
        )


def _form_error(username, password):
    if not username:
        return "Choose a username."
    if len(password) < 8:
        return "Choose a password of at least 8 characters."
    return None


@bp.route("/join", methods=("GET", "POST"))
def join():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        error = _form_error(username, password)
        if error is None:
            db = get_db()
            try:
                db.execute(
                    "INSERT INTO member (username, password_hash) VALUES (?, ?)",
                    (username, generate_password_hash(password)),
                )
                db.commit()
            except db.IntegrityError:
                error = f"The name {username} is taken."
            else:
                flash(f"Welcome aboard, {username}. Log in to start writing.", "success")
                return redirect(url_for("auth.login"))
        flash(error, "error")
    return render_template("auth/join.html")


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        member = (
            get_db().execute("SELECT * FROM member WHERE username = ?", (username,)).fetchone()
        )
        if member is None or not check_password_hash(member["password_hash"], password):
            flash("Wrong username or password.", "error")
        else:
            session.clear()
            session["member_id"] = member["id"]
            session.permanent = bool(request.form.get("remember"))
            flash(f"Hello again, {member['username']}.", "success")
            next_page = request.args.get("next", "")
            # Only paths on this site: never an open redirect.
            if not next_page.startswith("/") or next_page.startswith("//"):
                next_page = url_for("blog.index")
            return redirect(next_page)
    return render_template("auth/login.html")


@bp.route("/logout", methods=("POST",))
def logout():
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("blog.index"))
