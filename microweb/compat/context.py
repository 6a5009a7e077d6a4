"""The context variable behind the proxies, how a request binds it, and the proxies.

One :class:`~contextvars.ContextVar` holds what is *current*: the
:class:`~microweb.Request` being handled, or an :class:`AppContext` (from
``app.app_context()``) when there is no request. A context variable acts
as a thread-local under a threaded server and also keeps asyncio tasks
apart.

An app with ``proxies`` on (:func:`enable`) binds it around
:meth:`App.dispatch <microweb.App.dispatch>` and around
:meth:`App.finish_request <microweb.App.finish_request>` (the teardown
hooks, which run when the server closes the body), each time in a
``try``/``finally`` in the same function, so every way out unbinds it: a
return, an exception, a streamed body that is closed, a client that went
away (the server closes the body then too). Nothing stays bound between
two calls of the app.
"""

from __future__ import annotations

import functools
import inspect
import keyword
import os
import sys
import typing as t
from contextvars import ContextVar

from werkzeug.local import LocalProxy
from werkzeug.wsgi import ClosingIterator

from ..registration import ROLE_ARGUMENTS, check_signature
from ..wrappers import Request, RequestGlobals
from . import signals

if t.TYPE_CHECKING:
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from ..app import App
    from ..registration import Target
    from ..sessions import SessionMixin
    from ..wrappers import Response


_B = t.TypeVar("_B", bound="_Binding")
_A = t.TypeVar("_A", bound="App")


class _Binding:
    """A context manager over ``push()`` and ``pop(exc)``."""

    def push(self) -> None:
        raise NotImplementedError  # pragma: no cover

    def pop(self, exc: BaseException | None = None) -> None:
        raise NotImplementedError  # pragma: no cover

    def __enter__(self: _B) -> _B:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc)


class AppContext(_Binding):
    """What ``app.app_context()`` binds: the app, and a ``g`` of its own.

    For CLI commands, scripts and tests that need :data:`current_app` or
    :data:`g` without a request. A request bound inside it shares its
    ``g``, as in Flask.
    """

    #: There is no request in an application context.
    request: Request | None = None

    def __init__(self, app: App) -> None:
        #: The app that :data:`current_app` stands for.
        self.app = app
        #: The namespace :data:`g` stands for: ``app.app_ctx_globals_class()``
        #: when the app names one (Flask does).
        self.g: RequestGlobals = getattr(app, "app_ctx_globals_class", RequestGlobals)()
        self._tokens: list[t.Any] = []

    def push(self) -> None:
        """Bind this context; :meth:`pop` unbinds it."""
        self._tokens.append(_current.set(self))
        if signals.receivers_connected:
            signals.appcontext_pushed.send(self.app)

    def pop(self, exc: BaseException | None = None) -> None:
        """Run the app's ``teardown_appcontext`` functions and unbind the context."""
        try:
            for f in reversed(getattr(self.app, "teardown_appcontext_funcs", ())):
                f(exc)
            if signals.receivers_connected:
                signals.appcontext_tearing_down.send(self.app, exc=exc)
        finally:
            _current.reset(self._tokens.pop())
        if signals.receivers_connected:
            signals.appcontext_popped.send(self.app)



class RequestContext(_Binding):
    """Binds one request, as a request being handled does: ``app.test_request_context()``.

    Leaving it runs the request's teardown hooks, as the end of a request
    does.
    """

    def __init__(self, app: App, request: Request, *, teardown: bool = True) -> None:
        #: The app handling the request.
        self.app = app
        #: Whether leaving the context runs the teardown hooks; ``False``
        #: for a request whose teardown already ran.
        self.teardown = teardown
        #: The request that :data:`request` stands for.
        self.request = request
        self._tokens: list[t.Any] = []

    @property
    def session(self) -> SessionMixin:
        """The request's session."""
        return self.request.session

    @property
    def g(self) -> RequestGlobals:
        """The request's ``g``."""
        return self.request.g

    def push(self) -> None:
        """Bind the request; :meth:`pop` unbinds it."""
        outer = _current.get(None)
        self.request.__dict__.setdefault("outer_context", outer)
        if isinstance(outer, AppContext) and outer.app is self.app:
            # Flask's g belongs to the application context: share it.
            self.request.__dict__.setdefault("g", outer.g)
        self.request.__dict__["request_context"] = self
        self._tokens.append(_current.set(self.request))
        if signals.receivers_connected and len(self._tokens) == 1 and self.teardown:
            if not inside_app_context(self.request):
                # Flask binds an application context for the request.
                signals.appcontext_pushed.send(self.app)

    def pop(self, exc: BaseException | None = None) -> None:
        """Run the request's teardown hooks, then unbind it."""
        try:
            if len(self._tokens) == 1 and self.teardown:
                self.app.finish_request(self.request, exc)
        finally:
            _current.reset(self._tokens.pop())



