"""The application: its setup methods and the path of a request."""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
import typing as t
from collections.abc import Iterator
from functools import cached_property

from werkzeug.datastructures import Headers
from werkzeug.exceptions import (
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    NotFound,
)
from werkzeug.routing import Rule
from werkzeug.routing.exceptions import RoutingException
from werkzeug.wrappers import Response as _WerkzeugResponse
from werkzeug.wsgi import ClosingIterator

from .config import DEFAULT_CONFIG, Config
from .errors import HandlerSpec, error_response, exception_class_and_code, find_handler
from .helpers import default_static_url_path, get_root_path, json_dumps, send_from_directory
from .routing import F, RouteDecorators, Router, blueprint_chain, build_url
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    import jinja2
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.test import Client

    from .blueprints import Blueprint
    from .sessions import SessionInterface
    from .typing import (
        AfterRequestHook,
        BeforeRequestHook,
        ErrorHandler,
        ResponseReturnValue,
        TeardownHook,
        View,
    )

_HookKind = t.Literal["before", "after", "teardown"]


class _Endpoint:
    """Everything the request path needs for one endpoint, made at freeze.

    The hooks are in the order they run, blueprint and app together, so a
    request never looks them up.
    """

    __slots__ = ("name", "view", "before", "after", "teardown", "blueprints", "fast")

    def __init__(
        self,
        name: str | None,
        view: View,
        before: tuple[BeforeRequestHook, ...],
        after: tuple[AfterRequestHook, ...],
        teardown: tuple[TeardownHook, ...],
        blueprints: tuple[str, ...],
        fast: bool,
    ) -> None:
        self.name = name
        self.view = view
        self.before = before
        self.after = after
        self.teardown = teardown
        self.blueprints = blueprints
        #: A ``str`` from the view may skip building a Response object.
        self.fast = fast


