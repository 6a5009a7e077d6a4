"""Error handler registration and lookup, and the default error bodies."""

from __future__ import annotations

import json
import typing as t

from werkzeug.exceptions import HTTPException, default_exceptions

if t.TYPE_CHECKING:
    from .typing import ErrorHandler
    from .wrappers import Request, Response

#: Handlers by blueprint name (``None`` for the app), then by HTTP status
#: code (``None`` for any other exception), then by exception class.
HandlerSpec = dict[str | None, dict[int | None, dict[type[BaseException], "ErrorHandler"]]]


def exception_class_and_code(
    key: type[BaseException] | int,
) -> tuple[type[BaseException], int | None]:
    """Return the exception class and the status code that *key* names.

    :param key: A status code such as ``404`` or an exception class.
    :raises ValueError: If *key* is a code werkzeug has no exception for,
        or an exception instance instead of a class.
    :raises TypeError: If *key* is a class that is not an exception.
    """
    if isinstance(key, int):
        try:
            key = default_exceptions[key]
        except KeyError:
            raise ValueError(
                f"'{key}' is not a recognized HTTP error code. Use a subclass"
                " of HTTPException with that code instead."
            ) from None
    elif isinstance(key, BaseException):
        raise ValueError(
            f"{key!r} is an exception instance; register the class instead."
        )
    if not (isinstance(key, type) and issubclass(key, Exception)):
        raise TypeError(f"'{key!r}' is not a subclass of Exception.")
    if issubclass(key, HTTPException):
        return key, key.code
    return key, None


def find_handler(
    spec: HandlerSpec, error: BaseException, blueprints: tuple[str, ...]
) -> ErrorHandler | None:
    """Return the handler for *error*, or ``None``.

    A handler for the status code beats a handler for a class; within
    each, the innermost blueprint beats its parents and the app, and a
    subclass beats its bases.
    """
    error_class = type(error)
    code = error.code if isinstance(error, HTTPException) else None
    for c in (code, None) if code is not None else (None,):
        for name in (*blueprints, None):
            by_class = spec.get(name, {}).get(c)
            if not by_class:
                continue
            for cls in error_class.__mro__:
                handler = by_class.get(cls)
                if handler is not None:
                    return handler
    return None


def wants_json(request: Request) -> bool:
    """Tell whether the client prefers JSON over HTML (its ``Accept``)."""
    best = request.accept_mimetypes.best_match(("text/html", "application/json"))
    return best == "application/json"


def error_response(request: Request, error: HTTPException) -> Response:
    """Return the default response for *error*: HTML, or JSON if preferred.

    The body says what the status means and, when given, the error's
    description; it never shows a traceback.
    """
    response_class = request.app.response_class
    if error.response is not None:
        return response_class.force_type(error.response, request.environ)  # type: ignore[arg-type,return-value]  # a WSGI response; force_type returns response_class
    if wants_json(request):
        body = json.dumps(
            {
                "code": error.code,
                "name": error.name,
                "description": error.description,
            }
        )
        headers = [
            (key, value)
            for key, value in error.get_headers(request.environ)
            if key.lower() != "content-type"
        ]
        return response_class(
            body, error.code, headers, mimetype="application/json"
        )
    return response_class.force_type(  # type: ignore[return-value]  # force_type returns response_class
        error.get_response(request.environ), request.environ
    )