#: The environ key of a list the binding dispatch appends its request to:
#: how ``with client:`` finds the request its last call made.
KEEP = "microweb.compat.keep"

#: The key in a request's ``__dict__`` that says ``request_tearing_down`` was
#: sent for it: ``Flask.teardown_appcontext``'s functions, which run as
#: teardown hooks, send it before the first of them, as Flask does.
TORN_DOWN = "microweb.compat.torn_down"

#: What is current: the request being handled, or an application context.
_current: ContextVar[Request | AppContext] = ContextVar("microweb.compat.current")


def bind(value: Request | AppContext) -> t.Any:
    """Make *value* current; return the token for :func:`unbind`."""
    return _current.set(value)


def unbind(token: t.Any) -> None:
    """Undo the :func:`bind` that returned *token*."""
    _current.reset(token)


def _no_record(value: Request | AppContext, proxy: str) -> None:
    raise AssertionError("an app records proxy reads only after start_recording")


#: What notes a read of a proxy while an app with ``proxies="warn"``
#: handles a request; see :mod:`microweb.compat.usage`.
_record: t.Callable[[Request | AppContext, str], None] = _no_record


def set_recorder(record: t.Callable[[Request | AppContext, str], None]) -> None:
    """Have *record* called with the bound value and the proxy's name on
    each read made for an app with ``proxies="warn"``."""
    global _record
    _record = record


def current() -> Request | AppContext | None:
    """Return what is bound: a request, an application context, or ``None``."""
    return _current.get(None)


# The lookups the proxies make. Each raises the error that says what to
# do when nothing suitable is bound.


def current_request() -> Request:
    """Return the request being handled.

    :raises RuntimeError: If no request is bound; the message says why and
        what to do.
    """
    value = _current.get(None)
    if value is None or value.__class__ is AppContext:
        raise RuntimeError(unbound_message("request", value))
    if value.app.proxies == "warn":
        _record(value, "request")
    return value  # type: ignore[return-value]  # not an AppContext, so a Request


def current_app_object() -> App:
    """Return the app of the bound request or application context.

    :raises RuntimeError: If nothing is bound.
    """
    value = _current.get(None)
    if value is None:
        raise RuntimeError(unbound_message("current_app", None))
    if value.app.proxies == "warn":
        _record(value, "current_app")
    return value.app


def current_g() -> RequestGlobals:
    """Return the ``g`` of the bound request or application context.

    :raises RuntimeError: If nothing is bound.
    """
    value = _current.get(None)
    if value is None:
        raise RuntimeError(unbound_message("g", None))
    if value.app.proxies == "warn":
        _record(value, "g")
    return value.g


def current_session() -> SessionMixin:
    """Return the session of the request being handled.

    :raises RuntimeError: If no request is bound.
    """
    value = _current.get(None)
    if value is None or value.__class__ is AppContext:
        raise RuntimeError(unbound_message("session", value))
    if value.app.proxies == "warn":
        _record(value, "session")
    return value.session  # type: ignore[union-attr]  # not an AppContext, so a Request


def inside_app_context(request: Request) -> bool:
    """Whether *request* is handled inside ``app.app_context()`` of its own app."""
    outer = request.__dict__.get("outer_context")
    return isinstance(outer, AppContext) and outer.app is request.app


def current_request_context() -> RequestContext:
    """Return the context of the request being handled (Flask's ``request_ctx``).

    :raises RuntimeError: If no request is bound.
    """
    request = current_request()
    context: RequestContext | None = request.__dict__.get("request_context")
    if context is None:
        # Bound by the app while it handles the request: leaving this
        # context must not end the request (its teardown runs when the body
        # is closed).
        context = request.__dict__["request_context"] = RequestContext(
            request.app, request, teardown=False
        )
    return context


