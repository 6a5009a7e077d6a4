"""What happens to a callable an app registers, and the decorators that do it.

Every view, hook, error handler, context processor and URL processor
goes through two stages before it serves a request:

1. **When it is registered**, :func:`check_signature` decides from its
   signature that it can be called the way the app will call it (the
   request first, then the rule's arguments or the hook's documented
   ones). A callable that cannot is refused there, with a message that
   names it and shows the fix, instead of failing on every request.
2. **When the app freezes**, on its first request, the app's
   *registration steps* run over each callable once. A step receives the
   callable and a :class:`Target` that says what it is, and returns it
   unchanged when it has nothing to add, or a wrapper. CSRF protection is
   such a step (:func:`microweb.csrf.csrf_step`); an app without it pays
   nothing. The steps wait for the freeze, like Pyramid's view derivers
   wait for the commit, so that configuration set after a route was added
   (``CSRF_ENABLED``, say) still applies to it.

:class:`SetupMethods` holds the decorators that :class:`~microweb.App`
and :class:`~microweb.Blueprint` share; each is a spelling of one of a
few methods that the class provides.
"""

from __future__ import annotations

import functools
import inspect
import typing as t

if t.TYPE_CHECKING:
    from .app import App
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

#: What a registered callable is for.
Role = t.Literal[
    "view",
    "before_request",
    "after_request",
    "teardown_request",
    "errorhandler",
    "context_processor",
    "url_value_preprocessor",
    "url_defaults",
]

#: The kinds of request hooks.
HookKind = t.Literal["before_request", "after_request", "teardown_request"]

#: The arguments each role passes after the request, by name.
ROLE_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "view": (),
    "before_request": (),
    "after_request": ("response",),
    "teardown_request": ("exc",),
    "errorhandler": ("error",),
    "context_processor": (),
    "url_value_preprocessor": ("endpoint", "values"),
    "url_defaults": ("endpoint", "values"),
}

_DECORATORS = {
    "view": "a view",
    "before_request": "a before_request hook",
    "after_request": "an after_request hook",
    "teardown_request": "a teardown_request hook",
    "errorhandler": "an error handler",
    "context_processor": "a context processor",
    "url_value_preprocessor": "a url_value_preprocessor",
    "url_defaults": "a url_defaults function",
}

class Target(t.NamedTuple):
    """What a registration step is told about the callable it receives."""

    #: What the callable is for.
    role: Role
    #: The endpoint, for a view; ``None`` otherwise.
    endpoint: str | None
    #: The blueprint the callable belongs to; ``None`` for the app's own.
    blueprint: str | None
    #: The methods the endpoint's rules accept, for a view.
    methods: frozenset[str]
    #: Whether it takes the request first, as decided at registration.
    takes_request: bool


#: ``step(app, callable, target)`` returns the callable or a wrapper of it,
#: called the same way. The one exception: given a callable that does not
#: take the request (``target.takes_request`` is false), a step that wraps
#: it returns one that does, and the steps after it are told so. A step
#: that adapts such callables therefore goes first in the list.
Step = t.Callable[["App", t.Callable[..., t.Any], Target], t.Callable[..., t.Any]]


def describe(f: object) -> str:
    """Name *f* for an error message: ``'module.qualname'``."""
    if isinstance(f, functools.partial):
        return f"functools.partial({describe(f.func)}, ...)"
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    module = getattr(f, "__module__", None)
    return f"'{module}.{name}'" if module else f"'{name}'"


def _name(f: object) -> str:
    while isinstance(f, functools.partial):
        f = f.func
    return getattr(f, "__name__", None) or "f"


