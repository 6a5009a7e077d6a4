"""The request object, a thin subclass of werkzeug's.

The response class lives in :mod:`microweb.responses`, and the parsing
of query strings and urlencoded forms in :mod:`microweb.urlencoded`;
:class:`Response` is imported here too, where it has always been found.
"""

from __future__ import annotations

import io
import typing as t
from urllib.parse import quote_from_bytes

from werkzeug.datastructures import EnvironHeaders, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import (
    BadRequest,
    ClientDisconnected,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wsgi import LimitedStream, _get_server, get_content_length

from .responses import Response as Response
from .responses import response_from as response_from
from .urlencoded import URLENCODED, parse_flat, parse_urlencoded

if t.TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import FileStorage
    from werkzeug.formparser import FormDataParser
    from werkzeug.routing import MapAdapter, Rule

    from .app import App
    from .sessions import SessionMixin


#: Printable ASCII, kept as it is when re-quoting a query string.
_QUERY_SAFE = "".join(map(chr, range(0x21, 0x7F)))


#: The 413 description of a urlencoded form over ``MAX_FORM_MEMORY_SIZE``.
_FORM_TOO_LARGE = "The form is larger than MAX_FORM_MEMORY_SIZE allows."


def _read_failure(e: Exception) -> HTTPException:
    """The 400 for an error the server's input stream raised while read."""
    if isinstance(e, OSError):
        return ClientDisconnected()
    return BadRequest("The request body could not be read.")


class _ServerInput(io.RawIOBase):
    """``wsgi.input`` as a raw stream whose read fails only with a 400.

    A server's stream raises what it likes when the body is malformed or
    the client goes away: gunicorn its own parse errors for a bad chunk
    size, the development server an ``OSError``. Anything but an
    :class:`~werkzeug.exceptions.HTTPException` becomes
    :class:`~werkzeug.exceptions.ClientDisconnected` (an ``OSError``: the
    connection failed) or :class:`~werkzeug.exceptions.BadRequest`, both
    400s, with the server's error as the cause for the log.
    """

    def __init__(self, stream: t.IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as view:
            try:
                data = self._stream.read(len(view))
            except HTTPException:
                raise
            except Exception as e:
                raise _read_failure(e) from e
            view[: len(data)] = data
        return len(data)


class _MaxLimitedStream(LimitedStream):
    """A stream whose limit is a maximum: up to it is read, past it is a 413.

    werkzeug's raises as soon as the limit is reached, so a body of exactly
    the limit was refused, and its ``readall`` stops at the limit without
    looking further, so a longer body was cut there.

    :param description: Of the 413, to say which limit was passed.
    """

    def __init__(self, stream: t.IO[bytes], limit: int, description: str | None = None) -> None:
        super().__init__(stream, limit, is_max=True)
        self._source = stream
        self._description = description

    def on_exhausted(self) -> None:
        # At the limit: one more byte in the source means the body is too
        # large. Only that byte is read, so no more than the limit is held.
        if self._source.read(1):
            raise RequestEntityTooLarge(self._description)

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted:
            self.on_exhausted()
        return data


def _decode(value: str) -> str:
    """Decode a WSGI string (bytes as latin-1) as UTF-8, replacing errors."""
    return value.encode("latin1").decode("utf-8", "replace")


_NO_DEFAULT: t.Any = object()

_T = t.TypeVar("_T")


class lazy_attribute(t.Generic[_T]):
    """An attribute computed on first read, then a plain instance attribute.

    Unlike werkzeug's ``cached_property``, which is a data descriptor and
    so runs a Python ``__get__`` on every read, this one steps aside once
    the value is in the instance's dict: ``request.args`` read twice costs
    one call, not two.
    """

    def __init__(self, fget: t.Callable[[t.Any], _T]) -> None:
        self.fget = fget
        self.__name__ = fget.__name__
        self.__doc__ = fget.__doc__

    @t.overload
    def __get__(self, obj: None, owner: type[t.Any]) -> lazy_attribute[_T]: ...
    @t.overload
    def __get__(self, obj: object, owner: type[t.Any]) -> _T: ...
    def __get__(self, obj: object | None, owner: type[t.Any]) -> lazy_attribute[_T] | _T:
        if obj is None:
            return self
        value = obj.__dict__[self.__name__] = self.fget(obj)
        return value


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

    @lazy_attribute
    def headers(self) -> EnvironHeaders:  # type: ignore[override]  # werkzeug declares Headers; EnvironHeaders is one
        """The request headers, read from the environ."""
        return EnvironHeaders(self.environ)

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The cookies the client sent, parsed when first read."""
        # perf: werkzeug joins headers.getlist("Cookie"), which makes the
        # headers object and walks the environ (eight calls); the WSGI
        # environ holds the one Cookie header already joined.
        return parse_cookie(  # type: ignore[return-value]  # dict_storage_class is an ImmutableMultiDict
            self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class
        )

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

    @lazy_attribute
    def args(self) -> MultiDict[str, str]:
        """The query string's arguments, parsed when first read."""
        query: str = self.environ.get("QUERY_STRING", "")
        if not query.isascii():
            query = self.query_string.decode()
        return parse_urlencoded(query, self.parameter_storage_class)

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body as a stream, limited to its length and ``MAX_CONTENT_LENGTH``.

        Reading it keeps to these rules, whatever the server does:

        - A body with a ``Content-Length`` over ``MAX_CONTENT_LENGTH`` is a
          413 at once; one that ends before its length is a 400
          (``ClientDisconnected``), never passed on as complete.
        - A body without a length (chunked) is read only if the server
          ends it (``wsgi.input_terminated``); one that goes past
          ``MAX_CONTENT_LENGTH`` is a 413, and one of exactly that length
          is read whole.
        - An error the server raises while the body is read is a 400.
        """
        if "_body_read" in self.__dict__:
            # A urlencoded form was read from the body: nothing is left.
            return io.BytesIO()
        environ = self.environ
        limit = self.max_content_length
        length = get_content_length(environ)
        if length is not None:
            if limit is not None and length > limit:
                raise RequestEntityTooLarge()
            # Limited to its length even when the server says it ends the
            # stream (wsgi.input_terminated), which werkzeug trusts: gunicorn
            # then ends a body cut short without an error, and only the
            # length tells it was.
            source: t.Any = _ServerInput(environ["wsgi.input"])
            limited: t.Any = LimitedStream(source, length)
            return limited  # type: ignore[no-any-return]  # a stream of bytes
        if "wsgi.input_terminated" not in environ:
            # Nothing says where such a body ends: werkzeug reads none of it.
            return io.BytesIO()
        source = _ServerInput(environ["wsgi.input"])
        stream: t.Any = source if limit is None else _MaxLimitedStream(source, limit)
        return stream  # type: ignore[no-any-return]  # a stream of bytes

    def make_form_data_parser(self) -> FormDataParser:
        """Make werkzeug's form parser, raising on a malformed body.

        It keeps the upload files it opens, so that :meth:`_load_form_data`
        can close them if the body turns out bad.
        """
        parser = super().make_form_data_parser()
        parser.silent = False
        make_file = parser.stream_factory
        opened: list[t.IO[bytes]] = []
        self.__dict__["_upload_files"] = opened

        def stream_factory(
            total_content_length: int | None,
            content_type: str | None,
            filename: str | None,
            content_length: int | None = None,
        ) -> t.IO[bytes]:
            file = make_file(total_content_length, content_type, filename, content_length)
            opened.append(file)
            return file

        parser.stream_factory = stream_factory
        return parser

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        content_type: str = self.environ.get("CONTENT_TYPE", "")
        if (
            # perf: the exact type is compared first, without four calls.
            (content_type == URLENCODED or content_type.partition(";")[0].strip().lower() == URLENCODED)
            and "stream" not in self.__dict__
            and not self.shallow
            and self._plain_forms
        ):
            body = self._read_urlencoded()
            if body is not None:
                cls = self.parameter_storage_class
                try:
                    text = body.decode()
                except UnicodeDecodeError as e:
                    raise BadRequest(f"The form data could not be parsed: {e}") from None
                form: MultiDict[str, str] | None = None
                if cls is ImmutableMultiDict and text.isascii():
                    form = parse_flat(body, text)
                if form is None:
                    form = parse_urlencoded(text, cls)
                d = self.__dict__
                # What werkzeug leaves: the body read (the stream then
                # empty), the form, no files. perf: the empty stream and
                # files are made only if read (see stream and files).
                d["_body_read"] = True
                d["form"] = form
                return
        limit = self.max_form_memory_size
        if limit is not None and self.mimetype == "application/x-www-form-urlencoded":
            # Such a form is read whole into memory, so MAX_FORM_MEMORY_SIZE
            # bounds the body (werkzeug 3.1.9 stopped applying it here): at
            # once when its length is known, else while it is read.
            length = self.content_length
            if length is None:
                self.__dict__["stream"] = _MaxLimitedStream(self.stream, limit, _FORM_TOO_LARGE)
            elif length > limit:
                raise RequestEntityTooLarge(_FORM_TOO_LARGE)
        try:
            super()._load_form_data()
        except BaseException as e:
            # The upload files of a body that failed belong to nobody:
            # close them now rather than when they are collected.
            for file in self.__dict__.pop("_upload_files", ()):
                file.close()
            if isinstance(e, ValueError):
                # werkzeug's parser would answer a malformed body with an
                # empty form, losing what was sent without a word.
                raise BadRequest(f"The form data could not be parsed: {e}") from None
            raise
        self.__dict__.pop("_upload_files", None)

    # Whether this class parses urlencoded forms with _read_urlencoded
    # and parse_urlencoded: not if it changes werkzeug's form parsing.
    _plain_forms = True
    # Whether the limits are the config's, unchanged by a subclass.
    _config_limits = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._config_limits = (
            cls.max_form_memory_size is Request.max_form_memory_size
            and cls.max_content_length is Request.max_content_length
        )
        cls._plain_forms = (
            cls.make_form_data_parser is Request.make_form_data_parser
            and cls.form_data_parser_class is Request.form_data_parser_class
            and cls.stream is Request.stream
            and cls.get_data is Request.get_data
        )

    def _read_urlencoded(self) -> bytes | None:
        """Read a urlencoded body of known length whole, within the limits.

        The same answers as reading :attr:`stream`: a 413 over
        ``MAX_FORM_MEMORY_SIZE`` (first) or ``MAX_CONTENT_LENGTH``, a 400
        for a body cut short or a server that fails to read it. ``None``
        for a body without a length, which the stream reads.
        """
        cached: bytes | None = self.__dict__.get("_cached_data")
        if cached is not None:
            # get_data() read it first: werkzeug parses the cached bytes.
            return cached
        environ = self.environ
        length: int | None
        value = environ.get("CONTENT_LENGTH")
        if value is not None and value.isdigit() and value.isascii() and "HTTP_TRANSFER_ENCODING" not in environ:
            length = int(value)  # perf: werkzeug's answer for a plain length, without its three calls
        else:
            length = get_content_length(environ)
            if length is None:
                return None
        if self._config_limits:
            # perf: the config read here, not through two properties.
            config = self.app.config
            form_limit = config["MAX_FORM_MEMORY_SIZE"]
            limit = config["MAX_CONTENT_LENGTH"]
        else:
            form_limit = self.max_form_memory_size
            limit = self.max_content_length
        if form_limit is not None and length > form_limit:
            raise RequestEntityTooLarge(_FORM_TOO_LARGE)
        if limit is not None and length > limit:
            raise RequestEntityTooLarge()
        if not length:
            return b""
        source = environ["wsgi.input"]
        try:
            data: bytes = source.read(length)
            while len(data) < length:
                more = source.read(length - len(data))
                if not more:
                    raise ClientDisconnected()
                data += more
        except HTTPException:
            raise
        except Exception as e:
            raise _read_failure(e) from e
        return data[:length]

    @cached_property
    def scheme(self) -> str:
        """The URL scheme, such as ``http`` or ``https``."""
        return self.environ.get("wsgi.url_scheme", "http")  # type: ignore[no-any-return]  # the environ holds Any

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """The server's ``(host, port)``, if known."""
        return _get_server(self.environ)

    @cached_property
    def remote_addr(self) -> str | None:
        """The client's address."""
        return self.environ.get("REMOTE_ADDR")

    @lazy_attribute
    def form(self) -> ImmutableMultiDict[str, str]:
        """The form fields of the body, parsed when first read; see werkzeug's ``form``."""
        self._load_form_data()
        return self.__dict__["form"]  # type: ignore[no-any-return]  # set by _load_form_data

    @lazy_attribute
    def files(self) -> ImmutableMultiDict[str, FileStorage]:
        """The uploaded files of a multipart body, parsed when first read; see werkzeug's ``files``."""
        self._load_form_data()
        files: t.Any = self.__dict__.get("files")
        if files is None:
            # A urlencoded form has none; made only now that it is read.
            cls = self.parameter_storage_class
            files = cls.__new__(cls) if cls is ImmutableMultiDict else cls()
        return files  # type: ignore[no-any-return]  # set by _load_form_data, or empty

    @lazy_attribute
    def g(self) -> RequestGlobals:
        """A namespace for data that a view and its hooks share.

        It lives exactly as long as the request: two requests never see
        each other's ``g``. A subclass may override this property to
        return a subclass of :class:`RequestGlobals` that types the names
        the app sets (see :doc:`typing`).
        """
        return RequestGlobals()

    @lazy_attribute
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
        return self.app.config["MAX_CONTENT_LENGTH"]  # type: ignore[no-any-return]  # config values are Any

    @property
    def max_form_memory_size(self) -> int | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_FORM_MEMORY_SIZE`` from the app's config."""
        return self.app.config["MAX_FORM_MEMORY_SIZE"]  # type: ignore[no-any-return]  # config values are Any

    @property
    def max_form_parts(self) -> int | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``MAX_FORM_PARTS`` from the app's config."""
        return self.app.config["MAX_FORM_PARTS"]  # type: ignore[no-any-return]  # config values are Any

    @property
    def trusted_hosts(self) -> list[str] | None:  # type: ignore[override]  # werkzeug declares an attribute
        """``TRUSTED_HOSTS`` from the app's config."""
        return self.app.config["TRUSTED_HOSTS"]  # type: ignore[no-any-return]  # config values are Any

    def get_json(
        self, force: bool = False, silent: bool = False, cache: bool = True
    ) -> t.Any | None:
        """Parse the body as JSON, as werkzeug's :meth:`~werkzeug.wrappers.Request.get_json`.

        JSON nested too deeply for Python's parser, which recurses, is
        answered as invalid JSON is, rather than with a 500.
        """
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            return self.on_json_loading_failed(ValueError("it is nested too deeply to parse"))

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
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
