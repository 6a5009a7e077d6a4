"""The response class, and how a view's return value becomes one."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator
from http import HTTPStatus

from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Response as _WerkzeugResponse

from .json import dumps as json_dumps
from .registration import describe

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .typing import ResponseReturnValue
    from .wrappers import Request


#: The full ``Content-Type`` of each mimetype a simple response was made
#: with (``text/plain`` gets ``; charset=utf-8``), worked out once.
_content_types: dict[str | None, str] = {}

#: The methods a subclass of :class:`Response` must leave alone for its
#: lean path: they decide what a response holds and what it sends.
_SENDING_METHODS = (
    "__call__",
    "get_wsgi_response",
    "get_wsgi_headers",
    "get_app_iter",
    "iter_encoded",
    "close",
)
_MAKING_METHODS = ("set_data", "status", "status_code")


class _LazyHeaders:
    """The ``headers`` of a :class:`Response`, made when first read.

    A simple response keeps its content type and length as two strings
    until something asks for its headers; most are sent without anyone
    asking. A non-data descriptor: once made (or assigned, as werkzeug's
    ``__init__`` does), the headers live in the instance's dict.
    """

    def __get__(self, response: Response | None, owner: type[Response]) -> t.Any:
        if response is None:
            return self
        lazy = response.__dict__.pop("_lazy", None)
        headers = Headers()
        if lazy is not None:
            headers.add("Content-Type", lazy[0])
            headers.add("Content-Length", lazy[1])
        response.__dict__["headers"] = headers
        return headers


class Response(_WerkzeugResponse):
    """The response class; a body is ``text/html`` unless told otherwise.

    A werkzeug :class:`~werkzeug.wrappers.Response`, cheaper to make and to
    send when it is simple: a ``str`` or ``bytes`` body with a status and
    at most a mimetype. Its headers are then made only if something reads
    them, and calling it sends the status and two header tuples straight
    to ``start_response``. Anything else, or a subclass that overrides how
    a response is made or sent, takes werkzeug's path.
    """

    default_mimetype = "text/html"

    headers: Headers = _LazyHeaders()  # type: ignore[assignment]  # made on first read
    # The content type and length of a simple response whose headers are
    # not made yet; in the instance's dict only until they are.
    _lazy: tuple[str, str]

    # Whether this class may take the lean paths; see __init_subclass__.
    _lean_init = True
    _lean_call = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._lean_init = (
            cls.default_status == 200
            and cls.automatically_set_content_length
            and all(getattr(cls, name) is getattr(Response, name) for name in _MAKING_METHODS)
        )
        cls._lean_call = cls._lean_init and all(
            getattr(cls, name) is getattr(Response, name) for name in _SENDING_METHODS
        )

    def __init__(
        self,
        response: t.Iterable[bytes] | bytes | t.Iterable[str] | str | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: t.Mapping[str, str | t.Iterable[str]] | t.Iterable[tuple[str, str]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        cls = response.__class__
        lean_type = self.default_mimetype if mimetype is None else mimetype
        if (
            (cls is str or cls is bytes)
            and headers is None
            and content_type is None
            and lean_type is not None
            and not direct_passthrough
            and self._lean_init
        ):
            # perf: what werkzeug's __init__ and set_data would leave,
            # without the Headers object (see _LazyHeaders).
            body: bytes = response.encode() if cls is str else response  # type: ignore[union-attr,assignment]  # str or bytes, tested above
            full_type = _content_types.get(lean_type)
            if full_type is None:
                full_type = _content_types[lean_type] = get_content_type(lean_type, "utf-8")
            self._lazy = (full_type, str(len(body)))
            if status is None:
                self._status = "200 OK"
                self._status_code = 200
            else:
                self.status = status
            self.direct_passthrough = False
            self._on_close = []
            self.response = [body]
            return
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Send the response: the WSGI interface.

        A simple response whose headers nobody read goes straight to
        ``start_response``; any other goes through werkzeug's
        :meth:`~werkzeug.wrappers.Response.get_wsgi_response`.
        """
        lazy = self.__dict__.get("_lazy")
        if lazy is not None and "headers" in self.__dict__:
            # Headers assigned whole (response.headers = ...): they are the
            # headers now, and werkzeug sends them.
            del self.__dict__["_lazy"]
            lazy = None
        if lazy is not None and not self._on_close and self._lean_call:
            code = self._status_code
            body = self.response
            if (
                code >= 200
                and code != 204
                and code != 304
                and body.__class__ is list
                and len(body) == 1
                and body[0].__class__ is bytes
            ):
                start_response(
                    self._status,
                    [("Content-Type", lazy[0]), ("Content-Length", lazy[1])],
                )
                if environ["REQUEST_METHOD"] == "HEAD":
                    return ()
                return body
        return super().__call__(environ, start_response)


def response_from(
    request: Request, rv: ResponseReturnValue, view: t.Callable[..., t.Any] | None = None
) -> Response:
    """Turn what a view returned into an instance of the app's response class.

    This is :meth:`App.make_response <microweb.App.make_response>`.

    :param request: The request being answered.
    :param rv: A ``str`` or ``bytes`` body, a ``dict`` or ``list``
        (JSON), an iterator (streamed), a response, a WSGI callable, or a
        tuple ``(body, status)``, ``(body, headers)`` or
        ``(body, status, headers)``.
    :param view: What returned *rv*, named in the error.
    :raises TypeError: If *rv* is ``None`` or of no supported type.
    """
    response_class = request.app.response_class
    status: t.Any = None
    headers: t.Any = None
    if isinstance(rv, tuple):
        if len(rv) == 3:
            rv, status, headers = rv
        elif len(rv) == 2:
            rv, extra = rv
            if isinstance(extra, (Headers, dict, tuple, list)):
                headers = extra
            else:
                status = extra
        else:
            raise TypeError(
                f"{_returned_by(view)} returned a tuple of {len(rv)} items; a"
                " tuple must have the form (body, status), (body, headers) or"
                " (body, status, headers)."
            )
    response: Response
    if isinstance(rv, response_class):
        response = rv
    elif isinstance(rv, (str, bytes, bytearray)) or isinstance(rv, Iterator):
        response = response_class(rv, status, headers)  # type: ignore[arg-type]  # bytearray is bytes to werkzeug
        status = headers = None
    elif isinstance(rv, (dict, list)):
        response = response_class(
            json_dumps(rv) + "\n", status, headers, mimetype="application/json"
        )
        status = headers = None
    elif isinstance(rv, _WerkzeugResponse):
        response = response_class.force_type(rv, request.environ)  # type: ignore[assignment]  # force_type keeps the class it is called on
    elif rv is None:
        raise TypeError(
            f"{_returned_by(view)} did not return a valid response: it returned"
            " None or ended without a return statement."
        )
    elif callable(rv):
        response = response_class.force_type(rv, request.environ)  # type: ignore[assignment,arg-type]  # a WSGI callable becomes a response
    else:
        raise TypeError(
            f"{_returned_by(view)} did not return a valid response: it was a"
            f" {type(rv).__name__}. Return str, bytes, dict, list, an iterator,"
            " a Response or a (body, status, headers) tuple."
        )
    if status is not None:
        if isinstance(status, (str, bytes, bytearray)):
            response.status = status  # type: ignore[assignment]  # werkzeug's setter accepts str
        else:
            response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _returned_by(view: t.Callable[..., t.Any] | None) -> str:
    return "The view" if view is None else f"The function {describe(view)}"