class App(RouteDecorators):
    """A WSGI application whose views receive the request explicitly.

    ::

        app = App(__name__)

        @app.route("/hello/<name>")
        def hello(request, name):
            return f"Hello, {name}!"

    :param import_name: The app's module or package, usually ``__name__``.
        Resources and the instance folder are found relative to it.
    :param static_url_path: The URL of the static folder.
    :param static_folder: The folder of static files, relative to the
        root path.
    :param template_folder: The folder of templates, relative to the root
        path.
    :param host_matching: Match rules on ``host`` as well as the path.
    :param subdomain_matching: Match rules' ``subdomain`` against the host,
        relative to ``SERVER_NAME``.
    :param instance_path: The folder for files that are not part of the
        code (configuration, databases). By default ``instance`` next to
        the package or module.
    :param instance_relative_config: Load config files relative to the
        instance path instead of the root path.
    :param root_path: The folder of the app; found from *import_name* by
        default.
    """

    #: The class of :class:`Request` objects; replace it in a subclass.
    request_class: type[Request] = Request
    #: The class of responses that views' return values become.
    response_class: type[Response] = Response
    #: The rule class ``add_url_rule`` creates.
    url_rule_class: type[Rule] = Rule
    #: The config class.
    config_class: type[Config] = Config

    def __init__(
        self,
        import_name: str,
        *,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        template_folder: str | os.PathLike[str] | None = "templates",
        host_matching: bool = False,
        subdomain_matching: bool = False,
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        #: The folder resources are relative to.
        self.root_path = root_path if root_path is not None else get_root_path(import_name)
        if instance_path is None:
            instance_path = _default_instance_path(import_name, self.root_path)
        elif not os.path.isabs(instance_path):
            raise ValueError("The instance path must be absolute.")
        #: The instance folder; it may not exist.
        self.instance_path = instance_path
        #: The configuration; a dict with loaders, see :class:`Config`.
        self.config = self.config_class(
            instance_path if instance_relative_config else self.root_path,
            DEFAULT_CONFIG,
        )
        #: The folder of templates, relative to :attr:`root_path`.
        self.template_folder = template_folder
        self._static_folder = static_folder
        self._static_url_path = static_url_path
        #: Routes requests and builds URLs; see :class:`Router`.
        self.router: Router[_Endpoint] = Router(
            host_matching=host_matching, subdomain_matching=subdomain_matching
        )
        #: The view of each endpoint name.
        self.view_functions: dict[str, View] = {}
        #: The registered blueprints by their full dotted name.
        self.blueprints: dict[str, Blueprint] = {}
        #: Where extensions keep their state: ``app.extensions["name"]``.
        self.extensions: dict[str, t.Any] = {}
        #: Hooks by blueprint name, ``None`` for the app's own.
        self.before_request_funcs: dict[str | None, list[BeforeRequestHook]] = {}
        self.after_request_funcs: dict[str | None, list[AfterRequestHook]] = {}
        self.teardown_request_funcs: dict[str | None, list[TeardownHook]] = {}
        #: Error handlers by blueprint, status code and exception class.
        self.error_handler_spec: HandlerSpec = {}
        #: Template context processors by blueprint name, ``None`` for the
        #: app's: ``f(request)`` returns a dict of names for every template.
        self.template_context_processors: dict[
            str | None, list[t.Callable[[Request], dict[str, t.Any]]]
        ] = {}
        # Set by _freeze on the first request; setup is over from then on.
        self._endpoints: dict[str, _Endpoint] | None = None
        self._unmatched: _Endpoint
        self._freeze_lock = threading.Lock()
        if static_folder is not None:
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                view_func=self.send_static_file,
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @cached_property
    def name(self) -> str:
        """The app's name: the import name, or the script's for ``__main__``."""
        if self.import_name == "__main__":
            filename: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if filename:
                return os.path.splitext(os.path.basename(filename))[0]
        return self.import_name

    @property
    def debug(self) -> bool:
        """Whether debug mode is on (``DEBUG``)."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value

    @property
    def testing(self) -> bool:
        """Whether testing mode is on (``TESTING``)."""
        return bool(self.config["TESTING"])

    @testing.setter
    def testing(self, value: bool) -> None:
        self.config["TESTING"] = value

    @property
    def url_map(self) -> t.Any:
        """The werkzeug :class:`~werkzeug.routing.Map` of the app's rules."""
        return self.router.url_map

    @cached_property
    def logger(self) -> logging.Logger:
        """The logger named after the app.

        If logging has not been configured, messages go to ``sys.stderr``;
        in debug mode the level is ``DEBUG``.
        """
        logger = logging.getLogger(self.name)
        if self.debug and not logger.level:
            logger.setLevel(logging.DEBUG)
        if not logger.hasHandlers():
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
            )
            logger.addHandler(handler)
        return logger

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None``."""
        if self._static_folder is None:
            return None
        return os.path.join(self.root_path, self._static_folder)

    @property
    def static_url_path(self) -> str | None:
        """The URL of the static folder: ``/`` and its name by default."""
        if self._static_url_path is not None:
            return self._static_url_path.rstrip("/")
        if self._static_folder is None:
            return None
        return default_static_url_path(self._static_folder)

    def send_static_file(self, request: Request, filename: str) -> Response:
        """The view of the ``static`` endpoint: a file of the static folder.

        :raises werkzeug.exceptions.NotFound: If there is no such file, or
            *filename* points outside the folder.
        """
        if self.static_folder is None:
            raise NotFound()
        return send_from_directory(request, self.static_folder, filename)

    @cached_property
    def session_interface(self) -> SessionInterface:
        """Opens and saves ``request.session``; signed cookies by default.

        Assign a :class:`~microweb.sessions.SessionInterface` of your own
        (a server-side store, say) before the first request.
        """
        from .sessions import SecureCookieSessionInterface

        return SecureCookieSessionInterface()

    @cached_property
    def jinja_env(self) -> jinja2.Environment:
        """The app's one Jinja environment, made on first use."""
        from .templating import create_environment

        return create_environment(self)

    # Resources.

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open *resource*, a path relative to the root path, for reading.

        :raises ValueError: If *mode* would write.
        """
        return _open(os.path.join(self.root_path, resource), mode, encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open *resource*, a path relative to the instance folder.

        Unlike :meth:`open_resource` it may write.
        """
        if "b" in mode:
            return open(os.path.join(self.instance_path, resource), mode)
        return open(
            os.path.join(self.instance_path, resource), mode, encoding=encoding or "utf-8"
        )

    # Setup.

    def _check_setup(self, what: str) -> None:
        if self._endpoints is not None:
            raise RuntimeError(
                f"'{what}' was called after the app handled its first request."
                " Register every route, hook, error handler and blueprint"
                " before the app serves."
            )

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Route *rule* to *view_func*, named *endpoint*.

        :param rule: The URL rule, such as ``"/users/<int:id>"``.
        :param endpoint: The name for :func:`url_for`; the function's name
            by default.
        :param view_func: Called as ``view_func(request, **view_args)``.
        :param provide_automatic_options: Answer ``OPTIONS`` with the
            allowed methods; on unless the rule lists ``OPTIONS``.
        :param options: ``methods`` (``["GET"]`` by default; ``HEAD``
            follows ``GET``) and any argument of werkzeug's ``Rule``.
        :raises TypeError: If the view cannot take the request first.
        :raises ValueError: If *endpoint* already has another view.
        """
        self._check_setup("add_url_rule")
        if endpoint is None:
            if view_func is None:
                raise TypeError("add_url_rule() needs an endpoint or a view_func.")
            endpoint = view_func.__name__
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "'methods' must be a list of strings, such as methods=['POST']."
            )
        method_set = {m.upper() for m in methods}
        if provide_automatic_options is None:
            provide_automatic_options = getattr(
                view_func, "provide_automatic_options", "OPTIONS" not in method_set
            )
        if provide_automatic_options:
            method_set.add("OPTIONS")
        rule_obj = self.url_rule_class(
            rule, methods=method_set, endpoint=endpoint, **options
        )
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]  # read by the router
        if view_func is not None:
            existing = self.view_functions.get(endpoint)
            if existing is not None and existing is not view_func:
                raise ValueError(
                    f"Endpoint {endpoint!r} already belongs to another view"
                    f" ({_describe(existing)}); give this one another endpoint name."
                )
            _check_view(view_func, endpoint)
            self.view_functions[endpoint] = view_func
        self.router.add(rule_obj)

    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of *endpoint*."""

        def decorator(f: F) -> F:
            self._check_setup("endpoint")
            _check_view(f, endpoint)
            self.view_functions[endpoint] = f
            return f

        return decorator

    def _add_hook(self, kind: _HookKind, blueprint: str | None, f: t.Callable[..., t.Any]) -> None:
        self._check_setup(f"{kind}_request")
        hooks: dict[str | None, list[t.Any]] = getattr(self, f"{kind}_request_funcs")
        hooks.setdefault(blueprint, []).append(f)

    def before_request(self, f: F) -> F:
        """Run ``f(request)`` before every view.

        If it returns anything but ``None``, that becomes the response and
        the view is not called. It runs even when no route matched.
        """
        self._add_hook("before", None, f)
        return f

    def after_request(self, f: F) -> F:
        """Run ``f(request, response)`` on every response; it returns one.

        Hooks run in the reverse order of registration, a blueprint's
        before the app's.
        """
        self._add_hook("after", None, f)
        return f

    def teardown_request(self, f: F) -> F:
        """Run ``f(request, exc)`` when each request ends, whatever happened.

        It runs after the body has been sent (a streamed one too), with the
        unhandled exception or ``None``. Its return value is ignored.
        """
        self._add_hook("teardown", None, f)
        return f

    def _add_error_handler(
        self,
        blueprint: str | None,
        code_or_exception: type[BaseException] | int,
        f: ErrorHandler,
    ) -> None:
        self._check_setup("errorhandler")
        exc_class, code = exception_class_and_code(code_or_exception)
        by_code = self.error_handler_spec.setdefault(blueprint, {})
        by_code.setdefault(code, {})[exc_class] = f

    def errorhandler(
        self, code_or_exception: type[BaseException] | int
    ) -> t.Callable[[F], F]:
        """Handle an HTTP status code or an exception class with ``f(request, error)``.

        The handler for the most specific class wins; a blueprint's own
        handler beats the app's for that blueprint's views.
        """

        def decorator(f: F) -> F:
            self._add_error_handler(None, code_or_exception, f)
            return f

        return decorator

    def register_error_handler(
        self, code_or_exception: type[BaseException] | int, f: ErrorHandler
    ) -> None:
        """Like :meth:`errorhandler`, without the decorator."""
        self._add_error_handler(None, code_or_exception, f)

    def _template_decorator(self, kind: str, name: str | None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            getattr(self.jinja_env, kind)[name or f.__name__] = f
            return f

        return decorator

    def template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja filter (its name by default)."""
        return self._template_decorator("filters", name)

    def template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja global (its name by default)."""
        return self._template_decorator("globals", name)

    def template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja test (its name by default)."""
        return self._template_decorator("tests", name)

    def context_processor(self, f: F) -> F:
        """Add the names ``f(request)`` returns to every template's context."""
        self.template_context_processors.setdefault(None, []).append(f)
        return f

    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register *blueprint*'s views, hooks and error handlers.

        :param options: ``url_prefix``, ``subdomain``, ``url_defaults``, and
            ``name`` to register one blueprint more than once.
        """
        self._check_setup("register_blueprint")
        blueprint.register(self, options)

    # Freezing: once, on the first request.

    def _freeze(self) -> None:
        with self._freeze_lock:
            if self._endpoints is None:
                self._prepare_endpoints()

    def _prepare_endpoints(self) -> None:
        hooks = (
            self.before_request_funcs,
            self.after_request_funcs,
            self.teardown_request_funcs,
        )
        fast = (
            self.response_class is Response
            and type(self).make_response is App.make_response
        )
        csrf_check: BeforeRequestHook | None = None
        if self.config["CSRF_ENABLED"]:
            from .csrf import csrf_protect, is_exempt

            csrf_check = csrf_protect

        def prepare(name: str | None, view: View, blueprints: tuple[str, ...]) -> _Endpoint:
            before, after, teardown = (
                [*h.get(None, ())] for h in hooks
            )
            for bp in reversed(blueprints):
                before.extend(self.before_request_funcs.get(bp, ()))
            if csrf_check is not None and name is not None and not is_exempt(self, view, blueprints):
                # The token is checked before any other hook sees the request.
                before.insert(0, csrf_check)
            after_chain: list[AfterRequestHook] = []
            teardown_chain: list[TeardownHook] = []
            for bp in blueprints:
                after_chain.extend(reversed(self.after_request_funcs.get(bp, ())))
                teardown_chain.extend(reversed(self.teardown_request_funcs.get(bp, ())))
            after_chain.extend(reversed(after))
            teardown_chain.extend(reversed(teardown))
            return _Endpoint(
                name,
                view,
                tuple(before),
                tuple(after_chain),
                tuple(teardown_chain),
                blueprints,
                fast and not after_chain,
            )

        endpoints: dict[str, _Endpoint] = {}
        options: dict[str, _Endpoint] = {}
        for rule in self.url_map.iter_rules():
            name = rule.endpoint
            if name in endpoints:
                continue
            view = self.view_functions.get(name) or _missing_view(name)
            blueprints = blueprint_chain(name)
            endpoints[name] = prepare(name, view, blueprints)
            options[name] = prepare(name, _options_view, blueprints)
        self._unmatched = prepare(None, _missing_view(""), ())
        self.router.freeze(endpoints, options)
        self._endpoints = endpoints

    # The request path.

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Serve a request: the WSGI interface, see :meth:`wsgi_app`."""
        return self.wsgi_app(environ, start_response)

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """The WSGI application itself; wrap this to add middleware.

        ``app.wsgi_app = Middleware(app.wsgi_app)`` keeps ``app`` the
        object that has routes and config.
        """
        if self._endpoints is None:
            self._freeze()
        request = self.request_class(environ, self)
        endpoint = self._unmatched
        error: BaseException | None = None
        try:
            try:
                try:
                    if self.config["TRUSTED_HOSTS"] is not None:
                        # Reading the host checks it: SecurityError is a 400.
                        request.host  # noqa: B018
                    endpoint, rule, args = self.router.match(request)
                except HTTPException as e:
                    request.routing_exception = e
                    args = None
                else:
                    request.url_rule = rule
                    request.view_args = args
                    request.endpoint = endpoint.name
                    request.blueprints = endpoint.blueprints
                rv: t.Any = None
                for hook in endpoint.before:
                    rv = hook(request)
                    if rv is not None:
                        rv = self.make_response(request, rv, hook)
                        break
                else:
                    if args is None:
                        raise request.routing_exception  # type: ignore[misc]  # set above
                    rv = endpoint.view(request, **args)
                    if (
                        rv.__class__ is str
                        and endpoint.fast
                        and "session" not in request.__dict__
                    ):
                        # perf: the commonest answer needs no Response
                        # object, no header objects and no after-hooks.
                        body = rv.encode()
                        start_response(
                            "200 OK",
                            [
                                ("Content-Type", "text/html; charset=utf-8"),
                                ("Content-Length", str(len(body))),
                            ],
                        )
                        app_iter: t.Iterable[bytes] = (
                            () if request.method == "HEAD" else (body,)
                        )
                        if endpoint.teardown:
                            return self._closing(app_iter, request, endpoint.teardown, None)
                        return app_iter
                    rv = self.make_response(request, rv, endpoint.view)
            except Exception as e:
                rv = self._handle_user_exception(request, e)
            rv = self._process_response(request, rv, endpoint)
        except Exception as e:
            error = e
            rv = self._handle_exception(request, e, endpoint)
        app_iter = rv(environ, start_response)
        if endpoint.teardown:
            return self._closing(app_iter, request, endpoint.teardown, error)
        return app_iter

    def make_response(
        self,
        request: Request,
        rv: ResponseReturnValue,
        view: t.Callable[..., t.Any] | None = None,
    ) -> Response:
        """Turn what a view returned into a response.

        :param request: The request being answered.
        :param rv: A ``str`` or ``bytes`` body, a ``dict`` or ``list``
            (JSON), an iterator (streamed), a response, a WSGI callable, or
            a tuple ``(body, status)``, ``(body, headers)`` or
            ``(body, status, headers)``.
        :param view: What returned *rv*, named in the error.
        :raises TypeError: If *rv* is ``None`` or of no supported type.
        """
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
                    f"{_describe(view)} returned a tuple of {len(rv)} items; use"
                    " (body, status), (body, headers) or (body, status, headers)."
                )
        response: Response
        if isinstance(rv, self.response_class):
            response = rv
        elif isinstance(rv, (str, bytes, bytearray)) or isinstance(rv, Iterator):
            response = self.response_class(rv, status, headers)  # type: ignore[arg-type]  # bytearray is bytes to werkzeug
            status = headers = None
        elif isinstance(rv, (dict, list)):
            response = self.response_class(
                f"{json_dumps(rv)}\n", status, headers, mimetype="application/json"
            )
            status = headers = None
        elif isinstance(rv, _WerkzeugResponse):
            response = self.response_class.force_type(rv, request.environ)  # type: ignore[assignment]  # force_type keeps the class it is called on
        elif rv is None:
            raise TypeError(
                f"{_describe(view)} did not return a valid response: it returned"
                " None or ended without a return statement."
            )
        elif callable(rv):
            response = self.response_class.force_type(rv, request.environ)  # type: ignore[assignment,arg-type]  # a WSGI callable
        else:
            raise TypeError(
                f"{_describe(view)} returned a {type(rv).__name__}, which is not a"
                " valid response: return str, bytes, dict, list, an iterator, a"
                " Response or a (body, status, headers) tuple."
            )
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                response.status = status  # type: ignore[assignment]  # werkzeug accepts str
            else:
                response.status_code = status
        if headers:
            response.headers.update(headers)
        return response

    def _process_response(
        self, request: Request, response: Response, endpoint: _Endpoint
    ) -> Response:
        """Run the after-hooks, then save the session if it was used."""
        for after in endpoint.after:
            response = after(request, response)
        if "session" in request.__dict__:
            self.session_interface.save_session(self, request.session, response)
        return response

    def _handle_user_exception(self, request: Request, e: Exception) -> Response:
        """Answer an exception from routing, a hook or a view.

        HTTP errors without a handler get the default error page; other
        exceptions without a handler go on to :meth:`_handle_exception`.
        """
        config = self.config
        if isinstance(e, HTTPException):
            if e.code is None or isinstance(e, RoutingException):
                # A redirect from routing, not an error.
                return self.response_class.force_type(  # type: ignore[return-value]  # same class
                    e.get_response(request.environ), request.environ
                )
            trap_bad_request = config["TRAP_BAD_REQUEST_ERRORS"]
            if config["TRAP_HTTP_EXCEPTIONS"] or (
                isinstance(e, BadRequestKeyError)
                and (trap_bad_request or (trap_bad_request is None and self.debug))
            ):
                raise e
        handler = find_handler(self.error_handler_spec, e, request.blueprints)
        if handler is not None:
            return self.make_response(request, handler(request, e), handler)
        if isinstance(e, HTTPException):
            return error_response(request, e)
        raise e

    def _handle_exception(
        self, request: Request, e: Exception, endpoint: _Endpoint
    ) -> Response:
        """Answer an unhandled exception: propagate it, or log it and send 500.

        It propagates when ``PROPAGATE_EXCEPTIONS`` is true, or is unset
        and the app is testing or debugging; the client never sees the
        traceback.
        """
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            self._teardown(request, endpoint.teardown, e)
            raise e
        self.log_exception(request, e)
        server_error = InternalServerError(original_exception=e)
        handler = find_handler(self.error_handler_spec, server_error, request.blueprints)
        try:
            if handler is None:
                response = error_response(request, server_error)
            else:
                response = self.make_response(
                    request, handler(request, server_error), handler
                )
            response = self._process_response(request, response, endpoint)
        except Exception as second:
            self.log_exception(request, second)
            response = error_response(request, InternalServerError())
        return response

    def log_exception(self, request: Request, e: BaseException) -> None:
        """Log an unhandled exception, with its traceback, to :attr:`logger`."""
        self.logger.error(
            "Exception on %s [%s]",
            request.path,
            request.method,
            exc_info=(type(e), e, e.__traceback__),
        )

    def _closing(
        self,
        app_iter: t.Iterable[bytes],
        request: Request,
        teardown: tuple[TeardownHook, ...],
        error: BaseException | None,
    ) -> ClosingIterator:
        # The server closes the body after sending it, streamed or not.
        return ClosingIterator(app_iter, lambda: self._teardown(request, teardown, error))

    @staticmethod
    def _teardown(
        request: Request,
        teardown: tuple[TeardownHook, ...],
        error: BaseException | None,
    ) -> None:
        for hook in teardown:
            hook(request, error)

    # Outside a request.

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Return the URL for *endpoint* outside a request.

        The URL uses ``SERVER_NAME``, ``APPLICATION_ROOT`` and
        ``PREFERRED_URL_SCHEME``, and is external unless ``_external`` is
        false. In a view, use :func:`microweb.url_for` with the request.

        :raises RuntimeError: If ``SERVER_NAME`` is not set.
        :raises werkzeug.routing.BuildError: If no rule matches.
        """
        server_name = self.config["SERVER_NAME"]
        if not server_name:
            raise RuntimeError(
                "app.url_for() outside a request needs SERVER_NAME in the"
                " config; inside a view, call url_for(request, ...)."
            )
        adapter = self.url_map.bind(
            server_name,
            script_name=self.config["APPLICATION_ROOT"],
            url_scheme=self.config["PREFERRED_URL_SCHEME"],
        )
        return build_url(
            adapter,
            endpoint,
            values,
            method=_method,
            scheme=_scheme,
            external=True if _external is None else _external,
            anchor=_anchor,
        )

    # Testing and serving.

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> Client:
        """Return a werkzeug test client for the app, keeping cookies.

        Its responses have ``status_code``, ``headers``, ``text`` and
        ``json``.
        """
        from .testing import make_test_client

        return make_test_client(self, use_cookies=use_cookies, **kwargs)

    def test_request(self, path: str = "/", method: str = "GET", **kwargs: t.Any) -> Request:
        """Return a request for *path*, bound to the app, to call a view with.

        The request is routed, so ``view_args``, ``endpoint`` and relative
        ``url_for`` work as they do while serving. *kwargs* go to werkzeug's
        :class:`~werkzeug.test.EnvironBuilder` (``json``, ``data``,
        ``headers``, ``query_string``...).
        """
        from .testing import make_test_request

        return make_test_request(self, path, method, **kwargs)

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        debug: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Serve the app with werkzeug's development server.

        Not for production: use a WSGI server such as gunicorn or waitress.

        :param debug: Turn on debug mode, the reloader and the debugger.
        :param options: Passed to :func:`werkzeug.serving.run_simple`.
        """
        from werkzeug.serving import run_simple

        if debug is not None:
            self.debug = debug
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        run_simple(host, port, self, **options)


