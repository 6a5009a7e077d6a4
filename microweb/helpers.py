"""Helpers for views: URLs, redirects, aborting, responses and JSON."""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import typing as t
from datetime import datetime, timedelta
from types import FunctionType

from werkzeug.exceptions import NotFound
from werkzeug.exceptions import abort as _werkzeug_abort
from werkzeug.utils import redirect as _werkzeug_redirect
from werkzeug.utils import send_file as _werkzeug_send_file
from werkzeug.utils import send_from_directory as _werkzeug_send_from_directory
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse

from .json import dumps as json_dumps
from .routing import build_url
from .responses import Response
from .wrappers import Request

if t.TYPE_CHECKING:
    from .typing import ResponseReturnValue


_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


#: The runtime default of a request-first function's required arguments
#: (see :func:`request_first`). Typed ``Any`` so that ``arg is MISSING``
#: type-checks whatever the argument's type.
MISSING: t.Any = object()


def request_first(f: _F) -> _F:
    """Let *f*, whose first argument is the request, tell a caller who forgot it.

    Python checks the number of arguments before the body runs, so
    ``url_for("index")`` would fail with "missing 1 required positional
    argument: 'endpoint'", which says nothing of the request. This gives
    each required positional argument the default :data:`MISSING` at
    runtime only: type checkers, :func:`inspect.signature` and the docs
    still see them required, and the body's ``isinstance`` check raises
    :func:`request_first_error`. *f* itself is returned, so calling it
    costs nothing more.
    """
    function = t.cast(FunctionType, f)
    signature = inspect.signature(function)
    defaults = function.__defaults__ or ()
    required = function.__code__.co_argcount - len(defaults)
    function.__defaults__ = (MISSING,) * required + defaults
    function.__signature__ = signature  # type: ignore[attr-defined]  # read by inspect.signature, which the docs use
    return f


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:36]}...{text[-1]}"


def request_first_error(f: t.Callable[..., t.Any], /, *args: t.Any, **kwargs: t.Any) -> TypeError:
    """Return the error for *f* called without the request first.

    Only called once a call has failed, so it may take its time.

    :param f: The request-first function that was called.
    :param args: Its positional arguments as they arrived, :data:`MISSING`
        for those not passed; the first is what came instead of the request.
    :param kwargs: Keyword arguments to show in the corrected call; those
        equal to their default are left out.
    """
    name = f.__name__
    parameters = inspect.signature(f).parameters
    if isinstance(args[0], Request):
        # The request came first; another required argument is missing.
        missing = [p for p, value in zip(parameters, args) if value is MISSING]
        names = " and ".join(repr(p) for p in missing)
        plural = "s" if len(missing) > 1 else ""
        return TypeError(
            f"{name}() missing {len(missing)} required positional argument{plural}: {names}"
        )
    # A request passed in another place is left out of the corrected call.
    given = [
        _short_repr(a) for a in args if a is not MISSING and not isinstance(a, _WerkzeugRequest)
    ]
    given += [
        f"{key}={_short_repr(value)}"
        for key, value in kwargs.items()
        if key not in parameters or value is not parameters[key].default
    ]
    if not given and len(args) > 1:
        given.append("...")
    call = f"{name}({', '.join(['request', *given])})"
    if isinstance(args[0], _WerkzeugRequest):
        return TypeError(
            f"{name}() needs microweb's Request, the one the view received, not"
            f" a {type(args[0]).__module__}.{type(args[0]).__qualname__}: {call}"
        )
    return TypeError(
        f"pass the request first: {call} (a view, hook or error handler"
        " receives the request as its first argument)"
    )


