"""The deployment check: risks in an app's setup, each with its fix.

``microweb check`` prints them; :func:`deployment_risks` returns them, for
a test that keeps a production config safe.
"""

from __future__ import annotations

import os
import typing as t

from .csrf import UNSAFE_METHODS, is_exempt
from .routing import blueprint_chain

if t.TYPE_CHECKING:
    from .app import App


class Risk(t.NamedTuple):
    """A deployment risk that ``microweb check`` reports."""

    #: What is wrong.
    problem: str
    #: How to fix it.
    fix: str


#: The shortest ``SECRET_KEY`` that ``check`` accepts, in bytes.
MIN_SECRET_KEY_LENGTH = 32


def deployment_risks(app: App) -> list[Risk]:
    """Return the risks of serving *app*, as configured, in production.

    ``microweb check`` prints them; a test can assert there are none.
    """
    config = app.config
    risks: list[Risk] = []
    if app.debug:
        risks.append(Risk("DEBUG is on.", "set DEBUG = False in production."))
    secret_key = config["SECRET_KEY"]
    key_fix = (
        "set it from the environment or the instance config to a value"
        " such as secrets.token_hex(32)."
    )
    if not secret_key:
        risks.append(Risk("SECRET_KEY is not set: sessions and CSRF tokens fail.", key_fix))
    else:
        size = len(secret_key.encode() if isinstance(secret_key, str) else secret_key)
        if size < MIN_SECRET_KEY_LENGTH:
            risks.append(
                Risk(
                    f"SECRET_KEY is {size} bytes long: shorter than"
                    f" {MIN_SECRET_KEY_LENGTH}, it is easier to guess.",
                    key_fix,
                )
            )
    if not config["SESSION_COOKIE_SECURE"]:
        risks.append(
            Risk(
                "SESSION_COOKIE_SECURE is off: the session cookie is sent over plain HTTP too.",
                "serve over HTTPS and set SESSION_COOKIE_SECURE = True.",
            )
        )
    if not config["TRUSTED_HOSTS"]:
        risks.append(
            Risk(
                "TRUSTED_HOSTS is not set: the app answers any Host header.",
                "list the hosts you serve, as in TRUSTED_HOSTS = ['example.com'].",
            )
        )
    if config["MAX_CONTENT_LENGTH"] is None:
        risks.append(
            Risk(
                "MAX_CONTENT_LENGTH is not set: a request body may be of any size.",
                "set a limit in bytes, as in MAX_CONTENT_LENGTH = 16 * 1024 * 1024.",
            )
        )
    if not config["CSRF_ENABLED"]:
        unsafe = _unprotected_endpoints(app)
        if unsafe:
            risks.append(
                Risk(
                    f"CSRF_ENABLED is off, and these endpoints accept"
                    f" {', '.join(sorted(UNSAFE_METHODS))}: {', '.join(unsafe)}.",
                    "set CSRF_ENABLED = True and put csrf_token() in every form;"
                    " mark views that authenticate otherwise with csrf_exempt.",
                )
            )
    risks.extend(_static_folder_risks(app))
    return risks


def _unprotected_endpoints(app: App) -> list[str]:
    """The endpoints that accept an unsafe method and are not exempt from CSRF."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if (
            view is not None
            and rule.redirect_to is None
            and not rule.build_only
            and (rule.methods or set()) & UNSAFE_METHODS
            and not is_exempt(app, view, blueprint_chain(rule.endpoint))
        ):
            found.add(rule.endpoint)
    return sorted(found)


def _static_folder_risks(app: App) -> list[Risk]:
    """Static folders that would serve code, the instance folder or the app's folder."""
    folders: dict[str, str] = {}
    if app.static_folder is not None:
        folders[os.path.realpath(app.static_folder)] = "The static folder"
    for name, blueprint in app.blueprints.items():
        if blueprint.static_folder is not None:
            path = os.path.realpath(os.path.join(blueprint.root_path, blueprint.static_folder))
            folders.setdefault(path, f"Blueprint {name!r}'s static folder")
    root = os.path.realpath(app.root_path)
    instance = os.path.realpath(app.instance_path)
    risks: list[Risk] = []
    fix = "serve a folder that holds static files only, such as 'static'."
    for folder, label in folders.items():
        if _contains(folder, root):
            risks.append(Risk(f"{label} {folder} holds the app's folder {root}.", fix))
        elif _contains(folder, instance):
            risks.append(
                Risk(f"{label} {folder} holds the instance folder {instance}.", fix)
            )
        else:
            code = _python_file_in(folder)
            if code is not None:
                risks.append(
                    Risk(f"{label} {folder} holds Python code: {code}.", "move the code out of it.")
                )
    return risks


def _contains(folder: str, path: str) -> bool:
    """Whether *path* is *folder* or inside it."""
    try:
        return os.path.commonpath([folder, path]) == folder
    except ValueError:
        return False  # different drives


def _python_file_in(folder: str) -> str | None:
    """The first ``.py`` file under *folder*, or ``None``."""
    for directory, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".py"):
                return os.path.join(directory, name)
    return None
