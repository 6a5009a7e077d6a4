"""Helpers for views: URLs, redirects, aborting, responses and JSON."""

from __future__ import annotations

import dataclasses
import decimal
import importlib.util
import json
import os
import sys
import typing as t
import uuid
from datetime import date, datetime, time

from werkzeug.exceptions import NotFound
from werkzeug.exceptions import abort as _werkzeug_abort
from werkzeug.utils import redirect as _werkzeug_redirect
from werkzeug.utils import send_file as _werkzeug_send_file
from werkzeug.utils import send_from_directory as _werkzeug_send_from_directory

from .routing import build_url
from .wrappers import Response

if t.TYPE_CHECKING:
    from .typing import ResponseReturnValue
    from .wrappers import Request


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
    """
    if endpoint[:1] == ".":
        blueprint = request.blueprint
        endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
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
        it is.
    :param description: Shown in the error body instead of the default.
    :raises werkzeug.exceptions.HTTPException: Always.
    """
    if description is None:
        _werkzeug_abort(code)
    _werkzeug_abort(code, description)


def make_response(request: Request, *args: t.Any) -> Response:
    """Turn a view's return value into a response that can be changed.

    ``make_response(request, "body", 201, {"X-A": "1"})`` accepts what a
    view may return, spread over the arguments.

    :param request: The request being handled.
    """
    if not args:
        return request.app.response_class()
    rv: ResponseReturnValue = args[0] if len(args) == 1 else args
    return request.app.make_response(request, rv)


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
    """
    app = request.app
    if max_age is None:
        max_age = app.config["SEND_FILE_MAX_AGE_DEFAULT"]
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
    """
    app = request.app
    kwargs.setdefault("max_age", app.config["SEND_FILE_MAX_AGE_DEFAULT"])
    kwargs.setdefault("response_class", app.response_class)
    if "\x00" in os.fspath(path):
        raise NotFound()
    return _werkzeug_send_from_directory(  # type: ignore[return-value]  # werkzeug returns response_class
        directory, path, request.environ, _root_path=app.root_path, **kwargs
    )


def _json_default(o: t.Any) -> t.Any:
    if isinstance(o, (datetime, date, time)):
        return o.isoformat()
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def json_dumps(obj: t.Any) -> str:
    """Serialize *obj* to compact JSON.

    Besides what :mod:`json` knows, dates and times become ISO 8601
    strings, ``Decimal`` and ``UUID`` strings, and dataclasses objects.
    """
    return json.dumps(
        obj, default=_json_default, ensure_ascii=False, separators=(",", ":")
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
