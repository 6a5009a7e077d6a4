"""Answering errors: handler lookup, the default error bodies, and what
happens to an exception raised while a request is dispatched."""

from __future__ import annotations

import json
import typing as t

from werkzeug.exceptions import (
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    default_exceptions,
)
from werkzeug.routing.exceptions import RequestRedirect, RoutingException

if t.TYPE_CHECKING:
    from .config import Config
    from .typing import ErrorHandler
    from .wrappers import Request, Response

#: Handlers by blueprint name (``None`` for the app), then by HTTP status
#: code (``None`` for any other exception), then by exception class.
HandlerSpec = dict[str | None, dict[int | None, dict[type[BaseException], "ErrorHandler"]]]


class RedirectDropsFormData(AssertionError):
    """Raised in debug mode instead of a 301 or 302 routing redirect of a request with a body.

    Browsers follow those as a GET without the form, so the data would be
    lost without a word; werkzeug redirects with 308 unless told otherwise.
    """

    def __init__(self, request: Request, redirect: RequestRedirect) -> None:
        super().__init__(
            f"{request.method} {request.url!r} was redirected ({redirect.code}) to its"
            f" canonical URL {redirect.new_url!r}, the rule's, which ends with a"
            f" slash. A browser follows a {redirect.code} with a GET and drops the"
            " form data. Send the request to the canonical URL, or leave the"
            " redirect code at 307 or 308, which keep the body. (Debug mode only.)"
        )


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


def propagates(config: Config) -> bool:
    """Tell whether unhandled exceptions propagate instead of becoming a 500.

    They do when ``PROPAGATE_EXCEPTIONS`` is true, or when it is unset and
    ``TESTING`` or ``DEBUG`` is on.
    """
    propagate = config["PROPAGATE_EXCEPTIONS"]
    if propagate is None:
        return bool(config["TESTING"] or config["DEBUG"])
    return bool(propagate)


def handle_user_exception(request: Request, e: Exception, handlers: HandlerSpec) -> Response:
    """Answer an exception raised by routing, a hook or a view.

    A redirect from routing is sent as it is. An error with a handler in
    *handlers* gets the handler's answer, an HTTP error without one the
    default error page.

    :raises Exception: *e* itself, when nothing handles it (then
        :func:`handle_exception` takes it), or when ``TRAP_HTTP_EXCEPTIONS``
        or ``TRAP_BAD_REQUEST_ERRORS`` asks for it: the latter traps every
        400 when true, and a missing key in debug mode when ``None``.
    """
    app = request.app
    if isinstance(e, HTTPException):
        if (
            isinstance(e, RequestRedirect)
            and e.code in (301, 302)
            and app.debug
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            raise RedirectDropsFormData(request, e)
        if e.code is None or isinstance(e, RoutingException):
            return app.response_class.force_type(  # type: ignore[return-value]  # force_type keeps the class it is called on
                e.get_response(request.environ), request.environ
            )
        trap_bad_request = app.config["TRAP_BAD_REQUEST_ERRORS"]
        if isinstance(e, BadRequestKeyError) and (app.debug or trap_bad_request):
            # Name the missing key in the description, for the developer.
            e.show_exception = True
        if (
            app.config["TRAP_HTTP_EXCEPTIONS"]
            or (trap_bad_request and isinstance(e, BadRequest))
            or (trap_bad_request is None and app.debug and isinstance(e, BadRequestKeyError))
        ):
            raise e
    handler = find_handler(handlers, e, request.blueprints)
    if handler is not None:
        return app.make_response(request, handler(request, e), handler)
    if isinstance(e, HTTPException):
        return error_response(request, e)
    raise e


def handle_exception(request: Request, e: Exception, handlers: HandlerSpec) -> Response:
    """Answer an exception nothing handled: log it and answer 500.

    The 500's handler answers if there is one. The client never sees the
    traceback; ``request.unhandled_exception`` keeps *e* for the teardown
    hooks.

    :raises Exception: *e* itself, when the app propagates exceptions
        (see :func:`propagates`).
    """
    app = request.app
    request.unhandled_exception = e
    if propagates(app.config):
        raise e
    app.log_exception(request, e)
    server_error = InternalServerError(original_exception=e)
    handler = find_handler(handlers, server_error, request.blueprints)
    if handler is None:
        return error_response(request, server_error)
    try:
        return app.make_response(request, handler(request, server_error), handler)
    except Exception as second:
        app.log_exception(request, second)
        return error_response(request, InternalServerError())
