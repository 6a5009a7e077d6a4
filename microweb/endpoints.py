"""Prepared endpoints: what the request path runs for each endpoint, made once.

When an app freezes, on its first request, :func:`prepare` runs the app's
registration steps over every registered callable (see
:mod:`microweb.registration`) and puts each endpoint's view and hooks in
the order they run, so that a request looks nothing up.
"""

from __future__ import annotations

import typing as t

from .registration import Target
from .routing import blueprint_chain

if t.TYPE_CHECKING:
    from .app import App
    from .errors import HandlerSpec
    from .registration import HookKind, Role
    from .typing import (
        AfterRequestHook,
        BeforeRequestHook,
        ContextProcessor,
        TeardownHook,
        URLDefaultCallback,
        URLValuePreprocessor,
        View,
    )
    from .wrappers import Request, Response


class Endpoint:
    """Everything the request path needs for one endpoint."""

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
        #: The endpoint's name; ``None`` for the one that answers requests
        #: no rule matched.
        self.name = name
        #: The view, as the registration steps returned it.
        self.view = view
        #: Before-hooks: the app's, then each blueprint's, outer to inner.
        self.before = before
        #: After-hooks: inner blueprint to app, each in reverse order.
        self.after = after
        #: Teardown hooks, in the same order as the after-hooks.
        self.teardown = teardown
        #: The endpoint's blueprints, innermost first.
        self.blueprints = blueprints
        #: A ``str`` from the view may skip building a Response object.
        self.fast = fast


class Prepared(t.NamedTuple):
    """What :func:`prepare` makes of an app's registrations."""

    #: The endpoint of each name.
    endpoints: dict[str, Endpoint]
    #: What answers an automatic ``OPTIONS`` request, by endpoint name.
    options: dict[str, Endpoint]
    #: What answers a request that no rule matched.
    unmatched: Endpoint
    #: The teardown hooks by endpoint name (``None`` when nothing matched),
    #: for the endpoints that have any.
    teardowns: dict[str | None, tuple[TeardownHook, ...]]
    #: The error handlers, as the steps returned them.
    error_handlers: HandlerSpec
    #: The context processors, as the steps returned them.
    context_processors: dict[str | None, list[ContextProcessor]]
    #: The URL default functions, as the steps returned them.
    url_defaults: dict[str | None, list[URLDefaultCallback]]