def check_signature(
    f: t.Callable[..., t.Any],
    role: Role,
    *,
    arguments: t.Iterable[str] | None = (),
    rule: str | None = None,
    request_optional: bool = False,
    preprocessed: bool = False,
) -> bool:
    """Decide how *f* is called in *role*, or refuse it with the fix.

    :param f: The callable being registered.
    :param role: What it is for; the app calls it as
        ``f(request, *ROLE_ARGUMENTS[role])``, or, for a view,
        ``f(request, **view_args)``.
    :param arguments: A view's rule arguments, passed by name; ``None``
        while no rule is known yet, when only the request is checked.
    :param rule: A view's rule, named in the error.
    :param request_optional: Accept a callable that does not take the
        request (the compatibility layer's Flask-style callables).
    :param preprocessed: For a view: a URL value preprocessor may take
        rule arguments out of ``view_args`` before the call, so the view
        is checked only with those of *arguments* it names (all of them if
        it takes ``**kwargs``).
    :return: Whether *f* takes the request first.
    :raises TypeError: If *f* is a coroutine function, or cannot be called
        so; the message names it and shows a signature that works.
    """
    what = _DECORATORS[role]
    if inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f) or (
        inspect.iscoroutinefunction(getattr(f, "__call__", None))  # noqa: B004
    ):
        raise TypeError(
            f"{describe(f)} is an 'async def' function, registered as {what};"
            " microweb calls views and hooks synchronously and does not run"
            " coroutines yet. Define it with 'def'."
        )
    try:
        # What Python will call: a decorator's wrapper, not the function
        # it wraps (a decorator may well change the arguments).
        signature = inspect.signature(f, follow_wrapped=False)
    except (TypeError, ValueError):  # builtins and C callables: trust them
        return True
    names = tuple(arguments or ())
    if preprocessed and role == "view":
        names = _named(signature, names)
    after = ROLE_ARGUMENTS[role]
    try:
        if arguments is None:
            signature.bind_partial(None)
        elif role == "view":
            signature.bind(None, **dict.fromkeys(names))
        else:
            signature.bind(None, *after)
    except TypeError as e:
        if request_optional and _binds_without_request(signature, role, names):
            return False
        reason = str(e)
        if reason == "too many positional arguments":
            # Python's words, from the caller's side.
            reason = "it takes fewer arguments than the app passes"
    else:
        return True
    name = _name(f)
    if role == "view":
        call = ", ".join(["request", *(f"{n}=..." for n in names)])
        where = f" on rule {rule!r}" if rule else ""
        fix = ", ".join(["request", *names])
        hint = (
            " A view takes the request first, then each of the rule's"
            " arguments by name."
        )
        if "unexpected keyword argument" in reason:
            hint += (
                " (If a url_value_preprocessor takes the argument out,"
                " register the preprocessor before the view.)"
            )
    else:
        call = ", ".join(["request", *after])
        where = ""
        fix = call
        hint = f" {what[0].upper()}{what[1:]} takes the request first."
    raise TypeError(
        f"{describe(f)}, registered as {what}{where}, cannot be called as"
        f" {name}({call}): {reason}.{hint} Define it as: def {name}({fix}): ..."
    ) from None


def _named(signature: inspect.Signature, names: tuple[str, ...]) -> tuple[str, ...]:
    """Return those of *names* that *signature* takes by name."""
    parameters = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return names
    return tuple(n for n in names if n in parameters)


def _binds_without_request(
    signature: inspect.Signature, role: Role, names: tuple[str, ...]
) -> bool:
    try:
        if role == "view":
            signature.bind(**dict.fromkeys(names))
        else:
            signature.bind(*ROLE_ARGUMENTS[role])
    except TypeError:
        return False
    return True


def template_decorator(
    add: t.Callable[[t.Callable[..., t.Any], str | None], None], name: str | None
) -> t.Callable[[TemplateCallableT], TemplateCallableT]:
    """Return a decorator that passes its function and *name* to *add*.

    The ``template_filter`` decorators of :class:`~microweb.App` and the
    ``app_template_filter`` ones of :class:`~microweb.Blueprint` (and
    their ``global`` and ``test`` kin) are this, over their ``add_*``
    methods.
    """

    def decorator(f: TemplateCallableT) -> TemplateCallableT:
        add(f, name)
        return f

    return decorator


