"""Configuration: a dict with loaders and documented defaults."""

from __future__ import annotations

import errno
import json
import os
import types
import typing as t
from datetime import timedelta

from werkzeug.utils import import_string

#: The default of every key microweb reads. Extensions add their own keys.
DEFAULT_CONFIG: dict[str, t.Any] = {
    #: Debug mode: tracebacks in the browser (with ``run``) and reloading.
    "DEBUG": False,
    #: Testing mode: unhandled exceptions propagate to the test.
    "TESTING": False,
    #: Let unhandled exceptions propagate instead of answering 500. ``None``
    #: means: when ``TESTING`` or ``DEBUG`` is on.
    "PROPAGATE_EXCEPTIONS": None,
    #: The key that signs session cookies and tokens. Keep it secret.
    "SECRET_KEY": None,
    #: Older keys still accepted when verifying, for key rotation.
    "SECRET_KEY_FALLBACKS": None,
    #: The host (and port) the app is served at, such as ``example.com``;
    #: needed for ``app.url_for`` outside a request and subdomain matching.
    "SERVER_NAME": None,
    #: The path the app is mounted under, for URLs built outside a request.
    "APPLICATION_ROOT": "/",
    #: The scheme of URLs built outside a request.
    "PREFERRED_URL_SCHEME": "http",
    #: The largest request body, in bytes, read before answering 413.
    "MAX_CONTENT_LENGTH": None,
    #: The largest non-file form field, in bytes (413 beyond it).
    "MAX_FORM_MEMORY_SIZE": 500_000,
    #: The most parts a multipart form may have (413 beyond it).
    "MAX_FORM_PARTS": 1_000,
    #: The hosts the app answers; any other ``Host`` gets 400. ``None``
    #: answers every host.
    "TRUSTED_HOSTS": None,
    #: Raise HTTP errors to the test or debugger instead of handling them.
    "TRAP_HTTP_EXCEPTIONS": False,
    #: Raise a missing form or query key instead of answering 400. ``None``
    #: means: in debug mode.
    "TRAP_BAD_REQUEST_ERRORS": None,
    #: The session cookie's name.
    "SESSION_COOKIE_NAME": "session",
    #: The session cookie's ``Domain``; ``None`` for the request's host only.
    "SESSION_COOKIE_DOMAIN": None,
    #: The session cookie's ``Path``; ``None`` for ``APPLICATION_ROOT``.
    "SESSION_COOKIE_PATH": None,
    #: Hide the session cookie from JavaScript.
    "SESSION_COOKIE_HTTPONLY": True,
    #: Send the session cookie over HTTPS only.
    "SESSION_COOKIE_SECURE": False,
    #: The session cookie's ``SameSite``: ``"Lax"``, ``"Strict"`` or ``None``.
    "SESSION_COOKIE_SAMESITE": "Lax",
    #: Mark the session cookie ``Partitioned`` (CHIPS).
    "SESSION_COOKIE_PARTITIONED": False,
    #: Send a permanent session's cookie on every request, renewing it.
    "SESSION_REFRESH_EACH_REQUEST": True,
    #: How long a permanent session lasts.
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    #: The ``max-age`` of static files, in seconds; ``None`` for none.
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    #: Reload changed templates; ``None`` means: in debug mode.
    "TEMPLATES_AUTO_RELOAD": None,
    #: Require a CSRF token on POST, PUT, PATCH and DELETE (see ``csrf``).
    "CSRF_ENABLED": False,
    #: The form field that carries the CSRF token.
    "CSRF_FIELD_NAME": "csrf_token",
    #: The header that carries the CSRF token, for scripts.
    "CSRF_HEADER_NAME": "X-CSRFToken",
    #: How long a CSRF token is valid, in seconds; ``None`` for as long as
    #: the session.
    "CSRF_TIME_LIMIT": 3600,
}


def fallback_keys(config: t.Mapping[str, t.Any]) -> tuple[str | bytes, ...]:
    """``SECRET_KEY_FALLBACKS`` as a tuple of keys, oldest first.

    A single key given as a ``str`` or ``bytes`` is one key, not a
    sequence of one-character keys (which anyone could sign with).
    """
    fallbacks = config["SECRET_KEY_FALLBACKS"]
    if not fallbacks:
        return ()
    if isinstance(fallbacks, (str, bytes)):
        return (fallbacks,)
    return tuple(fallbacks)