def current_app_context() -> AppContext | Request:
    """Return what stands for the application context (Flask's ``app_ctx``).

    That is the bound :class:`AppContext`, or the request being handled,
    which has the same ``app`` and ``g``.

    :raises RuntimeError: If nothing is bound.
    """
    value = _current.get(None)
    if value is None:
        raise RuntimeError(unbound_message("app_ctx", None))
    return value


def unbound_message(name: str, value: object) -> str:
    """Explain why proxy *name* has nothing to stand for, and what to do instead.

    Only called when a proxy fails, so it may look at the stack: a request
    of an app in the explicit style there means the proxy was used in
    such an app's view or hook.
    """
    needs_request = name in {"request", "session"}
    kind = "request" if needs_request else "application"
    if value is not None:
        return (
            f"Working outside of request context: '{name}' was used inside"
            " 'with app.app_context():', which binds no request. Use"
            " 'with app.test_request_context(...):' to make one, or pass the"
            " request to the code that needs it."
        )
    explicit = _explicit_request_on_stack()
    if explicit is not None:
        return (
            f"Working outside of {kind} context: '{name}' was used while"
            f" {explicit.app!r} handles a request, but that app runs in the"
            " explicit style and binds no proxies. Use the request the view"
            " or hook receives (request.g, request.session, request.app,"
            " url_for(request, ...)), or enable the compatibility layer with"
            f" App({explicit.app.import_name!r}, proxies=True)."
        )
    hint = (
        "'with app.test_request_context():'"
        if needs_request
        else "'with app.app_context():'"
    )
    return (
        f"Working outside of {kind} context: '{name}' is bound only while an"
        " app created with proxies=True handles a request, or inside"
        f" {hint}. Use that block in scripts, CLI commands and tests, or"
        " pass the request to the code that needs it."
    )


def _explicit_request_on_stack() -> Request | None:
    frame = sys._getframe(2)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            # type(), not isinstance(): a proxy would look itself up.
            if issubclass(type(value), Request) and not getattr(value.app, "proxies", False):
                return t.cast(Request, value)
        frame = frame.f_back  # type: ignore[assignment]  # None ends the loop
    return None


# The proxies. werkzeug's LocalProxy reads an attribute of what it stands
# for in five Python calls (its __getattr__ descriptor, the lookup, the
# bound getattr); the four that views use most answer the common reads in
# one, while a request or context of an app with proxies on is bound.
# Anything else (nothing bound, an app that records its proxy reads, a
# read of the proxy's own attributes) takes werkzeug's way, which raises
# the error or records the read.

#: What a proxy answers itself, not the object it stands for.
_OWN = frozenset({"_get_current_object", "_LocalProxy__wrapped"})
#: werkzeug's way, for what the fast paths leave to it: its class-level
#: lookups take the proxy first (``LocalProxy.__getitem__(proxy, key)``).
_werkzeug: t.Any = LocalProxy


class _RequestProxy(LocalProxy):  # type: ignore[type-arg]  # stands for a Request
    __slots__ = ()

    def __getattribute__(self, name: str) -> t.Any:
        # perf: one call for request.args, request.form...
        value = _current.get(None)
        if (
            value is not None
            and value.__class__ is not AppContext
            and value.app.proxies is True
            and name not in _OWN
        ):
            return getattr(value, name)
        # An AttributeError from here hands the read to LocalProxy.__getattr__.
        return object.__getattribute__(self, name)


class _SessionProxy(LocalProxy):  # type: ignore[type-arg]  # stands for a session
    __slots__ = ()

    def __getattribute__(self, name: str) -> t.Any:
        value = _current.get(None)
        if (
            value is not None
            and value.__class__ is not AppContext
            and value.app.proxies is True
            and name not in _OWN
        ):
            return getattr(value.session, name)  # type: ignore[union-attr]  # a Request
        return object.__getattribute__(self, name)

    def __getitem__(self, key: str) -> t.Any:
        value = _current.get(None)
        if value is not None and value.__class__ is not AppContext and value.app.proxies is True:
            return value.session[key]  # type: ignore[union-attr]  # a Request
        return _werkzeug.__getitem__(self, key)

    def __setitem__(self, key: str, item: t.Any) -> None:
        value = _current.get(None)
        if value is not None and value.__class__ is not AppContext and value.app.proxies is True:
            value.session[key] = item  # type: ignore[union-attr]  # a Request
        else:
            _werkzeug.__setitem__(self, key, item)

    def __contains__(self, key: object) -> bool:
        value = _current.get(None)
        if value is not None and value.__class__ is not AppContext and value.app.proxies is True:
            return key in value.session  # type: ignore[union-attr]  # a Request
        return _werkzeug.__contains__(self, key)  # type: ignore[no-any-return]  # a bool


