"""Accounts: register, log in, log out, and the hook that loads the user."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from microweb import Blueprint, Response, flash, redirect, render, url_for

from .db import get_db
from .models import NotesRequest, create_user, find_login, find_user, validate_registration

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_user(request: NotesRequest) -> None:
    """Put the logged-in user in ``request.g.user``, or leave it ``None``.

    A static file needs no user: skipping it keeps the session cookie
    unread there, so stylesheets are sent without ``Vary: Cookie``.
    """
    if request.endpoint == "static":
        return
    user_id = request.session.get("user_id")
    if isinstance(user_id, int):
        # None if the account is gone: the cookie then logs no one in.
        request.g.user = find_user(get_db(request), user_id)


@bp.route("/register", methods=["GET", "POST"])
def register(request: NotesRequest) -> str | tuple[str, int] | Response:
    username = request.form.get("username", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        errors = validate_registration(username, password)
        if not errors:
            password_hash = generate_password_hash(
                password, method=request.app.config["PASSWORD_HASH_METHOD"]
            )
            if create_user(get_db(request), username, password_hash) is not None:
                flash(request, f"Welcome, {username}! Log in to start writing.", "success")
                return redirect(url_for(request, "auth.login"))
            errors["username"] = f"The name {username!r} is taken; choose another."
    page = render(
        request,
        "auth/form.html",
        title="Create an account",
        button="Register",
        register=True,
        username=username,
        errors=errors,
    )
    return (page, 400) if errors else page


@bp.route("/login", methods=["GET", "POST"])
def login(request: NotesRequest) -> str | tuple[str, int] | Response:
    username = request.form.get("username", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        found = find_login(get_db(request), username)
        if found is not None and check_password_hash(found[1], request.form.get("password", "")):
            user = found[0]
            # A new session on login: nothing from before it (a CSRF token
            # an attacker planted, say) carries over.
            request.session.clear()
            request.session["user_id"] = user.id
            flash(request, f"Hello, {user.username}.", "success")
            return redirect(url_for(request, "notes.index"))
        errors["form"] = "That username and password do not match an account."
    page = render(
        request,
        "auth/form.html",
        title="Log in",
        button="Log in",
        register=False,
        username=username,
        errors=errors,
    )
    return (page, 400) if errors else page


@bp.post("/logout")
def logout(request: NotesRequest) -> Response:
    # A POST with the CSRF token: a link or an image elsewhere cannot log
    # a user out.
    request.session.clear()
    flash(request, "You are logged out.")
    return redirect(url_for(request, "auth.login"))