@request_first
def url_for(
    request: Request,
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Return the URL for *endpoint*, relative to *request*.

    :param request: The request being handled; it supplies the host,
        script root and current blueprint.
    :param endpoint: ``"name"``, ``"blueprint.name"`` or ``".name"`` for an
        endpoint of the current request's blueprint.
    :param _anchor: Appended after ``#``.
    :param _method: Pick the rule that accepts this method.
    :param _scheme: The URL's scheme; it makes the URL external.
    :param _external: Return an absolute URL with scheme and host.
    :param values: The rule's arguments; the others go into the query
        string.
    :raises werkzeug.routing.BuildError: If no rule matches the values.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or endpoint is MISSING:
        raise request_first_error(
            url_for,
            request,
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )
    if endpoint[:1] == ".":
        blueprint = request.blueprint
        endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
    app = request.app
    if app.url_default_functions:
        # perf: one dict test for apps without URL default functions.
        app.inject_url_defaults(request, endpoint, values)
    return build_url(
        request.url_adapter(),
        endpoint,
        values,
        method=_method,
        scheme=_scheme,
        external=_external,
        anchor=_anchor,
    )


def redirect(location: str, code: int = 302) -> Response:
    """Return a response that redirects the client to *location*.

    :param location: The URL to go to, often from :func:`url_for`.
    :param code: 301, 302, 303, 307 or 308.
    """
    return _werkzeug_redirect(location, code, Response)  # type: ignore[return-value]  # werkzeug returns the class it is given


def abort(code: int | Response, description: str | None = None) -> t.NoReturn:
    """Stop handling the request with the HTTP error *code*.

    The error goes through the app's error handlers like any other.

    :param code: A status code such as ``404``, or a response to send as
        it is, status and all.
    :param description: Shown in the error body instead of the default;
        only with a status code.
    :raises werkzeug.exceptions.HTTPException: Always, to stop the request.
    :raises TypeError: If *code* is a response and *description* is given:
        werkzeug would send the response unchanged and drop it, so
        ``abort(response, 418)`` would silently answer 200.
    """
    if description is None:
        _werkzeug_abort(code)
    if isinstance(code, _WerkzeugResponse):
        status = (
            f"response.status_code = {description}"
            if isinstance(description, int)
            else "response.status_code"
        )
        raise TypeError(
            f"abort(response, {description!r}): abort(response) sends the response"
            f" as it is and takes nothing else. Set {status} before aborting, or"
            " call abort(code, description) for an error page."
        )
    _werkzeug_abort(code, description)


@request_first
def make_response(request: Request, *args: t.Any) -> Response:
    """Turn a view's return value into a response that can be changed.

    ``make_response(request, "body", 201, {"X-A": "1"})`` accepts what a
    view may return, spread over the arguments.

    :param request: The request being handled.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request):
        raise request_first_error(make_response, request, *args)
    if not args:
        return request.app.response_class()
    rv: ResponseReturnValue = args[0] if len(args) == 1 else args
    return request.app.make_response(request, rv)


@request_first
def send_file(
    request: Request,
    path_or_file: os.PathLike[str] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: int | t.Callable[[str | None], int | None] | None = None,
) -> Response:
    """Send a file, with werkzeug's ETag, Last-Modified, 304 and Range support.

    :param request: The request being answered; its headers decide
        between 200, 206 and 304.
    :param path_or_file: A path, relative to the app's root path, or a
        binary file object. Never pass a path a client chose: use
        :func:`send_from_directory` for that.
    :param mimetype: Guessed from the file name by default.
    :param as_attachment: Ask the browser to download the file.
    :param download_name: The file name the browser sees.
    :param conditional: Answer conditional and range requests.
    :param etag: Compute an ETag, or use this one.
    :param last_modified: The Last-Modified time; the file's by default.
    :param max_age: Seconds the client may cache it;
        ``SEND_FILE_MAX_AGE_DEFAULT`` by default.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or path_or_file is MISSING:
        raise request_first_error(send_file, request, path_or_file)
    app = request.app
    if max_age is None:
        max_age = send_file_max_age(app.config)
    return _werkzeug_send_file(  # type: ignore[return-value]  # werkzeug returns response_class
        path_or_file,
        request.environ,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=conditional,
        etag=etag,
        last_modified=last_modified,
        max_age=max_age,
        response_class=app.response_class,
        _root_path=app.root_path,  # relative paths start at the app
    )


def send_file_max_age(config: t.Mapping[str, t.Any]) -> int | None:
    """``SEND_FILE_MAX_AGE_DEFAULT`` in seconds; the setting may be a timedelta."""
    value = config["SEND_FILE_MAX_AGE_DEFAULT"]
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return t.cast("int | None", value)


@request_first
def send_from_directory(
    request: Request,
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send the file *path* from *directory*, where *path* may come from a client.

    A path that leaves the directory (``..``, an absolute path, a drive or
    a backslash on Windows) or names no file is a 404; nothing outside
    *directory* is ever read.

    :param request: The request being answered.
    :param directory: The folder, relative to the app's root path.
    :param path: The file, relative to *directory*.
    :param kwargs: As for :func:`send_file`.
    :raises werkzeug.exceptions.NotFound: If there is no such file there.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or directory is MISSING or path is MISSING:
        raise request_first_error(send_from_directory, request, directory, path, **kwargs)
    app = request.app
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = send_file_max_age(app.config)
    kwargs.setdefault("response_class", app.response_class)
    if "\x00" in os.fspath(path):
        raise NotFound()
    return _werkzeug_send_from_directory(  # type: ignore[return-value]  # werkzeug returns response_class
        directory, path, request.environ, _root_path=app.root_path, **kwargs
    )


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """Return a JSON response with *args* or *kwargs* as its body.

    One argument is sent as it is, several as a list, keywords as an
    object; a view may also return a ``dict`` or ``list`` directly.
    """
    if args and kwargs:
        raise TypeError("jsonify() takes positional or keyword arguments, not both.")
    data = (args[0] if len(args) == 1 else list(args)) if args else kwargs
    return Response(f"{json_dumps(data)}\n", mimetype="application/json")


def default_static_url_path(folder: str | os.PathLike[str]) -> str:
    """Return ``/`` and the last part of *folder*, the default static URL."""
    return "/" + os.path.basename(os.fspath(folder).rstrip("/\\"))


def get_root_path(import_name: str) -> str:
    """Return the folder of the module or package named *import_name*.

    Resources, templates and static files are found relative to it. For a
    module that has no file (an interactive session), it is the working
    directory.
    """
    module = sys.modules.get(import_name)
    filename = getattr(module, "__file__", None)
    if filename is None:
        spec = None
        try:
            spec = importlib.util.find_spec(import_name)
        except (ImportError, ValueError):
            pass
        filename = spec.origin if spec is not None else None
        if filename is None or not os.path.isabs(filename):
            return os.getcwd()
    return os.path.dirname(os.path.abspath(filename))


def default_instance_path(import_name: str, root_path: str) -> str:
    """Return the folder ``instance`` next to the app's top-level package or module.

    That is the folder the top-level package was imported from (for
    ``myproject.app``, the folder holding ``myproject``), so a namespace
    package gets its own project's. For an app installed under
    ``sys.prefix`` or in a ``site-packages`` folder it is
    ``<prefix>/var/<import_name>-instance`` instead, as Flask does.
    """
    module = sys.modules.get(import_name)
    depth = import_name.count(".") + (1 if hasattr(module, "__path__") else 0)
    base = root_path
    for _ in range(depth):
        base = os.path.dirname(base)
    prefix = _installed_prefix(os.path.abspath(base))
    if prefix is not None:
        return os.path.join(prefix, "var", f"{import_name}-instance")
    return os.path.join(base, "instance")


def _installed_prefix(folder: str) -> str | None:
    """The prefix of the Python installation *folder* is installed in, or ``None``."""
    prefix = os.path.abspath(sys.prefix)
    try:
        if os.path.commonpath([folder, prefix]) == prefix:
            return prefix
    except ValueError:  # on two Windows drives
        pass
    parent, name = os.path.split(folder)
    if name.lower() != "site-packages":
        return None
    # prefix/lib/site-packages (Windows), prefix/lib/pythonX.Y/site-packages,
    # or a bare prefix/site-packages.
    if os.path.basename(parent).lower() == "lib":
        return os.path.dirname(parent)
    grandparent = os.path.dirname(parent)
    if os.path.basename(grandparent).lower() == "lib":
        return os.path.dirname(grandparent)
    return parent


def open_file(path: str, mode: str, encoding: str | None) -> t.IO[t.Any]:
    """Open *path*: in binary modes as it is, in text modes as UTF-8 by default."""
    if "b" in mode:
        return open(path, mode)
    return open(path, mode, encoding=encoding or "utf-8")
