"""The request and response objects, thin subclasses of werkzeug's."""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import EnvironHeaders
from urllib.parse import quote_from_bytes

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, _get_server, get_input_stream
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.formparser import FormDataParser
    from werkzeug.routing import MapAdapter, Rule

    from .app import App
    from .sessions import SessionMixin


#: Printable ASCII, kept as it is when re-quoting a query string.
_QUERY_SAFE = "".join(map(chr, range(0x21, 0x7F)))


class _MaxLimitedStream(LimitedStream):
    """A stream whose limit is a maximum: reading past it is a 413."""

    def __init__(self, stream: t.IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)
        self._source = stream

    def readall(self) -> bytes:
        data = super().readall()
        # werkzeug stops at the limit without looking further: one more
        # byte in the source means the body was too large.
        if self.tell() >= self.limit and self._source.read(1):
            raise RequestEntityTooLarge()
        return data


def _decode(value: str) -> str:
    """Decode a WSGI string (bytes as latin-1) as UTF-8, replacing errors."""
    return value.encode("latin1").decode("utf-8", "replace")


_NO_DEFAULT: t.Any = object()


class RequestGlobals:
    """The namespace of :attr:`Request.g`: data a view and its hooks share.

    Set and read attributes (``request.g.user = user``); it also has a few
    dict methods, because a hook often needs to ask whether a name was set.
    To type the names an app uses, subclass it (see :doc:`typing`).
    """

    if t.TYPE_CHECKING:
        # Any name may be set and read; a subclass's annotated names keep
        # their types. Only for type checkers: at runtime a name never set
        # is an AttributeError, as on any object.
        def __getattr__(self, name: str) -> t.Any: ...
        def __setattr__(self, name: str, value: t.Any) -> None: ...

    def get(self, name: str, default: t.Any = None) -> t.Any:
        """Return the attribute *name*, or *default* if it was not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _NO_DEFAULT) -> t.Any:
        """Remove the attribute *name* and return its value.

        :raises KeyError: If it was not set and no *default* is given.
        """
        if default is _NO_DEFAULT:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """Return the attribute *name*, first setting it to *default* if it was not set."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({values})"


