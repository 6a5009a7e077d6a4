"""The application: its setup methods and the path of a request."""

from __future__ import annotations

import os
import sys
import threading
import typing as t
from functools import cached_property

import click
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response as _WerkzeugResponse
from werkzeug.wsgi import ClosingIterator

from .config import DEFAULT_CONFIG, Config, ConfigFlag
from .csrf import csrf_step
from .errors import (
    HandlerSpec,
    exception_class_and_code,
    handle_exception,
    handle_user_exception,
    propagates,
)
from .helpers import (
    default_instance_path,
    default_static_url_path,
    get_root_path,
    open_file,
    send_from_directory,
)
from .endpoints import Endpoint, Prepared, prepare, url_defaults_of
from .logging import create_logger
from .registration import SetupMethods, check_signature, describe, template_decorator
from .routing import Router, blueprint_chain
from .json import dumps as json_dumps
from .responses import Response, response_from
from .wrappers import Request

if t.TYPE_CHECKING:
    import logging

    import jinja2
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .blueprints import Blueprint
    from .compat.usage import ProxyUse
    from .registration import HookKind, Role, Step
    from .sessions import SessionInterface
    from .testing import CliRunner, TestClient
    from .typing import (
        AfterRequestHook,
        BeforeRequestHook,
        ContextProcessor,
        ErrorHandler,
        ResponseReturnValue,
        ShellContextProcessorT,
        TeardownHook,
        TemplateCallableT,
        URLDefaultCallback,
        URLValuePreprocessor,
        View,
        ViewT,
    )


_AppT = t.TypeVar("_AppT", bound="App")