class _GProxy(LocalProxy):  # type: ignore[type-arg]  # stands for a RequestGlobals
    __slots__ = ()

    def __getattribute__(self, name: str) -> t.Any:
        value = _current.get(None)
        if value is not None and value.app.proxies is True and name not in _OWN:
            return getattr(value.g, name)
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, item: t.Any) -> None:
        value = _current.get(None)
        if value is not None and value.app.proxies is True:
            setattr(value.g, name, item)
        else:
            _werkzeug.__setattr__(self, name, item)

    def __contains__(self, key: object) -> bool:
        value = _current.get(None)
        if value is not None and value.app.proxies is True:
            return key in value.g
        return _werkzeug.__contains__(self, key)  # type: ignore[no-any-return]  # a bool


class _AppProxy(LocalProxy):  # type: ignore[type-arg]  # stands for an App
    __slots__ = ()

    def __getattribute__(self, name: str) -> t.Any:
        value = _current.get(None)
        if value is not None and value.app.proxies is True and name not in _OWN:
            return getattr(value.app, name)
        return object.__getattribute__(self, name)


for _proxy_class in (_RequestProxy, _SessionProxy, _GProxy, _AppProxy):
    # Unbound, a proxy shows its class's name: werkzeug's, as before.
    _proxy_class.__name__ = "LocalProxy"

#: The request being handled; see :class:`microweb.Request`.
request: Request = _RequestProxy(current_request)  # type: ignore[assignment]  # stands for a Request
#: The session of the request being handled.
session: SessionMixin = _SessionProxy(current_session)  # type: ignore[assignment]  # stands for the session
#: The ``g`` of the request, or of the application context.
g: RequestGlobals = _GProxy(current_g)  # type: ignore[assignment]  # stands for a RequestGlobals
#: The app handling the request, or of the application context.
current_app: App = _AppProxy(current_app_object)  # type: ignore[assignment]  # stands for the App
#: The :class:`RequestContext` of the request being handled.
request_ctx: RequestContext = LocalProxy(current_request_context)  # type: ignore[assignment]  # stands for a RequestContext
#: The application context, or the request, which has its ``app`` and ``g``.
app_ctx: AppContext = LocalProxy(current_app_context)  # type: ignore[assignment]  # stands for an AppContext


# Turning the layer on for an app.


def enable(app: App) -> None:
    """Turn the layer on for *app*; ``App(..., proxies=True)`` calls this.

    *app* is an instance of a subclass of its class (made once per class,
    same name, by :func:`binding_class`, which ``App.__new__`` calls when
    the proxies are on) that binds the request around
    :meth:`~microweb.App.dispatch` and
    :meth:`~microweb.App.finish_request`, accepts callables that do not
    take the request (``request_optional``) and has ``app_context`` and
    ``test_request_context`` unless its class has them. :func:`adapt` goes
    first in its registration steps. An app without proxies is untouched.

    perf: a subclass, not instance attributes: past about 30 attributes
    CPython 3.11 stops sharing an instance dict's keys, and every
    ``self.x`` on the request path gets slower. The instance is made of
    the subclass from the start: assigning ``__class__`` later would lose
    that sharing too.
    """
    app.registration_steps.insert(0, adapt)
    if type(app) not in _binding_classes.values():
        # App.__new__ makes proxies-on apps binding from the start; this
        # is for an app whose class made it otherwise.
        app.__class__ = binding_class(type(app))
    if app.proxies == "warn" or os.environ.get("MICROWEB_PROXIES") == "warn":
        from .usage import start_recording

        start_recording(app)


_binding_classes: dict[type[t.Any], type[t.Any]] = {}


