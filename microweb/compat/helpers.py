"""Flask's request-reading helpers: each reads the current request and calls the explicit one.

``url_for("index")`` here is ``microweb.url_for(request, "index")`` with
the request the proxies stand for. The helpers that need no request
(``abort``, ``redirect``, ``jsonify``) are the core's own.
"""

from __future__ import annotations

import functools
import os
import typing as t

from werkzeug.routing import BuildError

from .. import helpers as _core
from .. import sessions as _sessions
from .. import templating as _templating
from ..app import App
from ..wrappers import Request
from . import context as _context
from . import signals
from .context import AppContext, _current, current_request

if t.TYPE_CHECKING:
    import jinja2

    from ..wrappers import Response

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """Return a JSON response: through ``current_app.json`` when the app has one (Flask does)."""
    value = _current.get(None)
    provider = getattr(value.app, "json", None) if value is not None else None
    if provider is None:
        return _core.jsonify(*args, **kwargs)
    return t.cast("Response", provider.response(*args, **kwargs))


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error *code*, through ``current_app.aborter`` when it has one."""
    value = _current.get(None)
    aborter = getattr(value.app, "aborter", None) if value is not None else None
    if aborter is None:
        _core.abort(code, *args, **kwargs)
    aborter(code, *args, **kwargs)
    raise AssertionError("unreachable")  # pragma: no cover


def redirect(location: str, code: int = 302) -> Response:
    """Return a redirect response, through ``current_app.redirect`` when it has one."""
    value = _current.get(None)
    app_redirect = getattr(value.app, "redirect", None) if value is not None else None
    if app_redirect is None:
        return _core.redirect(location, code)
    return t.cast("Response", app_redirect(location, code))


def get_debug_flag() -> bool:
    """Whether ``FLASK_DEBUG`` asks for debug mode."""
    value = os.environ.get("FLASK_DEBUG")
    return bool(value and value.lower() not in {"0", "false", "no"})


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Return the URL for *endpoint*: :func:`microweb.url_for` with the current request.

    In an application context without a request, the URL is built from
    ``SERVER_NAME`` as :meth:`App.url_for <microweb.App.url_for>` does.
    """
    value = _current.get(None)
    try:
        if value is None or value.__class__ is AppContext:
            app = value.app if value is not None else current_request().app
            return App.url_for(  # the core's: Flask.url_for calls this function
                app,
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        if value.app.proxies == "warn":
            _context._record(value, "url_for()")
        return _core.url_for(
            t.cast(Request, value),
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )
    except BuildError as error:
        # Flask's url_build_error_handlers, when the app has them.
        # (value is bound: without anything bound, url_for raised RuntimeError.)
        handle = getattr(t.cast(Request, value).app, "handle_url_build_error", None)
        if handle is None:
            raise
        if _external is None:
            in_request = value.__class__ is not AppContext
            _external = _scheme is not None if in_request else True
        values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
        return t.cast(str, handle(error, endpoint, values))


def render_template(
    template_name_or_list: str | t.Any | list[t.Any], **context: t.Any
) -> str:
    """Render a template: :func:`microweb.render` with the current request.

    In an application context without a request, the template sees
    ``config``, ``g``, ``url_for`` and what the app's Flask-style context
    processors return.
    """
    return _render(
        lambda env: env.get_or_select_template(template_name_or_list),
        context,
        lambda request: _templating.render(request, template_name_or_list, **context),
    )


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template string: :func:`microweb.render_string` with the current request."""
    return _render(
        lambda env: env.from_string(source),
        context,
        lambda request: _templating.render_string(request, source, **context),
    )


def _render(
    load: t.Callable[[jinja2.Environment], jinja2.Template],
    context: dict[str, t.Any],
    core_render: t.Callable[[Request], str],
) -> str:
    """Render the template *load* gets from the app's environment: in an
    application context with what it gives templates there; in a request
    with *core_render*, or sending the template signals while a receiver
    listens."""
    value = _current.get(None)
    if value is not None and value.__class__ is AppContext:
        template = load(value.app.jinja_env)
        if signals.receivers_connected:
            return _render_sending(value.app, template, _context_without_request(value, context))
        return template.render(_context_without_request(value, context))
    request = current_request()
    if signals.receivers_connected:
        return _render_sending(request.app, load(request.app.jinja_env), context, request)
    return core_render(request)


def _render_sending(
    app: App, template: jinja2.Template, context: dict[str, t.Any], request: Request | None = None
) -> str:
    """Render *template*, sending ``before_render_template`` and ``template_rendered``.

    In a request, *context* is what the view passed (the core adds the
    request, ``g`` and the context processors' names as it renders); a
    ``before_render_template`` receiver may change it.
    """
    signals.before_render_template.send(app, template=template, context=context)
    if request is None:
        rv = template.render(context)
    else:
        rv = _templating.render(request, template, **context)
    signals.template_rendered.send(app, template=template, context=context)
    return rv


def _context_without_request(value: AppContext, context: dict[str, t.Any]) -> dict[str, t.Any]:
    app = value.app
    rv: dict[str, t.Any] = {"config": app.config, "g": value.g, "url_for": url_for}
    if app.prepared is None:
        app.freeze()
    assert app.prepared is not None
    for processor in app.prepared.context_processors.get(None, ()):
        # Only Flask-style processors can run without a request.
        if getattr(processor, "flask_style", False):
            rv.update(processor(None))
    rv.update(context)
    return rv


def stream_template(
    template_name_or_list: str | t.Any | list[t.Any], **context: t.Any
) -> t.Iterator[str]:
    """Render a template piece by piece: :func:`microweb.stream` with the current
    request, which stays bound while each piece is made.

    In an application context without a request, the template sees what
    :func:`render_template` gives it there, with the context bound.
    """
    value = _current.get(None)
    if value is not None and value.__class__ is AppContext:
        template = value.app.jinja_env.get_or_select_template(template_name_or_list)
        return _stream_without_request(value, template, context)
    request = current_request()
    if signals.receivers_connected:
        template = request.app.jinja_env.get_or_select_template(template_name_or_list)
        return _Bound(_stream_sending(request, template, context), request)
    return t.cast(
        t.Iterator[str],
        _Bound(_templating.stream(request, template_name_or_list, **context), request),
    )


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template string piece by piece; see :func:`stream_template`."""
    value = _current.get(None)
    if value is not None and value.__class__ is AppContext:
        return _stream_without_request(value, value.app.jinja_env.from_string(source), context)
    request = current_request()
    if signals.receivers_connected:
        template = request.app.jinja_env.from_string(source)
        return _Bound(_stream_sending(request, template, context), request)
    return t.cast(
        t.Iterator[str], _Bound(_templating.stream_string(request, source, **context), request)
    )


def _stream_without_request(
    value: AppContext, template: jinja2.Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    pieces = template.generate(_context_without_request(value, context))
    return t.cast(t.Iterator[str], _Bound(pieces, value))


def _stream_sending(
    request: Request, template: jinja2.Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    """Stream *template*: ``before_render_template`` now, ``template_rendered``
    after the last piece, as Flask sends them."""
    app = request.app
    signals.before_render_template.send(app, template=template, context=context)
    pieces = _templating.stream(request, template, **context)

    def generate() -> t.Iterator[str]:
        yield from pieces
        signals.template_rendered.send(app, template=template, context=context)

    return generate()


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """Return a macro or variable that the template *template_name* defines."""
    value = _current.get(None)
    if value is None:
        current_request()  # raises the error that says what to do
    assert value is not None
    return getattr(value.app.jinja_env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Flash *message*: :func:`microweb.flash` with the current request."""
    request = current_request()
    _sessions.flash(request, message, category)
    if signals.receivers_connected:
        signals.message_flashed.send(request.app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[t.Any]:
    """Return the flashed messages: :func:`microweb.get_flashed_messages` with the current request."""
    return _sessions.get_flashed_messages(
        current_request(), with_categories=with_categories, category_filter=category_filter
    )


def make_response(*args: t.Any) -> Response:
    """Turn a view's return value into a response, with the current request."""
    return _core.make_response(current_request(), *args)


def send_file(path_or_file: os.PathLike[str] | str | t.IO[bytes], **kwargs: t.Any) -> Response:
    """Send a file: :func:`microweb.send_file` with the current request.

    The app's ``get_send_file_max_age`` (Flask has one) sets ``max_age``.
    """
    request = current_request()
    _max_age(request, kwargs)
    return _core.send_file(request, path_or_file, **kwargs)


def _max_age(request: Request, kwargs: dict[str, t.Any]) -> None:
    get_max_age = getattr(request.app, "get_send_file_max_age", None)
    if get_max_age is not None:
        kwargs.setdefault("max_age", get_max_age)


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: t.Any
) -> Response:
    """Send a file from a folder: :func:`microweb.send_from_directory` with the current request."""
    request = current_request()
    _max_age(request, kwargs)
    return _core.send_from_directory(request, directory, path, **kwargs)


def has_request_context() -> bool:
    """Whether a request is bound."""
    value = _current.get(None)
    return value is not None and value.__class__ is not AppContext


def has_app_context() -> bool:
    """Whether an app is bound, by a request or ``app.app_context()``."""
    return _current.get(None) is not None


def after_this_request(f: _F) -> _F:
    """Call ``f(response)`` on this request's response, before the after-hooks' result is sent."""
    request = current_request()
    request.__dict__.setdefault("after_this_request", []).append(f)
    return f


def copy_current_request_context(f: _F) -> _F:
    """Return *f* bound to the current request, to run later or in another thread."""
    request = current_request()

    @functools.wraps(f)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        token = _current.set(request)
        try:
            return f(*args, **kwargs)
        finally:
            _current.reset(token)

    return t.cast(_F, wrapper)


def stream_with_context(
    generator_or_function: t.Iterable[t.Any] | t.Callable[..., t.Iterable[t.Any]],
) -> t.Any:
    """Keep the current request bound while a streamed body is produced.

    Takes a generator, or decorates a generator function.
    """
    if callable(generator_or_function) and not hasattr(generator_or_function, "__next__"):
        function = generator_or_function

        @functools.wraps(function)
        def decorated(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(function(*args, **kwargs))

        return decorated
    request = current_request()
    iterator = iter(generator_or_function)  # type: ignore[arg-type]  # not callable here

    return _Bound(iterator, request)


class _Bound:
    """A streamed body that binds its request (or application context) while
    each chunk is made."""

    def __init__(self, generator: t.Iterator[t.Any], request: Request | AppContext) -> None:
        self._generator = generator
        self._request = request

    def __iter__(self) -> _Bound:
        return self

    def __next__(self) -> t.Any:
        token = _current.set(self._request)
        try:
            return next(self._generator)
        finally:
            _current.reset(token)

    def close(self) -> None:
        close = getattr(self._generator, "close", None)
        if close is None:
            return
        token = _current.set(self._request)
        try:
            close()
        finally:
            _current.reset(token)


# Shared by Flask and Blueprint, whose static-file methods take the request
# or, Flask's way, not.


def static_file_arguments(args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> tuple[Request, str]:
    """Return the request and the filename of ``send_static_file(...)``,
    called ``(request, filename)`` or, Flask's way, ``(filename)``."""
    if args and isinstance(args[0], Request):
        request, *rest = args
    else:
        request, rest = current_request(), list(args)
    return request, rest[0] if rest else kwargs["filename"]
