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

_new_object = object.__new__

#: The headers (lowercase) whose presence the lean send path checks for.
_CHECKED_HEADERS = ("content-length", "location", "content-location")


class ResponseHeaders(Headers):
    """The werkzeug :class:`~werkzeug.datastructures.Headers` of a response
    whose headers were made lazily, with a cheaper ``headers[name] = value``.

    Setting a ``str`` value under a ``str`` name does what werkzeug's
    :meth:`~werkzeug.datastructures.Headers.set` does (the value must
    have no newline; the first header of that name, in any case, is
    replaced and the others removed, or the header is appended) in one
    call instead of three. It equals a werkzeug ``Headers`` with the
    same headers, as two of those do.
    """

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        if (
            key.__class__ is not str
            or value.__class__ is not str
            or "\n" in value
            or "\r" in value
        ):
            # werkzeug's set() checks the value, or makes it a str.
            super().__setitem__(key, value)
            return
        items = self._list
        name = key.lower()
        for old, _ in items:
            if old.lower() == name:
                # werkzeug's set() replaces the first and drops the others.
                super().__setitem__(key, value)
                return
        items.append((key, value))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return {(key.lower(), value) for key, value in self._list} == {
            (key.lower(), value) for key, value in other._list
        }

    __hash__ = None  # mutable, as werkzeug's Headers


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
        # perf: what Headers() and two add() calls leave, without the five
        # calls: werkzeug's Headers holds nothing but its list of pairs,
        # and these two strings were checked when the response was made.
        headers = _new_object(ResponseHeaders)
        headers._list = (
            [] if lazy is None else [("Content-Type", lazy[0]), ("Content-Length", lazy[1])]
        )
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

        A simple response (a 2xx to 5xx other than 204 and 304, one
        ``bytes`` chunk as its body, nothing to call on close) goes
        straight to ``start_response``: with the two header tuples it was
        made with if nobody read its headers, or with a copy of its
        headers and the ``Content-Length`` werkzeug would add. A response
        with a ``Location`` or ``Content-Location`` header, and any other,
        goes through werkzeug's
        :meth:`~werkzeug.wrappers.Response.get_wsgi_response`.
        """
        lazy = self.__dict__.get("_lazy")
        if lazy is not None and "headers" in self.__dict__:
            # Headers assigned whole (response.headers = ...): they are the
            # headers now.
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
        elif lazy is None and not self._on_close and self._lean_call:
            # The same tests, written twice so that the path above has no
            # more of them than before this one existed.
            code = self._status_code
            body = self.response
            headers = self.__dict__.get("headers")
            cls = headers.__class__
            if (
                code >= 200
                and code != 204
                and code != 304
                and body.__class__ is list
                and len(body) == 1
                and body[0].__class__ is bytes
                and (cls is ResponseHeaders or cls is Headers)
            ):
                # perf: what get_wsgi_headers would send for this
                # response, without copying the Headers object (every
                # value in its list was checked when added), its
                # ClosingIterator and its iter_encoded.
                sent: list[tuple[str, str]] = headers._list[:]  # type: ignore[union-attr]  # a Headers, tested above
                length = False
                for key, _ in sent:
                    if key.lower() in _CHECKED_HEADERS:
                        if key.lower() != "content-length":
                            # Location or Content-Location: werkzeug makes
                            # it a URI.
                            break
                        length = True
                else:
                    if not length and self.automatically_set_content_length:
                        sent.append(("Content-Length", str(len(body[0]))))
                    start_response(self._status, sent)
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