def binding_class(cls: type[_A]) -> type[_A]:
    """Return the subclass of *cls* that binds the proxies; made once per class."""
    if cls in _binding_classes.values():
        return cls
    try:
        return _binding_classes[cls]
    except KeyError:
        pass
    core_dispatch = cls.dispatch
    core_finish = cls.finish_request
    core_log_exception = cls.log_exception

    def dispatch(self: App, request: Request) -> Response | bytes:
        # perf: the one call the layer adds to a request; set and reset
        # are C calls, and the signals cost an attribute read while no
        # receiver listens.
        token = _current.set(request)
        try:
            if signals.receivers_connected:
                return _dispatch_sending(self, request, core_dispatch, token.old_value)
            rv = core_dispatch(self, request)
            if KEEP in request.environ:
                # The test client, in a with block, binds it again after.
                request.environ[KEEP].append(request)
            if "after_this_request" in request.__dict__:
                rv = _after_this_request(request, rv)
            return rv
        finally:
            _current.reset(token)

    def finish_request(
        self: App, request: Request, error: BaseException | None = None, *, reraise: bool = True
    ) -> None:
        token = _current.set(request)
        # What was bound outside the request: teardown_appcontext functions
        # wait for an application context around it to end.
        request.__dict__.setdefault("outer_context", token.old_value)
        try:
            try:
                core_finish(self, request, error, reraise=reraise)
            finally:
                if signals.receivers_connected:
                    _send_teardown(self, request, error, not inside_app_context(request))
        finally:
            _current.reset(token)

    def log_exception(self: App, *args: t.Any) -> None:
        # The core logs an exception nothing handled just before the 500's
        # handler answers it: Flask sends got_request_exception there.
        if signals.receivers_connected and len(args) == 2:
            request, e = args
            if e is getattr(request, "unhandled_exception", None):
                signals.got_request_exception.send(self, exception=e)
        core_log_exception(self, *args)

    namespace: dict[str, t.Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "request_optional": True,
        "dispatch": functools.wraps(core_dispatch)(dispatch),
        "finish_request": functools.wraps(core_finish)(finish_request),
        # Not functools.wraps: Flask's __init_subclass__ would take the
        # signature of an exc_info-style log_exception for this one's.
        "log_exception": log_exception,
    }
    if not hasattr(cls, "app_context"):
        namespace["app_context"] = _app_context
    if not hasattr(cls, "test_request_context"):
        namespace["test_request_context"] = test_request_context
    if cls.wsgi_app is _core_wsgi_app():
        # perf: binding in wsgi_app, as well as in dispatch, saves the
        # binding dispatch's frame on every request the server sends; an
        # app whose class has a wsgi_app of its own keeps it, and it calls
        # the binding dispatch.
        namespace["wsgi_app"] = _binding_wsgi_app(core_dispatch)
    binding = _binding_classes[cls] = type(cls.__name__, (cls,), namespace)
    return binding


def _core_wsgi_app() -> t.Callable[..., t.Any]:
    from ..app import App

    return App.wsgi_app


def _binding_wsgi_app(
    core_dispatch: t.Callable[[App, Request], Response | bytes],
) -> t.Callable[[App, WSGIEnvironment, StartResponse], t.Iterable[bytes]]:
    """Return :meth:`App.wsgi_app <microweb.App.wsgi_app>` with the binding
    dispatch's work done in it, around *core_dispatch*.

    What it sends, and when it runs the teardown hooks, are the core's:
    ``tests/compat/test_compat_wsgi.py`` holds the two to the same answers.
    """

    def wsgi_app(
        self: App, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        request = self.request_class(environ, self)
        try:
            token = _current.set(request)
            try:
                rv: Response | bytes
                if signals.receivers_connected:
                    rv = _dispatch_sending(self, request, core_dispatch, token.old_value)
                else:
                    rv = core_dispatch(self, request)
                    if KEEP in environ:
                        environ[KEEP].append(request)
                    if "after_this_request" in request.__dict__:
                        rv = _after_this_request(request, rv)
            finally:
                _current.reset(token)
            if rv.__class__ is bytes:
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Content-Length", str(len(rv))),
                    ],
                )
                app_iter: t.Iterable[bytes] = () if request.method == "HEAD" else (rv,)
            else:
                app_iter = rv(environ, start_response)  # type: ignore[operator]  # a Response
        except BaseException as e:
            self.finish_request(request, e, reraise=False)
            raise
        if request.endpoint in self._teardowns or request.__dict__.get("files"):
            return ClosingIterator(
                app_iter,
                lambda: self.finish_request(request, request.unhandled_exception),
            )
        return app_iter

    wsgi_app.__doc__ = _core_wsgi_app().__doc__
    wsgi_app.__qualname__ = "App.wsgi_app"
    return wsgi_app


