"""``Flask``: an :class:`~microweb.App` with the proxies on and Flask's spellings."""

from __future__ import annotations

import logging
import os
import typing as t
from datetime import timedelta
from functools import cached_property

from werkzeug.exceptions import Aborter, NotFound

from ..app import App
from ..helpers import redirect as _core_redirect
from ..helpers import send_from_directory as _core_send_from_directory
from ..wrappers import Request, RequestGlobals
from . import helpers
from .config import Config
from .wrappers import Request as FlaskRequest
from .json.provider import DefaultJSONProvider, JSONProvider
from .testing import FlaskCliRunner, FlaskClient
from .context import (
    AppContext,
    RequestContext,
    current_request,
    inside_app_context,
    test_request_context,
)

if t.TYPE_CHECKING:
    import jinja2

    from ..typing import ResponseReturnValue
    from ..wrappers import Response

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


class Flask(App):
    """An app with proxies on, built with Flask's arguments, in Flask's order.

    Views and hooks may be written Flask's way, without the request, or
    microweb's, with it; see :doc:`compat`.
    """

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
    ) -> None:
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
            proxies=True,
        )
        from .cli import AppGroup

        #: The app's commands; they run inside ``app.app_context()``.
        self.cli: AppGroup = AppGroup(self.name)

    #: Reads JSON with :attr:`json`.
    request_class = FlaskRequest
    #: Reads ``FLASK_*`` variables in ``from_prefixed_env``.
    config_class = Config
    #: The class of ``g`` in an application context.
    app_ctx_globals_class: type[t.Any] = RequestGlobals
    #: The class of :attr:`json`.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: The class of :attr:`aborter`.
    aborter_class: type[Aborter] = Aborter

    @cached_property
    def jinja_env(self) -> jinja2.Environment:
        """The app's Jinja environment; its ``tojson`` filter writes with :attr:`json`."""
        env = App.jinja_env.func(self)  # type: ignore[attr-defined]  # a cached_property's function
        env.policies["json.dumps_function"] = self.json.dumps
        return t.cast("jinja2.Environment", env)

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
            # A request inside app.app_context() leaves it to the context.
            if not inside_app_context(current_request()):
                f(exc)

        appcontext_ends.__qualname__ = getattr(f, "__qualname__", "appcontext_ends")
        self.add_hook("teardown_request", appcontext_ends)
        return f

    def make_response(self, *args: t.Any) -> Response:
        """Turn a view's return value into a response; Flask's ``make_response(rv)`` too."""
        if args and isinstance(args[0], Request):
            return super().make_response(*args)
        return super().make_response(current_request(), *args)

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Seconds a client may cache a file sent: ``SEND_FILE_MAX_AGE_DEFAULT``; override to vary it."""
        value = self.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return t.cast("int | None", value)

    def send_static_file(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """Send a file of the static folder; Flask's ``send_static_file(filename)`` too."""
        if args and isinstance(args[0], Request):
            request, *rest = args
        else:
            request, rest = current_request(), list(args)
        filename = rest[0] if rest else kwargs["filename"]
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