class App(SetupMethods):
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
    :param proxies: Turn on the compatibility layer (:doc:`compat`): the
        Flask-style proxies ``request``, ``g``, ``session`` and
        ``current_app``, and views and hooks that do not take the request.
        ``False`` by default, and then nothing of it is imported or run.
    """

    #: The class of :class:`Request` objects; replace it in a subclass.
    request_class: type[Request] = Request
    #: The class of responses that views' return values become.
    response_class: type[Response] = Response
    #: The rule class ``add_url_rule`` creates.
    url_rule_class: type[Rule] = Rule
    #: The config class.
    config_class: type[Config] = Config
    #: Whether a view's ``dict`` or ``list`` may go out as JSON on the fast
    #: path, written by :func:`microweb.json.dumps`. The compatibility
    #: layer's ``Flask`` turns it off: its ``app.json`` provider writes them.
    json_fast: bool = True
    #: Accept views and hooks that do not take the request. Off in the
    #: core; the compatibility layer's Flask-style app turns it on and adds
    #: a registration step that wraps only those callables.
    request_optional: bool = False

    def __new__(cls: type[_AppT], *args: t.Any, **kwargs: t.Any) -> _AppT:
        if kwargs.get("proxies") or getattr(cls, "proxies_by_default", False):
            # perf: made an instance of the layer's binding subclass from
            # the start (see microweb.compat.context.enable); swapping the
            # class of a made instance loses CPython's shared instance keys.
            from .compat.context import binding_class

            cls = binding_class(cls)
        return super().__new__(cls)

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
        proxies: bool | t.Literal["warn"] = False,
    ) -> None:
        self.import_name = import_name
        #: The folder resources are relative to.
        self.root_path = root_path if root_path is not None else get_root_path(import_name)
        if instance_path is None:
            instance_path = default_instance_path(import_name, self.root_path)
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
        self.router = Router(
            host_matching=host_matching, subdomain_matching=subdomain_matching
        )
        #: The view of each endpoint name, as registered.
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
        self.template_context_processors: dict[str | None, list[ContextProcessor]] = {}
        #: URL value preprocessors by blueprint name, ``None`` for the
        #: app's: ``f(request, endpoint, values)`` runs before the
        #: before-hooks.
        self.url_value_preprocessors: dict[str | None, list[URLValuePreprocessor]] = {}
        #: URL default functions by blueprint name, ``None`` for the app's:
        #: ``f(request, endpoint, values)`` runs when ``url_for`` builds.
        self.url_default_functions: dict[str | None, list[URLDefaultCallback]] = {}
        #: Run over every view, hook, error handler and context processor
        #: when the app freezes; see :mod:`microweb.registration`. Append a
        #: step of your own before the first request.
        self.registration_steps: list[Step] = [csrf_step]
        #: What registration decided for each callable that does not take
        #: the request, by ``id``; empty unless :attr:`request_optional`.
        self.takes_request: dict[int, bool] = {}
        #: What the app made of its registrations when it froze: endpoints,
        #: error handlers and context processors as the registration steps
        #: returned them. ``None`` before the first request.
        self.prepared: Prepared | None = None
        # perf: the parts of prepared that every request reads.
        self._teardowns: dict[str | None, tuple[TeardownHook, ...]] = {}
        self._error_handlers: HandlerSpec = {}
        # Whether a request was served: setup is over from then on.
        self._serving = False
        self._freeze_lock = threading.Lock()
        if static_folder is not None:
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                view_func=self.send_static_file,
            )
        if proxies not in (False, True, "warn"):
            raise ValueError(f"proxies is False, True or 'warn', not {proxies!r}.")
        #: Whether the compatibility layer's proxies are on: ``False``,
        #: ``True`` or ``"warn"``.
        self.proxies = proxies
        if proxies:
            # Only an app that asks for the layer loads it; it installs its
            # registration step and its binding request path on this app.
            from .compat.context import enable

            enable(self)

    # perf: made on first use, like jinja_env below. Every attribute set in
    # __init__ counts: past about 30, CPython 3.11 stops sharing the keys of
    # the instance's dict and each `self.x` on the request path gets slower
    # (+6% instructions for a hello request, measured with callgrind).

    @cached_property
    def cli(self) -> click.Group:
        """The app's own commands, run as ``microweb --app module <name>``.

        ``@app.cli.command()`` and ``app.cli.add_command(...)``; see
        :doc:`cli`.
        """
        return click.Group(self.name)

    @cached_property
    def shell_context_processors(self) -> list[t.Callable[[], t.Mapping[str, t.Any]]]:
        """What ``microweb shell`` calls, with no arguments, for names to add
        to its namespace; see :meth:`shell_context_processor`."""
        return []

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

    #: Whether debug mode is on: ``config["DEBUG"]``.
    debug = ConfigFlag("DEBUG")
    #: Whether testing mode is on: ``config["TESTING"]``.
    testing = ConfigFlag("TESTING")

    @property
    def url_map(self) -> Map:
        """The werkzeug :class:`~werkzeug.routing.Map` of the app's rules."""
        return self.router.url_map

    @cached_property
    def logger(self) -> logging.Logger:
        """The logger named after the app; see :func:`~microweb.logging.create_logger`."""
        return create_logger(self)

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

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open *resource*, a path relative to the root path, for reading.

        :raises ValueError: If *mode* would write.
        """
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")
        return open_file(os.path.join(self.root_path, resource), mode, encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open *resource*, a path relative to the instance folder; it may write."""
        return open_file(os.path.join(self.instance_path, resource), mode, encoding)

    # Setup. The decorators (route, before_request, errorhandler...) come
    # from SetupMethods and end in the methods below.

    def _check_setup(self, what: str) -> None:
        if self._serving:
            raise RuntimeError(
                f"'{what}' was called after the app handled its first request."
                " Register every route, hook, error handler and blueprint"
                " before the app serves."
            )

    def _check(
        self,
        f: t.Callable[..., t.Any],
        role: Role,
        arguments: t.Iterable[str] | None = (),
        rule: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        """Decide at registration how *f* is called, or refuse it.

        :param endpoint: A view's endpoint: if URL value preprocessors
            already serve it, it is checked only with the rule arguments it
            names, since they may take the others out.
        """
        # With the compatibility layer on, Flask's lenience: a URL value
        # preprocessor registered later (a blueprint's, say) may take the
        # arguments a view does not name, so only those it names count.
        preprocessed = endpoint is not None and (
            self.request_optional
            or any(
                self.url_value_preprocessors.get(scope)
                for scope in (None, *blueprint_chain(endpoint))
            )
        )
        takes_request = check_signature(
            f,
            role,
            arguments=arguments,
            rule=rule,
            request_optional=self.request_optional,
            preprocessed=preprocessed,
        )
        if not takes_request:
            self.takes_request[id(f)] = False

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
        :raises TypeError: If the view cannot be called with the request
            and the rule's arguments.
        :raises ValueError: If *endpoint* already has another view.
        """
        self._check_setup("add_url_rule")
        if endpoint is None:
            if view_func is None:
                raise TypeError("add_url_rule() needs an endpoint or a view_func.")
            endpoint = view_func.__name__
        rule_obj = self.router.make_rule(
            self.url_rule_class, rule, endpoint, view_func, provide_automatic_options, options
        )
        existing = self.view_functions.get(endpoint)
        if view_func is not None and existing is not None and existing is not view_func:
            hint = ""
            if getattr(existing, "__name__", None) == getattr(view_func, "__name__", ""):
                hint = (
                    " If both are a decorator's wrapper, decorate the wrapper"
                    " with functools.wraps(view) so each keeps its view's name."
                )
            raise ValueError(
                f"Endpoint {endpoint!r} already belongs to another view"
                f" ({describe(existing)}); give this one another endpoint name.{hint}"
            )
        view = view_func if view_func is not None else existing
        if view is not None:
            if _calls_view(rule_obj):
                self._check(view, "view", self.router.arguments(rule_obj), rule, endpoint)
            else:
                self._check(view, "view", None)
            self.view_functions[endpoint] = view
        self.router.add(rule_obj)

    def endpoint(self, endpoint: str) -> t.Callable[[ViewT], ViewT]:
        """Register the decorated function as the view of *endpoint*.

        It must accept the arguments of every rule already added for the
        endpoint, and of those added later.
        """

        def decorator(f: ViewT) -> ViewT:
            self._check_setup("endpoint")
            rules = [
                r
                for r in self.url_map.iter_rules()
                if r.endpoint == endpoint and _calls_view(r)
            ]
            if not rules:
                # Only the request is known; the rules check it when added.
                self._check(f, "view", None)
            for rule in rules:
                self._check(f, "view", rule.arguments, rule.rule, endpoint)
            self.view_functions[endpoint] = f
            return f

        return decorator

    def add_hook(
        self, kind: HookKind, f: t.Callable[..., t.Any], blueprint: str | None = None
    ) -> None:
        """Register *f* as a ``before_request``, ``after_request`` or ``teardown_request`` hook.

        The decorators of the same names call this.

        :param blueprint: The blueprint whose requests it serves; ``None``
            for every request.
        :raises TypeError: If *f* cannot be called as that kind of hook.
        """
        self._check_setup(kind)
        self._check(f, kind)
        hooks: dict[str | None, list[t.Any]] = getattr(self, f"{kind}_funcs")
        hooks.setdefault(blueprint, []).append(f)

    def register_error_handler(
        self,
        code_or_exception: type[BaseException] | int,
        f: ErrorHandler,
        blueprint: str | None = None,
    ) -> None:
        """Handle a status code or exception class with ``f(request, error)``.

        :param blueprint: Handle errors of that blueprint's views only.
        :raises TypeError: If *f* cannot be called with the request and
            the error.
        """
        self._check_setup("errorhandler")
        exc_class, code = exception_class_and_code(code_or_exception)
        self._check(f, "errorhandler")
        by_code = self.error_handler_spec.setdefault(blueprint, {})
        by_code.setdefault(code, {})[exc_class] = f

    def add_context_processor(
        self, f: ContextProcessor, blueprint: str | None = None
    ) -> None:
        """Add the names ``f(request)`` returns to templates' context.

        :param blueprint: Only for templates that blueprint's views render.
        """
        self._check_setup("context_processor")
        self._check(f, "context_processor")
        self.template_context_processors.setdefault(blueprint, []).append(f)

    def add_url_value_preprocessor(
        self, f: URLValuePreprocessor, blueprint: str | None = None
    ) -> None:
        """Run ``f(request, endpoint, values)`` after routing, before the before-hooks.

        The ``url_value_preprocessor`` decorators call this.

        :param blueprint: Only for that blueprint's endpoints; ``None`` for
            every request, matched or not.
        :raises TypeError: If *f* cannot be called with the request, the
            endpoint and the values.
        """
        self._check_setup("url_value_preprocessor")
        self._check(f, "url_value_preprocessor")
        self.url_value_preprocessors.setdefault(blueprint, []).append(f)

    def add_url_defaults(self, f: URLDefaultCallback, blueprint: str | None = None) -> None:
        """Let ``f(request, endpoint, values)`` fill in the values of each URL built.

        The ``url_defaults`` decorators call this.

        :param blueprint: Only for URLs of that blueprint's endpoints;
            ``None`` for every URL.
        :raises TypeError: If *f* cannot be called with the request, the
            endpoint and the values.
        """
        self._check_setup("url_defaults")
        self._check(f, "url_defaults")
        self.url_default_functions.setdefault(blueprint, []).append(f)

    def inject_url_defaults(
        self, request: Request | None, endpoint: str, values: dict[str, t.Any]
    ) -> None:
        """Call the URL default functions for *endpoint* on *values*, in place.

        The app's run first, then those of the endpoint's blueprints, outer
        to inner. :func:`~microweb.url_for` and :meth:`url_for` call this
        when the app has any.

        :param request: The request being handled, or ``None`` outside one.
        :param endpoint: The full endpoint name, ``"blueprint.name"``.
        """
        prepared = self.prepared
        if self._serving and prepared is not None:
            functions = prepared.url_defaults
        else:
            # Registrations may still change: run the steps over them now.
            functions = url_defaults_of(self)
        for scope in (None, *reversed(blueprint_chain(endpoint))):
            for f in functions.get(scope, ()):
                f(request, endpoint, values)

    def add_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* a Jinja filter, under its own name by default."""
        self.jinja_env.filters[name or f.__name__] = f

    def add_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* a Jinja global, under its own name by default."""
        self.jinja_env.globals[name or f.__name__] = f

    def add_template_test(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* a Jinja test, under its own name by default."""
        self.jinja_env.tests[name or f.__name__] = f

    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register the decorated function as a Jinja filter (its name by default)."""
        return template_decorator(self.add_template_filter, name)

    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register the decorated function as a Jinja global (its name by default)."""
        return template_decorator(self.add_template_global, name)

    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register the decorated function as a Jinja test (its name by default)."""
        return template_decorator(self.add_template_test, name)

    def shell_context_processor(self, f: ShellContextProcessorT) -> ShellContextProcessorT:
        """Add the names ``f()`` returns to the namespace of ``microweb shell``.

        ::

            @app.shell_context_processor
            def shell_names():
                return {"db": get_db(app)}
        """
        self._check_setup("shell_context_processor")
        self.shell_context_processors.append(f)
        return f

    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register *blueprint*'s views, hooks and error handlers.

        Its :attr:`Blueprint.cli` commands join :attr:`cli`.

        :param options: ``url_prefix``, ``subdomain``, ``url_defaults``,
            ``name`` to register one blueprint more than once, and
            ``cli_group`` to override the blueprint's.
        """
        self._check_setup("register_blueprint")
        blueprint.register(self, options)

    # Freezing: once, on the first request.

    def freeze(self) -> None:
        """Run the registration steps and prepare every endpoint now.

        The first request does this. Before it, tests may (``test_request``
        does), as often as they like: each call prepares the app again, so
        routes, steps and config set in between count. Once the app has
        served, it does nothing.
        """
        with self._freeze_lock:
            if not self._serving:
                self._prepare()

    def _freeze_to_serve(self) -> None:
        with self._freeze_lock:
            if not self._serving:
                self._prepare()
                self._serving = True

    def _prepare(self) -> None:
        fast = (
            self.response_class is Response
            and type(self).make_response is App.make_response
        )
        prepared = self.prepared = prepare(self, fast)
        self._teardowns = prepared.teardowns
        self._error_handlers = prepared.error_handlers
        self.router.freeze(prepared.endpoints, prepared.options, prepared.unmatched)

    # The request path: wsgi_app does the I/O around dispatch, which turns
    # a request into a response.

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
        object that has routes and config. Teardown hooks run whatever
        happens: after the body is closed, or at once if anything raises,
        ``KeyboardInterrupt`` and a failing ``start_response`` included.
        """
        request = self.request_class(environ, self)
        try:
            rv = self.dispatch(request)
            if rv.__class__ is bytes:
                # perf: the commonest answer needs no Response object and
                # no header objects; see dispatch().
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
        # perf: two lookups, no call, for a request with neither teardown
        # hooks nor uploaded files (an empty form's files are falsy).
        if request.endpoint in self._teardowns or request.__dict__.get("files"):
            # The server closes the body after sending it, streamed or not.
            return ClosingIterator(
                app_iter,
                lambda: self.finish_request(request, request.unhandled_exception),
            )
        return app_iter

    def dispatch(self, request: Request) -> Response | bytes:
        """Turn *request* into a response; no I/O happens here.

        Route the request, run the before-hooks, the view and the
        after-hooks, and answer errors with the error handlers. Nothing is
        sent and no body is read unless a view or hook reads it.

        :return: The response, or, on the fast path, the body of a ``str``
            a view returned, encoded, to send as a ``text/html`` 200: that
            happens only for an endpoint without after-hooks whose request
            did not touch the session. On the same path a ``dict`` or
            ``list`` becomes a simple JSON :class:`Response` (its headers
            made only if read) and a view's own :class:`Response` is
            returned as it is, without :meth:`make_response`.
        :raises BaseException: An unhandled exception, when the app
            propagates them (``TESTING``, ``DEBUG`` or
            ``PROPAGATE_EXCEPTIONS``), and anything that is not an
            :class:`Exception`.
        """
        if not self._serving:
            self._freeze_to_serve()
        endpoint = self.router.route(request)
        try:
            try:
                for hook in endpoint.before:
                    rv = hook(request)
                    if rv is not None:
                        response = self.make_response(request, rv, hook)
                        break
                else:
                    args = request.view_args
                    if args is None:
                        # Nothing matched: 404, 405 or a redirect.
                        raise request.routing_exception  # type: ignore[misc]  # set by route()
                    rv = endpoint.view(request, **args)
                    if endpoint.fast and "session" not in request.__dict__:
                        kind = rv.__class__
                        if kind is str:
                            # perf: no Response, no headers, no after-hooks.
                            return rv.encode()  # type: ignore[union-attr]  # a str, tested above
                        if (kind is dict or kind is list) and self.json_fast:
                            # perf: the JSON goes into a simple Response
                            # (headers made lazily), with no after-hooks.
                            return Response(
                                json_dumps(rv) + "\n", mimetype="application/json"
                            )
                        if kind is Response:
                            return rv  # type: ignore[return-value]  # a Response, tested above
                    if (
                        rv.__class__ is str
                        and self.response_class is Response
                        and type(self).make_response is App.make_response
                    ):
                        # perf: what make_response makes of a str, without
                        # its two calls and its tests of the value's type.
                        # (No flag on the app for this: one more instance
                        # attribute costs every request about 1,500
                        # instructions of slower attribute lookups.)
                        response = Response(rv)
                    else:
                        response = self.make_response(request, rv, endpoint.view)
            except Exception as e:
                response = handle_user_exception(request, e, self._error_handlers)
            # perf: _process_response without its call.
            for after in endpoint.after:
                response = after(request, response)
                if response.__class__ is not Response:
                    _check_after_returned(after, response)
            # After the hooks, which may have used the session too.
            if "session" in request.__dict__:
                self.session_interface.save_session(self, request.session, response)
            return response
        except Exception as e:
            response = handle_exception(request, e, self._error_handlers)
        try:
            # The 500 goes through the after-hooks too, and saves the session.
            return self._process_response(request, response, endpoint)
        except Exception as second:
            # An after-hook failed on the 500 too: send the 500 as the error
            # handling made it, without the after-hooks, as Flask does.
            self.log_exception(request, second)
            return response

    def preprocess_request(self, request: Request) -> ResponseReturnValue | None:
        """Run the before-hooks of *request*'s endpoint, as dispatch does.

        :return: What the first hook that answered returned, or ``None``
            if all of them returned ``None``.
        """
        prepared = self.prepared
        if prepared is None:
            self.freeze()
            prepared = t.cast(Prepared, self.prepared)
        endpoint = prepared.endpoints.get(request.endpoint or "", prepared.unmatched)
        for hook in endpoint.before:
            rv = hook(request)
            if rv is not None:
                return rv
        return None

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
        return response_from(request, rv, view)

    def _process_response(
        self, request: Request, response: Response, endpoint: Endpoint
    ) -> Response:
        """Run the after-hooks, then save the session if it was used."""
        for after in endpoint.after:
            response = after(request, response)
            if response.__class__ is not Response:
                _check_after_returned(after, response)
        if "session" in request.__dict__:
            self.session_interface.save_session(self, request.session, response)
        return response

    def log_exception(self, request: Request, e: BaseException) -> None:
        """Log an unhandled exception, with its traceback, to :attr:`logger`."""
        self.logger.error(
            "Exception on %s [%s]",
            request.path,
            request.method,
            exc_info=(type(e), e, e.__traceback__),
        )

    def finish_request(
        self, request: Request, error: BaseException | None = None, *, reraise: bool = True
    ) -> None:
        """End *request*: run its endpoint's teardown hooks, close its uploads.

        ``wsgi_app`` calls this when the server closes the body. A test
        that built a request with ``test_request(..., run_hooks=True)``
        calls it to run the teardown hooks too.

        Every hook runs even if one fails; a failure is logged and, with
        *reraise*, the first one is raised after all of them ran when the
        app propagates exceptions, so tests see it.

        :param error: The exception that ended the request, if any.
        """
        failed: Exception | None = None
        try:
            for hook in self._teardowns.get(request.endpoint, ()):
                try:
                    hook(request, error)
                except Exception as e:
                    self.log_exception(request, e)
                    failed = failed or e
        finally:
            # Uploaded files are spooled to temporary files: close them now
            # rather than whenever the garbage collector gets to them.
            request.close()
        if failed is not None and reraise and propagates(self.config):
            raise failed

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
        if self.url_default_functions:
            self.inject_url_defaults(None, endpoint, values)
        return self.router.build_outside_request(
            self.config,
            endpoint,
            values,
            method=_method,
            scheme=_scheme,
            external=True if _external is None else _external,
            anchor=_anchor,
        )

    def proxy_usage(self) -> list[ProxyUse]:
        """Return the places in the app's code that read hidden state.

        Only an app created with ``proxies="warn"`` records them: each read
        of a proxy (``request``, ``session``, ``g``, ``current_app``) or of
        a Flask-named helper that reads the current request, with file and
        line, endpoint and count. The list empties as views move to the
        explicit style; ``microweb proxies`` prints it. See
        :mod:`microweb.compat.usage`.

        :raises RuntimeError: If the app does not record.
        """
        if self.proxies != "warn":
            raise RuntimeError(
                f"{self!r} does not record its proxy reads: create it with"
                f" proxies=\"warn\" ({type(self).__name__}({self.import_name!r},"
                " proxies=\"warn\")), or set MICROWEB_PROXIES=warn in the"
                " environment before it is created."
            )
        from .compat.usage import usage

        return usage(self)

    # Testing and serving.

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> TestClient:
        """Return a test client for the app that keeps cookies.

        Its responses have ``status_code``, ``headers``, ``text`` and
        ``json``; see :class:`microweb.testing.TestClient`.
        """
        # Loaded on demand: the test tools sit above the app.
        from .testing import TestClient

        return TestClient(self, use_cookies=use_cookies, **kwargs)

    def test_request(
        self,
        path: str = "/",
        method: str = "GET",
        *,
        run_hooks: bool = False,
        **kwargs: t.Any,
    ) -> Request:
        """Return a request for *path*, routed as the app routes it, to call a view with.

        See :func:`microweb.testing.make_test_request`.
        """
        # Loaded on demand: the test tools sit above the app.
        from .testing import make_test_request

        return make_test_request(self, path, method, run_hooks=run_hooks, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> CliRunner:
        """Return a runner for the ``microweb`` command, with this app loaded.

        ``runner.invoke(args=["init-db"])`` runs a command as ``microweb
        --app ... init-db`` would; see :class:`microweb.testing.CliRunner`.

        :param kwargs: As for click's :class:`~click.testing.CliRunner`.
        """
        # Loaded on demand: the test tools sit above the app.
        from .testing import CliRunner

        return CliRunner(self, **kwargs)

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


def _calls_view(rule: Rule) -> bool:
    """Whether a request matching *rule* calls its view (a redirect does not)."""
    return rule.redirect_to is None and not rule.build_only


def _check_after_returned(after: AfterRequestHook, response: object) -> None:
    """Refuse what an after-hook returned unless it is a response."""
    if isinstance(response, _WerkzeugResponse):
        return
    what = "None" if response is None else f"a {type(response).__name__}"
    raise TypeError(
        f"The after_request hook {describe(after)} returned {what}; an"
        " after-hook must return the response it was given, or"
        " another one."
    )