def _dispatch_sending(
    app: App,
    request: Request,
    core_dispatch: t.Callable[[App, Request], Response | bytes],
    outer: object,
) -> Response:
    """Dispatch *request* as the binding dispatch does, sending Flask's request
    signals where Flask sends them; only while a receiver is connected."""
    # Flask binds an application context for a request unless one of the
    # same app is bound already.
    own_app_context = outer is None or getattr(outer, "app", None) is not app
    if own_app_context:
        signals.appcontext_pushed.send(app)
    # Routed here too so that request_started's receivers see the endpoint
    # and arguments, as Flask's do; the dispatch routes it again. (Routing
    # needs the app frozen, which the dispatch would do first.)
    if not app._serving:
        app._freeze_to_serve()
    app.router.route(request)
    signals.request_started.send(app)
    try:
        rv = core_dispatch(app, request)
    except Exception as e:
        if e is request.unhandled_exception:
            # Propagated (TESTING): Flask sends before it raises.
            signals.got_request_exception.send(app, exception=e)
        raise
    if KEEP in request.environ:
        request.environ[KEEP].append(request)
    if "after_this_request" in request.__dict__:
        rv = _after_this_request(request, rv)
    response = app.make_response(request, rv) if rv.__class__ is bytes else t.cast("Response", rv)
    signals.request_finished.send(app, response=response)
    # wsgi_app calls finish_request, which sends the teardown signals, only
    # for an endpoint with teardown hooks or a request with uploads (the
    # same test as there). Otherwise send them when the body is closed,
    # unless the request is a bound context's (full_dispatch_request in
    # test_request_context), which sends them when it is left.
    finishes = request.endpoint in app._teardowns or request.__dict__.get("files")
    if not finishes and outer is not request:
        response.call_on_close(
            functools.partial(_teardown_sending, app, request, own_app_context)
        )
    return response


def _teardown_sending(app: App, request: Request, own_app_context: bool) -> None:
    token = _current.set(request)
    try:
        _send_teardown(app, request, request.unhandled_exception, own_app_context)
    finally:
        _current.reset(token)


def _send_teardown(
    app: App, request: Request, error: BaseException | None, own_app_context: bool
) -> None:
    """Send the signals of a request's end, after its teardown hooks ran."""
    if request.__dict__.pop(TORN_DOWN, None) is None:
        signals.request_tearing_down.send(app, exc=error)
    if own_app_context:
        signals.appcontext_tearing_down.send(app, exc=error)
        signals.appcontext_popped.send(app)


def _app_context(app: App) -> AppContext:
    """Return an :class:`AppContext` of *app*: ``with app.app_context():``."""
    return AppContext(app)


def _after_this_request(request: Request, rv: Response | bytes) -> Response:
    if rv.__class__ is bytes:
        rv = request.app.make_response(request, rv)
    response = t.cast("Response", rv)
    for f in request.__dict__.pop("after_this_request"):
        response = f(response)
    return response


def test_request_context(app: App, *args: t.Any, **kwargs: t.Any) -> RequestContext:
    """Return a :class:`RequestContext` for a request built like the test client's.

    Takes the arguments of :func:`microweb.testing.environ_builder`: a
    path, ``method``, ``data``, ``json``, ``headers``, ``base_url``...
    """
    from ..testing import environ_builder

    builder = environ_builder(app, *args, **kwargs)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    request = app.request_class(environ, app)
    app.freeze()
    app.router.route(request)
    return RequestContext(app, request)


# The registration step that adapts Flask-style callables.