class Config(dict[str, t.Any]):
    """The app's configuration: a dict of UPPERCASE keys, with loaders.

    Every loader takes only the UPPERCASE names of what it loads, so a
    module or file can hold helpers in lowercase.

    :param root_path: What relative file names are relative to.
    :param defaults: The initial values; copied, never changed.
    """

    def __init__(
        self, root_path: str | os.PathLike[str], defaults: t.Mapping[str, t.Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = os.fspath(root_path)

    def from_mapping(
        self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any
    ) -> bool:
        """Take the UPPERCASE keys of *mapping* and *kwargs*. Returns ``True``."""
        for key, value in {**(mapping or {}), **kwargs}.items():
            if key.isupper():
                self[key] = value
        return True

    def from_object(self, obj: object | str) -> None:
        """Take the UPPERCASE attributes of *obj*.

        :param obj: A module, a class or any object, or its import string
            (``"pkg.settings"`` or ``"pkg.settings:Production"``).
        """
        if isinstance(obj, str):
            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Run a Python file and take its UPPERCASE globals.

        :param filename: Relative to :attr:`root_path`, or absolute.
        :param silent: Return ``False`` instead of raising if the file is
            missing.
        :raises OSError: If the file cannot be read.
        """
        path = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, "rb") as f:
                exec(compile(f.read(), path, "exec"), module.__dict__)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        self.from_object(module)
        return True

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by the environment variable *variable_name*.

        :raises RuntimeError: If the variable is not set and not *silent*.
        """
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set. Set it"
                " to the path of a configuration file, such as"
                f" '{variable_name}=/path/to/settings.py'."
            )
        return self.from_pyfile(filename, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "MICROWEB", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Take every environment variable named ``{prefix}_KEY``.

        Each value goes through *loads* (JSON by default, so ``"5"`` is an
        int and ``"true"`` a bool) and stays a string if that fails. A double
        underscore sets a nested key: ``MICROWEB_DB__HOST`` sets
        ``config["DB"]["HOST"]``.
        """
        start = f"{prefix}_"
        for name in sorted(os.environ):
            if not name.startswith(start):
                continue
            raw = os.environ[name]
            try:
                value = loads(raw)
            except Exception:
                value = raw
            *parents, last = name[len(start) :].split("__")
            target: dict[str, t.Any] = self
            for part in parents:
                child = target.get(part)
                if not isinstance(child, dict):
                    child = target[part] = {}
                target = child
            target[last] = value
        return True

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with *load* and take the UPPERCASE keys of the result.

        ``config.from_file("config.json", json.load)`` or
        ``config.from_file("config.toml", tomllib.load, text=False)``.

        :param text: Open the file as text; ``tomllib.load`` needs
            ``False``.
        :raises OSError: If the file cannot be read and not *silent*.
        """
        path = os.path.join(self.root_path, filename)
        try:
            with open(path, "r" if text else "rb") as f:
                data = load(f)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(data)

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """Return the keys that start with *namespace*, such as ``"MAIL_"``.

        :param lowercase: Lowercase the returned keys.
        :param trim_namespace: Drop the namespace from the returned keys.
        """
        rv: dict[str, t.Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            if trim_namespace:
                key = key[len(namespace) :]
            rv[key.lower() if lowercase else key] = value
        return rv

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


class ConfigFlag:
    """An attribute of the app that is the truth of one config key.

    ``debug = ConfigFlag("DEBUG")`` makes ``app.debug`` read
    ``bool(app.config["DEBUG"])``, and ``app.debug = True`` set it.
    """

    def __init__(self, key: str) -> None:
        #: The config key.
        self.key = key

    @t.overload
    def __get__(self, obj: None, owner: type) -> ConfigFlag: ...

    @t.overload
    def __get__(self, obj: object, owner: type) -> bool: ...

    def __get__(self, obj: object | None, owner: type) -> ConfigFlag | bool:
        if obj is None:
            return self
        return bool(obj.config[self.key])  # type: ignore[attr-defined]  # only used on App, which has a config

    def __set__(self, obj: object, value: bool) -> None:
        obj.config[self.key] = value  # type: ignore[attr-defined]  # only used on App, which has a config
