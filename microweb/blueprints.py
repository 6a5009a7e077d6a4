"""Blueprints: groups of views and hooks that an app registers at once.

A blueprint does nothing by itself: each setup call is recorded, and
:meth:`App.register_blueprint` replays the record against the app under
the blueprint's name and URL prefix. Every behaviour therefore lives on
:class:`~microweb.App` alone.
"""

from __future__ import annotations

import os
import typing as t
import weakref

import click

from .errors import exception_class_and_code
from .helpers import default_static_url_path, get_root_path, send_from_directory
from .registration import SetupMethods, template_decorator
from .routing import join_rule

if t.TYPE_CHECKING:
    from .app import App
    from .registration import HookKind
    from .typing import (
        AfterRequestT,
        BeforeRequestT,
        ContextProcessor,
        ContextProcessorT,
        ErrorHandler,
        ErrorHandlerT,
        TeardownT,
        TemplateCallableT,
        URLDefaultCallback,
        URLDefaultCallbackT,
        URLValuePreprocessor,
        URLValuePreprocessorT,
        ViewT,
    )
    from .wrappers import Request, Response

#: A recorded setup call, replayed with the registration's state.
DeferredSetup = t.Callable[["BlueprintSetupState"], None]

#: The default ``cli_group``: the blueprint's name.
_NAME: t.Any = object()


class BlueprintSetupState:
    """What one registration of a blueprint applies to its recorded calls.

    :param blueprint: The blueprint being registered.
    :param app: The app it is registered on.
    :param options: The keyword arguments of ``register_blueprint``.
    :param first_registration: Whether the blueprint was not registered on
        this app before.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: App,
        options: dict[str, t.Any],
        first_registration: bool,
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        prefix = options.get("name_prefix", "")
        #: The full dotted name: endpoints are ``f"{name}.{view}"``.
        self.name: str = f"{prefix}.{options.get('name', blueprint.name)}".lstrip(".")
        url_prefix = options.get("url_prefix")
        #: The URL prefix of every rule.
        self.url_prefix: str | None = (
            blueprint.url_prefix if url_prefix is None else url_prefix
        )
        subdomain = options.get("subdomain")
        #: The subdomain of every rule, unless a rule names its own.
        self.subdomain: str | None = (
            blueprint.subdomain if subdomain is None else subdomain
        )
        #: Defaults merged into every rule's defaults.
        self.url_defaults: dict[str, t.Any] = {
            **blueprint.url_values_defaults,
            **options.get("url_defaults", {}),
        }

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule to the app, prefixed and named for this blueprint."""
        rule = join_rule(self.url_prefix, rule)
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            if view_func is None:
                raise TypeError("add_url_rule() needs an endpoint or a view_func.")
            endpoint = view_func.__name__
        if self.url_defaults:
            options["defaults"] = {**self.url_defaults, **(options.get("defaults") or {})}
        self.app.add_url_rule(rule, f"{self.name}.{endpoint}", view_func, **options)


