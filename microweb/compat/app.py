"""``Flask``: an :class:`~microweb.App` with the proxies on and Flask's spellings."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
import typing as t
from datetime import timedelta
from functools import cached_property

from werkzeug.exceptions import Aborter, NotFound
from werkzeug.routing import BuildError

from ..app import App
from ..config import DEFAULT_CONFIG
from ..helpers import redirect as _core_redirect
from ..helpers import send_file_max_age
from ..helpers import send_from_directory as _core_send_from_directory
from ..templating import AppLoader, create_environment
from ..wrappers import Request
from . import helpers, signals
from .config import Config
from .ctx import AppGlobals
from .templating import Environment
from .wrappers import Request as FlaskRequest
from .wrappers import Response as FlaskResponse
from .json.provider import DefaultJSONProvider, JSONProvider
from .testing import FlaskCliRunner, FlaskClient
from .helpers import static_file_arguments
from .typing import FlaskStyleSetup
from .context import (
    TORN_DOWN,
    AppContext,
    RequestContext,
    current,
    current_request,
    inside_app_context,
    test_request_context,
)

if t.TYPE_CHECKING:
    import jinja2

    from ..sessions import SessionInterface
    from ..typing import ResponseReturnValue
    from ..wrappers import Response

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


class EndpointClashError(ValueError, AssertionError):
    """An endpoint given a second, different view: refused, as in the core and in Flask."""


class Flask(FlaskStyleSetup, App):
    """An app with proxies on, built with Flask's arguments, in Flask's order.

    Views and hooks may be written Flask's way, without the request, or
    microweb's, with it; see :doc:`compat`.
    """

    #: Made with the proxies on, as ``App(..., proxies=True)`` is.
    proxies_by_default = True
    #: A view's dict or list is written by ``app.json``, as in Flask.
    json_fast = False

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
        *,
        proxies: t.Literal[True, "warn"] = True,
    ) -> None:
        if proxies is not True and proxies != "warn":
            raise ValueError(
                "A Flask app always has the proxies on: pass proxies=True or"
                " proxies=\"warn\", or use microweb.App for the explicit style."
            )
        if static_folder is not None and bool(static_host) != host_matching:
            # Flask refuses these with an AssertionError too.
            raise AssertionError(
                "static_host and host_matching go together: with host_matching=True"
                " the static files need a static_host, and static_host needs"
                " host_matching=True (or static_folder=None)."
            )
        #: The host the static files are served from, with host matching.
        self.static_host = static_host
        #: ``f(error, endpoint, values)`` tried in order when ``url_for``
        #: cannot build a URL; see :meth:`handle_url_build_error`.
        self.url_build_error_handlers: list[
            t.Callable[[BuildError, str, dict[str, t.Any]], str | None]
        ] = []
        #: ``f(exc)`` run when an application context ends; see
        #: :meth:`teardown_appcontext`.
        self.teardown_appcontext_funcs: list[t.Callable[..., t.Any]] = []
        super().__init__(
            import_name,
            static_url_path=static_url_path,
            static_folder=static_folder,
            host_matching=host_matching,
            subdomain_matching=subdomain_matching,
            template_folder=template_folder,
            instance_path=instance_path,
            instance_relative_config=instance_relative_config,
            root_path=root_path,
            proxies=proxies,
        )
        for key, value in self.default_config.items():
            self.config.setdefault(key, value)
        from .cli import AppGroup

        #: The app's commands; they run inside ``app.app_context()``.
        self.cli: AppGroup = AppGroup(self.name)

    #: The config a new app starts with: the core's, and the keys only
    #: Flask apps read.
    default_config: dict[str, t.Any] = {
        **DEFAULT_CONFIG,
        "MAX_COOKIE_SIZE": 4093,
        "EXPLAIN_TEMPLATE_LOADING": False,
    }
    #: Reads JSON with :attr:`json`; may be made without an app.
    request_class = FlaskRequest
    #: Checks cookies against ``MAX_COOKIE_SIZE``.
    response_class = FlaskResponse
    #: Reads ``FLASK_*`` variables in ``from_prefixed_env``.
    config_class = Config
    #: The class of ``g`` in an application context.
    app_ctx_globals_class: type[t.Any] = AppGlobals
    #: The class of :attr:`json`.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: The class of :attr:`aborter`.
    aborter_class: type[Aborter] = Aborter

    #: The class of :attr:`jinja_env`, called as ``jinja_environment(app, **options)``.
    jinja_environment: type[Environment] = Environment
    #: Options for :attr:`jinja_env`, over the defaults; set before it is made.
    jinja_options: dict[str, t.Any] = {}

    def create_global_jinja_loader(self) -> jinja2.BaseLoader:
        """Return the loader of :attr:`jinja_env`: the app's template folder, then its blueprints'."""
        return AppLoader(self)

    def create_jinja_environment(self) -> jinja2.Environment:
        """Make :attr:`jinja_env` from :attr:`jinja_environment` and :attr:`jinja_options`."""
        options = dict(self.jinja_options)
        if "loader" not in options:
            options["loader"] = self.create_global_jinja_loader()
        env = create_environment(
            self, functools.partial(self.jinja_environment, self), **options
        )
        env.policies["json.dumps_function"] = self.json.dumps
        return env

    @cached_property
    def jinja_env(self) -> jinja2.Environment:
        """The app's Jinja environment; its ``tojson`` filter writes with :attr:`json`."""
        return self.create_jinja_environment()

    @property
    def debug(self) -> bool:
        """``config["DEBUG"]``; turning it on reloads changed templates, unless ``TEMPLATES_AUTO_RELOAD`` says otherwise."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if "jinja_env" in self.__dict__ and self.config["TEMPLATES_AUTO_RELOAD"] is None:
            self.jinja_env.auto_reload = bool(value)

    @property
    def subdomain_matching(self) -> bool:
        """Whether rules' ``subdomain`` is matched against the host, relative to ``SERVER_NAME``."""
        return self.router.subdomain_matching

    @subdomain_matching.setter
    def subdomain_matching(self, value: bool) -> None:
        self.router.subdomain_matching = value

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("log_exception")
        if own is not None and _takes_exc_info(own):
            # Flask's log_exception(self, exc_info): the app calls it with
            # the request and the exception; hand it the exc_info instead.
            def log_exception(self: Flask, *args: t.Any) -> None:
                if len(args) == 2:
                    e = args[1]
                    args = ((type(e), e, e.__traceback__),)
                own(self, *args)

            cls.log_exception = functools.wraps(own)(log_exception)  # type: ignore[method-assign]  # adapted once, per class

    def log_exception(self, *args: t.Any) -> None:
        """Log an unhandled exception: ``(request, e)`` as the core does, or Flask's ``(exc_info)``.

        A subclass may override it with either signature.
        """
        if len(args) != 1:
            return super().log_exception(*args)
        value = current()
        where = ""
        if isinstance(value, Request):
            where = f" on {value.path} [{value.method}]"
        self.logger.error(f"Exception{where}", exc_info=args[0])
        return None

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Route *rule* to *view_func*; see :meth:`microweb.App.add_url_rule`.

        As in Flask, a view equal to the endpoint's (the same method of the
        same object, ``self.index``) is the same view, and the static
        files' rule gets :attr:`static_host`.

        :raises EndpointClashError: If *endpoint* already has another view;
            it is a ``ValueError``, as the core raises, and an
            ``AssertionError``, as Flask raises.
        """
        name = endpoint if endpoint is not None else getattr(view_func, "__name__", None)
        existing = self.view_functions.get(name) if name is not None else None
        clash = False
        if view_func is not None and existing is not None and existing is not view_func:
            if existing == view_func:
                view_func = existing
            else:
                clash = True
        if name == "static":
            if view_func is not None and view_func == self.send_static_file:
                # The app's own static rule: a view that finds the app
                # through the request, so that the app holds no reference
                # to itself and is freed once nothing else refers to it.
                view_func = _send_static_file
            if self.static_host is not None:
                options.setdefault("host", self.static_host)
        try:
            super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)
        except ValueError as e:
            if not clash:
                raise
            # Refused as the core refuses it, catchable as Flask's error too.
            raise EndpointClashError(str(e)) from None

    def register_error_handler(
        self,
        code_or_exception: type[BaseException] | int,
        f: t.Callable[..., t.Any],
        blueprint: str | None = None,
    ) -> None:
        """Handle a status code or exception class with *f*; see :meth:`microweb.App.register_error_handler`.

        :raises TypeError: For an exception instance, as Flask does.
        :raises ValueError: For a class that is not an exception, as Flask does.
        """
        if isinstance(code_or_exception, BaseException):
            raise TypeError(
                f"{code_or_exception!r} is an instance, not a class. Register"
                f" {type(code_or_exception).__name__} itself."
            )
        if isinstance(code_or_exception, type) and not issubclass(code_or_exception, Exception):
            raise ValueError(
                f"'{code_or_exception.__name__}' is not a subclass of Exception."
                " Only exceptions can be handled."
            )
        super().register_error_handler(code_or_exception, f, blueprint)

    def inject_url_defaults(self, *args: t.Any) -> None:
        """Call the URL default functions on ``values``: Flask's ``(endpoint, values)`` or the core's ``(request, endpoint, values)``."""
        if len(args) == 2:
            value = current()
            args = (value if isinstance(value, Request) else None, *args)
        super().inject_url_defaults(*args)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Answer a URL that ``url_for`` could not build, with :attr:`url_build_error_handlers`.

        The first handler that returns something other than ``None`` gives
        the URL; one that raises a ``BuildError`` passes that error on.

        :raises BuildError: When no handler gives a URL.
        """
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    def dispatch(self, request: Request) -> Response | bytes:
        """Turn *request* into a response; see :meth:`microweb.App.dispatch`.

        A request that sends cookies has its session opened first, as
        Flask opens it for every request, so that a permanent session's
        cookie is renewed (``SESSION_REFRESH_EACH_REQUEST``) even when no
        view or hook reads it.
        """
        if "HTTP_COOKIE" in request.environ and self.config["SESSION_REFRESH_EACH_REQUEST"]:
            request.session  # noqa: B018  # opened, so saved after the view
        return super().dispatch(request)

    def full_dispatch_request(self) -> Response:
        """Handle the bound request, hooks and error handlers included, and return its response."""
        request = current_request()
        rv = self.dispatch(request)
        if rv.__class__ is bytes:
            return self.make_response(request, rv)
        return t.cast("Response", rv)

    @cached_property
    def logger(self) -> logging.Logger:
        """The logger named after the app; it writes to the request's ``wsgi.errors``."""
        from .logging import create_logger

        return create_logger(self)

    @cached_property
    def json(self) -> JSONProvider:
        """How the app writes and reads JSON: ``jsonify`` and ``microweb.compat.json`` use it."""
        return self.json_provider_class(self)

    @cached_property
    def session_interface(self) -> SessionInterface:
        """Signs session cookies as Flask does (HMAC-SHA1) and reads the core's
        too, so users of a Flask app that moves stay logged in; see
        :ref:`from-flask`."""
        from .sessions import SecureCookieSessionInterface

        return SecureCookieSessionInterface()

    @cached_property
    def aborter(self) -> Aborter:
        """What ``abort`` raises through; add codes to ``aborter.mapping``."""
        return self.aborter_class()

    def redirect(self, location: str, code: int = 302) -> Response:
        """Return a redirect response; ``microweb.compat.redirect`` calls this."""
        return _core_redirect(location, code)

    @property
    def secret_key(self) -> t.Any:
        """``config["SECRET_KEY"]``."""
        return self.config["SECRET_KEY"]

    @secret_key.setter
    def secret_key(self, value: t.Any) -> None:
        self.config["SECRET_KEY"] = value

    @property
    def permanent_session_lifetime(self) -> timedelta:
        """``config["PERMANENT_SESSION_LIFETIME"]``, as a ``timedelta``."""
        value = self.config["PERMANENT_SESSION_LIFETIME"]
        return value if isinstance(value, timedelta) else timedelta(seconds=value)

    @permanent_session_lifetime.setter
    def permanent_session_lifetime(self, value: timedelta | int) -> None:
        self.config["PERMANENT_SESSION_LIFETIME"] = (
            value if isinstance(value, timedelta) else timedelta(seconds=value)
        )

    @property
    def got_first_request(self) -> bool:
        """Whether the app has handled a request."""
        return self._serving

    def app_context(self) -> AppContext:
        """Return a context that binds ``current_app`` and ``g``: ``with app.app_context():``."""
        return AppContext(self)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """Return a context that binds a test request; takes the test client's arguments."""
        return test_request_context(self, *args, **kwargs)

    def request_context(self, environ: dict[str, t.Any]) -> RequestContext:
        """Return a context that binds a request for *environ*."""
        request = self.request_class(environ, self)
        self.freeze()
        self.router.route(request)
        return RequestContext(self, request)

    #: The class :meth:`test_client` returns; :class:`~microweb.compat.testing.FlaskClient` by default.
    test_client_class: type[FlaskClient] | None = None

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """Return a test client; ``with client:`` keeps the last request bound."""
        cls = self.test_client_class or FlaskClient
        return cls(self, use_cookies=use_cookies, **kwargs)

    #: The class :meth:`test_cli_runner` returns.
    test_cli_runner_class: type[FlaskCliRunner] | None = None

    def test_cli_runner(self, **kwargs: t.Any) -> FlaskCliRunner:
        """Return a runner for the app's commands; see :class:`microweb.testing.CliRunner`."""
        cls = self.test_cli_runner_class or FlaskCliRunner
        return cls(self, **kwargs)

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with werkzeug's development server, on ``SERVER_NAME``'s host and port by default."""
        if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
            return  # the flask command serves the app itself
        server_name = self.config.get("SERVER_NAME")
        sn_host, _, sn_port = (server_name or "").partition(":")
        if not host:
            host = sn_host or "127.0.0.1"
        if port or port == 0:
            port = int(port)
        else:
            port = int(sn_port) if sn_port else 5000
        super().run(host, port, debug, **options)

    def teardown_appcontext(self, f: _F) -> _F:
        """Call ``f(exc)`` when each request and each application context ends."""
        self._check_setup("teardown_appcontext")
        self.teardown_appcontext_funcs.append(f)

        def appcontext_ends(exc: BaseException | None = None) -> None:
            request = current_request()
            if signals.receivers_connected and TORN_DOWN not in request.__dict__:
                # The request's own teardown functions have run: Flask
                # sends this before the application context's run.
                request.__dict__[TORN_DOWN] = True
                # (request.app, not self: the app holds no reference to itself.)
                signals.request_tearing_down.send(request.app, exc=exc)
            # A request inside app.app_context() leaves it to the context.
            if not inside_app_context(request):
                f(exc)

        appcontext_ends.__qualname__ = getattr(f, "__qualname__", "appcontext_ends")
        self.add_hook("teardown_request", appcontext_ends)
        # The application context ends after the request: these run after
        # every teardown_request function, the last registered first. The
        # app's own teardown hooks run last, from the end of their list.
        hooks = self.teardown_request_funcs[None]
        hooks.insert(len(self.teardown_appcontext_funcs) - 1, hooks.pop())
        return f

    def make_response(self, *args: t.Any) -> Response:
        """Turn a view's return value into a response; Flask's ``make_response(rv)`` too.

        A ``dict`` or ``list`` (alone or first in a tuple) is written by
        ``app.json``, as Flask writes it: keys sorted by default.
        """
        if args and isinstance(args[0], Request):
            request, rest = args[0], list(args[1:])
        else:
            request, rest = current_request(), list(args)
        if rest:
            rv = rest[0]
            if isinstance(rv, tuple) and rv and isinstance(rv[0], (dict, list)):
                rest[0] = (self.json.response(rv[0]), *rv[1:])
            elif isinstance(rv, (dict, list)):
                rest[0] = self.json.response(rv)
        return super().make_response(request, *rest)

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Seconds a client may cache a file sent: ``SEND_FILE_MAX_AGE_DEFAULT``; override to vary it."""
        return send_file_max_age(self.config)

    def send_static_file(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Send a file of the static folder; Flask's ``send_static_file(filename)`` too."""
        request, filename = static_file_arguments(args, kwargs)
        if self.static_folder is None:
            raise NotFound()
        return _core_send_from_directory(
            request, self.static_folder, filename, max_age=self.get_send_file_max_age
        )

    def url_for(self, endpoint: str, **values: t.Any) -> str:
        """Return the URL for *endpoint*, relative to the current request if there is one."""
        return helpers.url_for(endpoint, **values)

    def preprocess_request(
        self, request: Request | None = None
    ) -> ResponseReturnValue | None:
        """Run the before-hooks of the current (or given) request."""
        return super().preprocess_request(request or current_request())

    def process_response(self, response: Response) -> Response:
        """Run the current request's after-hooks on *response*."""
        request = current_request()
        prepared = self.prepared
        if prepared is None:
            self.freeze()
            prepared = t.cast("t.Any", self.prepared)
        endpoint = prepared.endpoints.get(request.endpoint or "", prepared.unmatched)
        return self._process_response(request, response, endpoint)

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        """Run the current request's teardown hooks."""
        self.finish_request(current_request(), exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        """Run the ``teardown_appcontext`` functions."""
        for f in reversed(self.teardown_appcontext_funcs):
            f(exc)


def _send_static_file(request: Request, filename: str) -> Response:
    """The view of a ``Flask`` app's ``static`` endpoint: ``request.app.send_static_file``."""
    return request.app.send_static_file(request, filename)


def _takes_exc_info(f: t.Callable[..., t.Any]) -> bool:
    """Whether *f* is Flask's ``log_exception(self, exc_info)``: two positional parameters."""
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [
        p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(positional) == 2 and all(p.kind is not p.VAR_POSITIONAL for p in parameters)