class SetupMethods:
    """The setup decorators that :class:`~microweb.App` and :class:`~microweb.Blueprint` share.

    Each decorator returns the function it was given, typed so that mypy
    checks it against the way it will be called. The class provides
    :meth:`add_url_rule`, :meth:`add_hook`, :meth:`register_error_handler`,
    :meth:`add_context_processor`, :meth:`add_url_value_preprocessor` and
    :meth:`add_url_defaults`: the app registers at once, a blueprint
    records the call to replay on the app.
    """

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        raise NotImplementedError  # pragma: no cover

    def add_hook(self, kind: HookKind, f: t.Callable[..., t.Any]) -> None:
        raise NotImplementedError  # pragma: no cover

    def register_error_handler(
        self, code_or_exception: type[BaseException] | int, f: ErrorHandler
    ) -> None:
        raise NotImplementedError  # pragma: no cover

    def add_context_processor(self, f: ContextProcessor) -> None:
        raise NotImplementedError  # pragma: no cover

    def add_url_value_preprocessor(self, f: URLValuePreprocessor) -> None:
        raise NotImplementedError  # pragma: no cover

    def add_url_defaults(self, f: URLDefaultCallback) -> None:
        raise NotImplementedError  # pragma: no cover

    # Routes.

    def route(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Register the decorated view for *rule*.

        :param rule: The URL rule, such as ``"/users/<int:id>"``.
        :param options: ``methods``, ``endpoint``, ``defaults``,
            ``strict_slashes``, ``subdomain``, ``host`` and any other
            argument of werkzeug's :class:`~werkzeug.routing.Rule`.
        """

        def decorator(f: ViewT) -> ViewT:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[ViewT], ViewT]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to pass 'methods'.")
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Shortcut for :meth:`route` with ``methods=["GET"]``."""
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Shortcut for :meth:`route` with ``methods=["POST"]``."""
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Shortcut for :meth:`route` with ``methods=["PUT"]``."""
        return self._method_route("PUT", rule, options)

    def patch(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Shortcut for :meth:`route` with ``methods=["PATCH"]``."""
        return self._method_route("PATCH", rule, options)

    def delete(self, rule: str, **options: t.Any) -> t.Callable[[ViewT], ViewT]:
        """Shortcut for :meth:`route` with ``methods=["DELETE"]``."""
        return self._method_route("DELETE", rule, options)

    # Hooks, error handlers, context processors.

    def before_request(self, f: BeforeRequestT) -> BeforeRequestT:
        """Run ``f(request)`` before each view.

        If it returns anything but ``None``, that becomes the response and
        the view is not called. An app's hook runs even when no route
        matched; a blueprint's runs before the blueprint's views.
        """
        self.add_hook("before_request", f)
        return f

    def after_request(self, f: AfterRequestT) -> AfterRequestT:
        """Run ``f(request, response)`` on each response; it returns the response.

        Hooks run in the reverse order of registration, a blueprint's
        before the app's.
        """
        self.add_hook("after_request", f)
        return f

    def teardown_request(self, f: TeardownT) -> TeardownT:
        """Run ``f(request, exc)`` when each request ends, whatever happened.

        It runs after the body has been sent (a streamed one too), with the
        unhandled exception or ``None``. Its return value is ignored.
        """
        self.add_hook("teardown_request", f)
        return f

    def errorhandler(
        self, code_or_exception: type[BaseException] | int
    ) -> t.Callable[[ErrorHandlerT], ErrorHandlerT]:
        """Handle an HTTP status code or an exception class with ``f(request, error)``.

        The handler for the most specific class wins; a blueprint's own
        handler beats the app's for that blueprint's views.
        """

        def decorator(f: ErrorHandlerT) -> ErrorHandlerT:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    def context_processor(self, f: ContextProcessorT) -> ContextProcessorT:
        """Add the names ``f(request)`` returns to the context of templates.

        An app's processor serves every template, a blueprint's those that
        its views render.
        """
        self.add_context_processor(f)
        return f

    # URL processors.

    def url_value_preprocessor(self, f: URLValuePreprocessorT) -> URLValuePreprocessorT:
        """Run ``f(request, endpoint, values)`` after routing, before the before-hooks.

        *values* is ``request.view_args``: what *f* pops from it, the view
        does not receive. An app's preprocessor runs for every request,
        with ``None`` for the endpoint and values when no rule matched; a
        blueprint's runs before the blueprint's views, after the app's.
        Register it before the views whose arguments it takes out, so
        that their signatures are checked without them.
        """
        self.add_url_value_preprocessor(f)
        return f

    def url_defaults(self, f: URLDefaultCallbackT) -> URLDefaultCallbackT:
        """Let ``f(request, endpoint, values)`` fill in *values* before ``url_for`` builds.

        An app's function runs for every URL built, a blueprint's for its
        own endpoints, after the app's. ``app.url_for`` outside a request
        passes ``None`` for the request.
        """
        self.add_url_defaults(f)
        return f