def prepare(app: App, fast: bool) -> Prepared:
    """Run *app*'s registration steps and build every endpoint.

    :param fast: Whether the app may send a view's ``str`` without a
        Response object (it has the default response class and
        ``make_response``); endpoints with after-hooks never do.
    """
    derived: dict[tuple[t.Any, ...], t.Any] = {}

    def derive(
        f: t.Any,
        role: Role,
        blueprint: str | None,
        endpoint: str | None = None,
        methods: frozenset[str] = frozenset(),
    ) -> t.Any:
        # Each callable goes through the steps once; the registries keep
        # it alive, so its id is a stable key.
        key = (id(f), role, blueprint, endpoint)
        rv = derived.get(key)
        if rv is None:
            target = Target(
                role, endpoint, blueprint, methods, app.takes_request.get(id(f), True)
            )
            rv = derived[key] = run_steps(app, f, target)
        return rv

    def hooks(kind: HookKind, blueprints: tuple[str, ...]) -> tuple[t.Any, ...]:
        registry: dict[str | None, list[t.Any]] = getattr(app, f"{kind}_funcs")
        scopes: list[str | None] = [None, *reversed(blueprints)]
        if kind == "before_request":
            return tuple(
                derive(f, kind, scope) for scope in scopes for f in registry.get(scope, ())
            )
        return tuple(
            derive(f, kind, scope)
            for scope in reversed(scopes)
            for f in reversed(registry.get(scope, ()))
        )

    def preprocessors(blueprints: tuple[str, ...]) -> tuple[t.Any, ...]:
        registry = app.url_value_preprocessors
        return tuple(
            derive(f, "url_value_preprocessor", scope)
            for scope in (None, *reversed(blueprints))
            for f in registry.get(scope, ())
        )

    teardowns: dict[str | None, tuple[TeardownHook, ...]] = {}

    def endpoint(name: str | None, view: View, blueprints: tuple[str, ...]) -> Endpoint:
        after = hooks("after_request", blueprints)
        teardown = hooks("teardown_request", blueprints)
        if teardown:
            teardowns[name] = teardown
        before = hooks("before_request", blueprints)
        processors = preprocessors(blueprints)
        if processors:
            # perf: URL value preprocessors ride in the before chain as one
            # hook, put there only for endpoints that have them, so dispatch
            # has no step of its own for them.
            before = (preprocess_url_values(processors), *before)
        return Endpoint(name, view, before, after, teardown, blueprints, fast and not after)

    methods_of: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods_of.setdefault(rule.endpoint, set()).update(rule.methods or ())
    endpoints: dict[str, Endpoint] = {}
    options: dict[str, Endpoint] = {}
    for name, methods in methods_of.items():
        blueprints = blueprint_chain(name)
        view = app.view_functions.get(name)
        if view is None:
            view = _missing_view(name)
        else:
            scope = blueprints[0] if blueprints else None
            view = derive(view, "view", scope, name, frozenset(methods))
        endpoints[name] = endpoint(name, view, blueprints)
        options[name] = endpoint(name, _options_view, blueprints)
    error_handlers: HandlerSpec = {
        scope: {
            code: {cls: derive(h, "errorhandler", scope) for cls, h in by_class.items()}
            for code, by_class in by_code.items()
        }
        for scope, by_code in app.error_handler_spec.items()
    }
    processors = {
        scope: [derive(p, "context_processor", scope) for p in registered]
        for scope, registered in app.template_context_processors.items()
    }
    url_defaults = {
        scope: [derive(f, "url_defaults", scope) for f in registered]
        for scope, registered in app.url_default_functions.items()
    }
    unmatched = endpoint(None, _missing_view(""), ())
    return Prepared(
        endpoints, options, unmatched, teardowns, error_handlers, processors, url_defaults
    )


def preprocess_url_values(
    processors: tuple[URLValuePreprocessor, ...],
) -> BeforeRequestHook:
    """Return the before-hook that runs *processors* in order.

    Each is called as ``processor(request, request.endpoint,
    request.view_args)``. Dispatch reads ``request.view_args`` after the
    before-hooks, so what a processor takes out of it never reaches the
    view.
    """

    def url_value_preprocessors(request: Request) -> None:
        for processor in processors:
            processor(request, request.endpoint, request.view_args)

    return url_value_preprocessors


def url_defaults_of(app: App) -> dict[str | None, list[URLDefaultCallback]]:
    """Run *app*'s registration steps over its URL default functions now.

    ``App.inject_url_defaults`` uses this before the app serves, when the
    registrations may still change; once it serves, it reads
    :attr:`Prepared.url_defaults`.
    """
    return {
        scope: [
            run_steps(
                app,
                f,
                Target("url_defaults", None, scope, frozenset(), app.takes_request.get(id(f), True)),
            )
            for f in registered
        ]
        for scope, registered in app.url_default_functions.items()
    }


def run_steps(app: App, f: t.Any, target: Target) -> t.Any:
    """Return what *app*'s registration steps make of *f*, registered as *target*."""
    rv = f
    for step in app.registration_steps:
        new = step(app, rv, target)
        if new is not rv and not target.takes_request:
            # A step that wraps a callable without the request returns one
            # that takes it (see registration.Step).
            target = target._replace(takes_request=True)
        rv = new
    return rv


def _missing_view(endpoint: str) -> View:
    def missing(request: Request, **values: t.Any) -> t.NoReturn:
        raise LookupError(f"No view is registered for endpoint {endpoint!r}.")

    return missing


def _options_view(request: Request, **values: t.Any) -> Response:
    """Answer ``OPTIONS`` with the methods the path accepts."""
    response = request.app.response_class()
    response.allow.update(request.url_adapter().allowed_methods())
    return response