def _check_view(view: t.Callable[..., t.Any], endpoint: str) -> None:
    """Fail at registration if *view* cannot take the request first."""
    try:
        signature = inspect.signature(view)
    except (TypeError, ValueError):  # builtins and C callables: trust them
        return
    try:
        signature.bind_partial(None)
    except TypeError:
        raise TypeError(
            f"{_describe(view)}, the view of endpoint {endpoint!r}, must take"
            " the request as its first argument: def view(request, ...)."
        ) from None


def _describe(f: t.Callable[..., t.Any] | None) -> str:
    if f is None:
        return "The view"
    name = getattr(f, "__qualname__", None) or repr(f)
    module = getattr(f, "__module__", None)
    return f"The function '{module}.{name}'" if module else f"The function '{name}'"


def _missing_view(endpoint: str) -> View:
    def missing(request: Request, **values: t.Any) -> t.NoReturn:
        raise LookupError(f"No view is registered for endpoint {endpoint!r}.")

    return missing


def _options_view(request: Request, **values: t.Any) -> Response:
    """Answer ``OPTIONS`` with the methods the path accepts."""
    response = request.app.response_class()
    response.allow.update(request.url_adapter().allowed_methods())
    return response


def _default_instance_path(import_name: str, root_path: str) -> str:
    """Return ``instance`` next to the app's package or module.

    For a package installed in site-packages it is
    ``<prefix>/var/<name>-instance`` instead.
    """
    module = sys.modules.get(import_name)
    is_package = module is not None and hasattr(module, "__path__")
    base = os.path.dirname(root_path) if is_package else root_path
    prefix = os.path.abspath(sys.prefix)
    if base.startswith(os.path.join(prefix, "lib")) and "site-packages" in base:
        return os.path.join(prefix, "var", f"{import_name.partition('.')[0]}-instance")
    return os.path.join(base, "instance")


def _open(path: str, mode: str, encoding: str | None) -> t.IO[t.Any]:
    if mode not in {"r", "rt", "rb"}:
        raise ValueError("Resources can only be opened for reading.")
    if mode == "rb":
        return open(path, mode)
    return open(path, mode, encoding=encoding or "utf-8")