def adapt(app: App, f: t.Callable[..., t.Any], target: Target) -> t.Callable[..., t.Any]:
    """Wrap a callable that does not take the request into one that does.

    Registration decided from the signature whether *f* takes the
    request: it does if it can be called with the request first and the
    role's arguments. Two refinements, for Flask-style code:

    * a first parameter with a default value is not the request (``def
      index(page=1)``);
    * a decorator's wrapper that takes ``*args`` and names the function it
      wraps in ``__wrapped__`` (:func:`functools.wraps`) is decided from
      the innermost wrapped function.
    """
    if target.takes_request and not _flask_style_after_all(app, f, target):
        return f
    flask_style = _requestless_caller(app, f, target)
    functools.update_wrapper(flask_style, f)
    #: Marks an adapted callable: it ignores the request it is given.
    flask_style.flask_style = True  # type: ignore[attr-defined]  # a marker on a function
    return flask_style


def _requestless_caller(
    app: App, f: t.Callable[..., t.Any], target: Target
) -> t.Callable[..., t.Any]:
    """Return a function that takes the request first and calls *f* without it.

    perf: this call is on every request of a Flask-style view, so it is
    made to measure where the arguments are known: a hook's are its
    role's, passed by position as Flask passes them, and a view's are the
    names of its rules' arguments, passed by keyword as ``f(**view_args)``
    would (no ``*args`` or ``**kwargs`` to pack and unpack: a third of the
    proxy style's cost on a hello with one argument).
    """
    if target.role != "view":
        arguments = len(ROLE_ARGUMENTS[target.role])
        if arguments == 0:

            def no_arguments(request: Request) -> t.Any:
                return f()

            return no_arguments
        if arguments == 1:
            # An after-hook's response, a teardown hook's exception, an
            # error handler's error.
            def one_argument(request: Request, argument: t.Any) -> t.Any:
                return f(argument)

            return one_argument
    names = _view_arguments(app, target) if target.role == "view" else None
    if names is None:

        def any_arguments(request: Request, *args: t.Any, **kwargs: t.Any) -> t.Any:
            return f(*args, **kwargs)

        return any_arguments
    # The names are rule variables, which werkzeug allows only as Python
    # identifiers (_view_arguments checks): the source holds nothing else.
    source = (
        f"def flask_style(_mw_request, {', '.join(names)}):\n"
        f"    return _mw_view({', '.join(f'{name}={name}' for name in names)})\n"
    )
    namespace: dict[str, t.Any] = {"_mw_view": f}
    filename = f"{ADAPTER_FILENAME} {target.endpoint}>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    return t.cast("t.Callable[..., t.Any]", namespace["flask_style"])


#: The file name of the adapters made to measure, as tracebacks show it.
ADAPTER_FILENAME = "<flask-style view"


def _view_arguments(app: App, target: Target) -> tuple[str, ...] | None:
    """The arguments every request of *target*'s endpoint passes, or ``None`` if they vary.

    They vary when the endpoint's rules differ in their arguments or
    defaults, or when a URL value preprocessor may take some out.
    """
    if target.endpoint is None or any(app.url_value_preprocessors.values()):
        return None
    found: set[tuple[str, ...]] = set()
    for rule in app.url_map.iter_rules(target.endpoint):
        found.add(tuple(sorted({*rule.arguments, *(rule.defaults or ())})))
    if len(found) != 1:
        return None
    (names,) = found
    if not all(
        name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_mw_")
        for name in names
    ):
        return None
    return names


def _flask_style_after_all(app: App, f: t.Callable[..., t.Any], target: Target) -> bool:
    arguments: set[str] = set()
    if target.role == "view" and target.endpoint is not None:
        for rule in app.url_map.iter_rules(target.endpoint):
            arguments.update(rule.arguments)
    try:
        # A callable put in a registry directly (view_functions[...] = f)
        # was never checked at registration: decide now.
        if not check_signature(f, target.role, arguments=arguments, request_optional=True):
            return True
    except TypeError:
        return False
    try:
        parameters = list(inspect.signature(f, follow_wrapped=False).parameters.values())
    except (TypeError, ValueError):
        return False
    if not parameters:
        return False
    first = parameters[0]
    if first.kind is first.VAR_POSITIONAL:
        inner = inspect.unwrap(f)
        if inner is f:
            return False
        try:
            return not check_signature(
                inner, target.role, arguments=arguments, request_optional=True
            )
        except TypeError:
            return False
    return first.default is not first.empty and first.kind is not first.KEYWORD_ONLY