class Blueprint(SetupMethods):
    """A named group of views, hooks and error handlers.

    :param name: The name; endpoints become ``"name.view"``. It may not
        contain a dot.
    :param import_name: The blueprint's module, usually ``__name__``;
        folders are found relative to it.
    :param url_prefix: Put in front of every rule.
    :param subdomain: The subdomain every rule matches by default.
    :param url_defaults: Default values for every rule's arguments.
    :param static_folder: A folder of static files served under the
        blueprint's prefix.
    :param static_url_path: The URL of the static folder.
    :param template_folder: A folder searched for templates after the
        app's own.
    :param root_path: The folder the others are relative to; by default
        the folder of *import_name*.
    :param cli_group: The group its :attr:`cli` commands appear under,
        as in ``microweb users seed``: the blueprint's name by default,
        ``None`` for the top level of the ``microweb`` command.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _NAME,
    ) -> None:
        if not name:
            raise ValueError("A blueprint needs a name.")
        if "." in name:
            raise ValueError(f"Blueprint name {name!r} may not contain a dot.")
        self.name = name
        self.import_name = import_name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.url_values_defaults: dict[str, t.Any] = dict(url_defaults or {})
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        self.root_path = root_path if root_path is not None else get_root_path(import_name)
        self.deferred_functions: list[DeferredSetup] = []
        #: The blueprint's commands: ``@bp.cli.command()``. Registering the
        #: blueprint adds them to the app's :attr:`App.cli`.
        self.cli: click.Group = click.Group(name)
        #: The group of :attr:`cli` on the ``microweb`` command; ``None``
        #: puts its commands at the top level.
        self.cli_group: str | None = name if cli_group is _NAME else cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []
        self._registered_on: weakref.WeakSet[App] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def record(self, func: DeferredSetup) -> None:
        """Call *func* with the setup state each time the blueprint is registered."""
        self.deferred_functions.append(func)

    def record_once(self, func: DeferredSetup) -> None:
        """Like :meth:`record`, but only on the first registration on an app."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(wrapper)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule; see :meth:`App.add_url_rule`.

        :raises ValueError: If the endpoint or the view's name has a dot.
        """
        if endpoint and "." in endpoint:
            raise ValueError(f"Endpoint {endpoint!r} may not contain a dot.")
        if view_func is not None and "." in getattr(view_func, "__name__", ""):
            raise ValueError(f"View name {view_func.__name__!r} may not contain a dot.")
        self.record(lambda s: s.add_url_rule(rule, endpoint, view_func, **options))

    def endpoint(self, endpoint: str) -> t.Callable[[ViewT], ViewT]:
        """Register the decorated function as the view of the app's *endpoint*.

        The name is the app's, not prefixed with the blueprint's, as in
        Flask: it gives a view to a rule added to the app without one.
        """

        def decorator(f: ViewT) -> ViewT:
            def register(state: BlueprintSetupState) -> None:
                state.app.endpoint(endpoint)(f)

            self.record_once(register)
            return f

        return decorator

    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest *blueprint* in this one: its names and prefixes stack.

        :raises ValueError: If a blueprint is nested in itself.
        """
        if blueprint is self:
            raise ValueError("A blueprint cannot be registered on itself.")
        self._blueprints.append((blueprint, options))

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Replay the recorded calls on *app*; called by ``register_blueprint``.

        :raises ValueError: If another blueprint, or this one, is already
            registered under the same name.
        """
        first = app not in self._registered_on
        state = BlueprintSetupState(self, app, options, first)
        existing = app.blueprints.get(state.name)
        if existing is not None:
            how = "This blueprint is" if existing is self else f"{existing!r} is"
            raise ValueError(
                f"{how} already registered as {state.name!r}. Pass a unique"
                " 'name' to register_blueprint to register it again."
            )
        app.blueprints[state.name] = self
        self._registered_on.add(app)
        if self.static_folder is not None:
            url_path = self.static_url_path
            if url_path is None:
                url_path = default_static_url_path(self.static_folder)
            state.add_url_rule(
                f"{url_path.rstrip('/')}/<path:filename>",
                endpoint="static",
                view_func=self.send_static_file,
            )
        for deferred in self.deferred_functions:
            deferred(state)
        if self.cli.commands:
            group = options["cli_group"] if "cli_group" in options else self.cli_group
            if group == self.name:
                group = state.name  # the name it was registered under
            if group is None:
                app.cli.commands.update(self.cli.commands)
            else:
                app.cli.add_command(self.cli, group)
        for child, child_options in self._blueprints:
            child_options = dict(child_options)
            prefix = child_options.get("url_prefix")
            if prefix is None:
                prefix = child.url_prefix
            if state.url_prefix and prefix:
                prefix = join_rule(state.url_prefix, prefix)
            child_options["url_prefix"] = prefix or state.url_prefix
            subdomain = child_options.get("subdomain")
            if subdomain is None:
                subdomain = child.subdomain
            if state.subdomain and subdomain:
                subdomain = f"{subdomain}.{state.subdomain}"
            child_options["subdomain"] = subdomain or state.subdomain
            child_options["name_prefix"] = state.name
            child.register(app, child_options)

    # What the shared decorators (before_request, errorhandler...) end
    # in: recorded, then replayed on the app for this blueprint.

    def add_hook(self, kind: HookKind, f: t.Callable[..., t.Any]) -> None:
        """Record a hook for this blueprint's requests; see :meth:`App.add_hook`."""
        self.record(lambda s: s.app.add_hook(kind, f, blueprint=s.name))

    def register_error_handler(
        self, code_or_exception: type[BaseException] | int, f: ErrorHandler
    ) -> None:
        """Handle an error raised by this blueprint's views; see :meth:`App.errorhandler`."""
        exception_class_and_code(code_or_exception)  # fail here, not at registration
        self.record(
            lambda s: s.app.register_error_handler(code_or_exception, f, blueprint=s.name)
        )

    def add_context_processor(self, f: ContextProcessor) -> None:
        """Add ``f(request)``'s names to templates rendered by this blueprint's views."""
        self.record(lambda s: s.app.add_context_processor(f, blueprint=s.name))

    def add_url_value_preprocessor(self, f: URLValuePreprocessor) -> None:
        """Run ``f(request, endpoint, values)`` before this blueprint's views.

        See :meth:`App.add_url_value_preprocessor`.
        """
        self.record(lambda s: s.app.add_url_value_preprocessor(f, blueprint=s.name))

    def add_url_defaults(self, f: URLDefaultCallback) -> None:
        """Let ``f(request, endpoint, values)`` fill in URLs of this blueprint's endpoints.

        See :meth:`App.add_url_defaults`.
        """
        self.record(lambda s: s.app.add_url_defaults(f, blueprint=s.name))

    @property
    def has_static_folder(self) -> bool:
        """Whether the blueprint serves a static folder."""
        return self.static_folder is not None

    def send_static_file(self, request: Request, filename: str) -> Response:
        """The view of the blueprint's ``static`` endpoint.

        :raises werkzeug.exceptions.NotFound: If there is no such file.
        """
        assert self.static_folder is not None
        folder = os.path.join(self.root_path, self.static_folder)
        return send_from_directory(request, folder, filename)

    # Hooks, handlers and template names for the whole app, set from the
    # blueprint.

    def app_context_processor(self, f: ContextProcessorT) -> ContextProcessorT:
        """Add ``f(request)``'s names to every template of the app."""
        self.record_once(lambda s: s.app.add_context_processor(f))
        return f

    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* an app-wide Jinja filter; see :meth:`App.add_template_filter`."""
        self.record_once(lambda s: s.app.add_template_filter(f, name))

    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register an app-wide Jinja filter; see :meth:`App.template_filter`."""
        return template_decorator(self.add_app_template_filter, name)

    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* an app-wide Jinja global; see :meth:`App.add_template_global`."""
        self.record_once(lambda s: s.app.add_template_global(f, name))

    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register an app-wide Jinja global; see :meth:`App.template_global`."""
        return template_decorator(self.add_app_template_global, name)

    def add_app_template_test(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Make *f* an app-wide Jinja test; see :meth:`App.add_template_test`."""
        self.record_once(lambda s: s.app.add_template_test(f, name))

    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
        """Register an app-wide Jinja test; see :meth:`App.template_test`."""
        return template_decorator(self.add_app_template_test, name)

    def before_app_request(self, f: BeforeRequestT) -> BeforeRequestT:
        """Run ``f(request)`` before every request to the app."""
        self.record_once(lambda s: s.app.add_hook("before_request", f))
        return f

    def after_app_request(self, f: AfterRequestT) -> AfterRequestT:
        """Run ``f(request, response)`` after every request to the app."""
        self.record_once(lambda s: s.app.add_hook("after_request", f))
        return f

    def teardown_app_request(self, f: TeardownT) -> TeardownT:
        """Run ``f(request, exc)`` when every request to the app ends."""
        self.record_once(lambda s: s.app.add_hook("teardown_request", f))
        return f

    def app_errorhandler(
        self, code_or_exception: type[BaseException] | int
    ) -> t.Callable[[ErrorHandlerT], ErrorHandlerT]:
        """Handle an error anywhere in the app; see :meth:`App.errorhandler`."""
        exception_class_and_code(code_or_exception)

        def decorator(f: ErrorHandlerT) -> ErrorHandlerT:
            self.record_once(lambda s: s.app.register_error_handler(code_or_exception, f))
            return f

        return decorator

    def app_url_value_preprocessor(self, f: URLValuePreprocessorT) -> URLValuePreprocessorT:
        """Run ``f(request, endpoint, values)`` on every request to the app."""
        self.record_once(lambda s: s.app.add_url_value_preprocessor(f))
        return f

    def app_url_defaults(self, f: URLDefaultCallbackT) -> URLDefaultCallbackT:
        """Let ``f(request, endpoint, values)`` fill in every URL the app builds."""
        self.record_once(lambda s: s.app.add_url_defaults(f))
        return f