class Request(_WerkzeugRequest):
    """The request object handed to every view, hook and error handler.

    It is a werkzeug :class:`~werkzeug.wrappers.Request` that also carries
    everything microweb knows about the request being handled, so no state
    has to live anywhere else. Nothing is parsed until it is read.

    :param environ: The WSGI environment.
    :param app: The application handling the request.
    """

    #: The application handling this request.
    app: App
    #: The arguments the URL rule extracted from the path, or ``None``
    #: before routing (or when routing failed).
    view_args: dict[str, t.Any] | None = None
    #: The name of the matched endpoint, such as ``"index"`` or
    #: ``"admin.users"``; ``None`` when nothing matched.
    endpoint: str | None = None
    #: The werkzeug rule that matched, or ``None``.
    url_rule: Rule | None = None
    #: The exception routing raised (404, 405, a redirect), if any.
    routing_exception: Exception | None = None
    #: The dotted names of the matched endpoint's blueprints, innermost
    #: first. Empty for an app-level endpoint or when nothing matched.
    blueprints: tuple[str, ...] = ()
    #: The exception that the app answered with a 500 or let propagate;
    #: teardown hooks receive it. ``None`` while all is well.
    unhandled_exception: BaseException | None = None

    # perf: bound only when url_for or a non-static route needs it.
    _url_adapter: MapAdapter | None = None

    def __init__(self, environ: WSGIEnvironment, app: App) -> None:
        # perf: werkzeug's __init__ decodes and wraps eight values up front
        # (seven calls); routing needs two, so the rest are lazy below.
        self.environ = environ
        self.shallow = False
        self.app = app
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        # perf: _decode inlined, one call fewer on every request.
        path: str = environ.get("PATH_INFO") or ""
        self.path = "/" + path.encode("latin1").decode("utf-8", "replace").lstrip("/")

    @cached_property
    def headers(self) -> EnvironHeaders:  # type: ignore[override]  # werkzeug declares Headers; EnvironHeaders is one
        """The request headers, read from the environ."""
        return EnvironHeaders(self.environ)

    @cached_property
    def root_path(self) -> str:
        """The prefix the app is mounted under, without a trailing slash."""
        return _decode(self.environ.get("SCRIPT_NAME") or "").rstrip("/")

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string; :attr:`args` has it parsed.

        Bytes that are not UTF-8 come percent-encoded, so parsing it never
        fails (werkzeug's would raise, a 500).
        """
        query: str = self.environ.get("QUERY_STRING", "")
        raw = query.encode("latin1")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raw = quote_from_bytes(raw, safe=_QUERY_SAFE).encode("ascii")
        return raw

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body as a stream, limited to ``MAX_CONTENT_LENGTH``.

        A body without a length (chunked) that goes past the limit is a 413,
        not silently cut at the limit as werkzeug's stream would be.
        """
        environ = self.environ
        limit = self.max_content_length
        if (
            limit is not None
            and environ.get("CONTENT_LENGTH") in (None, "")
            and "wsgi.input_terminated" in environ
        ):
            return t.cast(t.IO[bytes], _MaxLimitedStream(environ["wsgi.input"], limit))
        return get_input_stream(environ, max_content_length=limit)

    def make_form_data_parser(self) -> FormDataParser:
        """Make werkzeug's form parser, raising on a malformed body."""
        parser = super().make_form_data_parser()
        parser.silent = False
        return parser

    def _load_form_data(self) -> None:
        limit = self.max_form_memory_size
        if (
            limit is not None
            and self.mimetype == "application/x-www-form-urlencoded"
            and (self.content_length or 0) > limit
        ):
            # Such a form is read whole into memory, so MAX_FORM_MEMORY_SIZE
            # bounds the body (werkzeug 3.1.9 stopped applying it here).
            raise RequestEntityTooLarge(
                "The form is larger than MAX_FORM_MEMORY_SIZE allows."
            )
        try:
            super()._load_form_data()
        except ValueError as e:
            # werkzeug's parser would answer a malformed body with an empty
            # form, losing what was sent without a word.
            raise BadRequest(f"The form data could not be parsed: {e}") from None

    @cached_property
    def scheme(self) -> str:
        """The URL scheme, such as ``http`` or ``https``."""
        return self.environ.get("wsgi.url_scheme", "http")  # type: ignore[no-any-return]

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """The server's ``(host, port)``, if known."""
        return _get_server(self.environ)

    @cached_property
    def remote_addr(self) -> str | None:
        """The client's address."""
        return self.environ.get("REMOTE_ADDR")

    @cached_property
    def g(self) -> RequestGlobals:
        """A namespace for data that a view and its hooks share.

        It lives exactly as long as the request: two requests never see
        each other's ``g``. A subclass may override this property to
        return a subclass of :class:`RequestGlobals` that types the names
        the app sets (see :doc:`typing`).
        """
        return RequestGlobals()

    @cached_property
    def session(self) -> SessionMixin:
        """The session, opened from its cookie when first read.

        A request that never reads it parses no cookie and sends none.
        """
        interface = self.app.session_interface
        session = interface.open_session(self.app, self)
        if session is None:
            session = interface.make_null_session(self.app)
        return session

    @property
    def blueprint(self) -> str | None:
        """The full dotted name of the matched endpoint's blueprint."""
        return self.blueprints[0] if self.blueprints else None

    # The limits below come from the app's config and are read only when
    # something parses the body or the host, so most requests never look.

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_CONTENT_LENGTH`` from the app's config."""
        return self.app.config["MAX_CONTENT_LENGTH"]  # type: ignore[no-any-return]

    @property
    def max_form_memory_size(self) -> int | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_FORM_MEMORY_SIZE`` from the app's config."""
        return self.app.config["MAX_FORM_MEMORY_SIZE"]  # type: ignore[no-any-return]

    @property
    def max_form_parts(self) -> int | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_FORM_PARTS`` from the app's config."""
        return self.app.config["MAX_FORM_PARTS"]  # type: ignore[no-any-return]

    @property
    def trusted_hosts(self) -> list[str] | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``TRUSTED_HOSTS`` from the app's config."""
        return self.app.config["TRUSTED_HOSTS"]  # type: ignore[no-any-return]

    def on_json_loading_failure(self, e: ValueError | None) -> t.Any:
        """Answer a body that is not JSON with a 4xx that says why.

        :raises UnsupportedMediaType: If the body was not sent as JSON.
        :raises BadRequest: If the body is not valid JSON.
        """
        if e is None:
            raise UnsupportedMediaType(
                "Expected a JSON body sent with 'Content-Type: application/json'."
            )
        raise BadRequest(f"The request body is not valid JSON: {e}")

    def url_adapter(self) -> MapAdapter:
        """Return the app's URL map bound to this request, made once."""
        adapter = self._url_adapter
        if adapter is None:
            adapter = self._url_adapter = self.app.router.bind(self)
        return adapter


class Response(_WerkzeugResponse):
    """The response class; a body is ``text/html`` unless told otherwise."""

    default_mimetype = "text/html"
