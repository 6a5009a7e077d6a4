"""Accounts: register, log in, log out, and the hook that loads the user into ``g``."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from microweb.compat import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from microweb.compat.typing import ResponseReturnValue
from notes.models import User, create_user, find_login, find_user, validate_registration

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user in ``g.user``, or ``None``.

    A static file needs no user: skipping it keeps the session cookie
    unread there, so stylesheets are sent without ``Vary: Cookie``.
    """
    g.user = None
    if request.endpoint == "static":
        return
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        # None if the account is gone: the cookie then logs no one in.
        g.user = find_user(get_db(), user_id)


def current_user() -> User:
    """Return the logged-in user.

    Call it where a guard made sure there is one: ``pages.require_login``
    or ``api.require_user``.
    """
    user: User | None = g.user
    assert user is not None
    return user


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    username = request.form.get("username", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        errors = validate_registration(username, password)
        if not errors:
            password_hash = generate_password_hash(
                password, method=current_app.config["PASSWORD_HASH_METHOD"]
            )
            if create_user(get_db(), username, password_hash) is not None:
                flash(f"Welcome, {username}! Log in to start writing.", "success")
                return redirect(url_for("auth.login"))
            errors["username"] = f"The name {username!r} is taken; choose another."
    page = render_template(
        "auth/form.html",
        title="Create an account",
        button="Register",
        register=True,
        username=username,
        errors=errors,
    )
    return (page, 400) if errors else page


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    username = request.form.get("username", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        found = find_login(get_db(), username)
        if found is not None and check_password_hash(found[1], request.form.get("password", "")):
            user = found[0]
            # A new session on login: nothing from before it carries over.
            session.clear()
            session["user_id"] = user.id
            flash(f"Hello, {user.username}.", "success")
            return redirect(url_for("notes.index"))
        errors["form"] = "That username and password do not match an account."
    page = render_template(
        "auth/form.html",
        title="Log in",
        button="Log in",
        register=False,
        username=username,
        errors=errors,
    )
    return (page, 400) if errors else page


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    # A POST with the CSRF token: a link elsewhere cannot log a user out.
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
