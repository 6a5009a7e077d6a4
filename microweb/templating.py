"""Jinja templates: one environment per app, rendered with the request."""

from __future__ import annotations

import os
import typing as t
from functools import partial

import jinja2
from jinja2.runtime import Context

from .helpers import MISSING, request_first, request_first_error, url_for
from .wrappers import Request

if t.TYPE_CHECKING:
    from .app import App

#: Template extensions that are autoescaped; strings always are.
AUTOESCAPE_EXTENSIONS = ("html", "htm", "xml", "xhtml", "svg")


def _session(request: Request) -> t.Any:
    return request.session


def _g(request: Request) -> t.Any:
    return request.g


def _url_for(request: Request) -> t.Any:
    return partial(url_for, request)


def _flashed(request: Request) -> t.Any:
    from .sessions import get_flashed_messages

    return partial(get_flashed_messages, request)


def _csrf_token(request: Request) -> t.Any:
    from .csrf import generate_csrf

    return partial(generate_csrf, request)


#: Names every template can use that are computed only if it uses them:
#: reading the session parses its cookie and adds ``Vary: Cookie``, and
#: a page that uses none of them pays nothing for them.
LAZY_NAMES: dict[str, t.Callable[[Request], t.Any]] = {
    "session": _session,
    "g": _g,
    "url_for": _url_for,
    "get_flashed_messages": _flashed,
    "csrf_token": _csrf_token,
}


class RequestContext(Context):
    """A template context that makes :data:`LAZY_NAMES` on first lookup."""

    def resolve_or_missing(self, key: str) -> t.Any:
        # perf: Jinja's own lookup (the template's variables, then its
        # parent's) written out, without a super() call for every name.
        variables = self.vars
        if key in variables:
            return variables[key]
        if key in self.parent:
            return self.parent[key]
        if key in LAZY_NAMES:
            request = variables.get("request") or self.parent.get("request")
            if request is not None:
                rv = variables[key] = LAZY_NAMES[key](request)
                return rv
        return jinja2.utils.missing


class AppLoader(jinja2.BaseLoader):
    """Load from the app's template folder, then from each blueprint's.

    Blueprints are read when a template is loaded, so they may be
    registered after the environment was made.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    def folders(self) -> list[tuple[str, str]]:
        """Return the folders to search, in order, each with its owner.

        For example ``[("/app/templates", "the app"),
        ("/app/admin/templates", "blueprint 'admin'")]``.
        """
        app = self.app
        rv = []
        if app.template_folder is not None:
            rv.append((os.path.join(app.root_path, app.template_folder), "the app"))
        seen = set()
        for name, blueprint in app.blueprints.items():
            # One blueprint registered under two names has one folder.
            if blueprint.template_folder is not None and id(blueprint) not in seen:
                seen.add(id(blueprint))
                folder = os.path.join(blueprint.root_path, blueprint.template_folder)
                rv.append((folder, f"blueprint {name!r}"))
        return rv

    def not_found_message(self, names: t.Sequence[object]) -> str:
        """Say that none of the template *names* was found, and where the loader looked."""
        wanted = ", ".join(map(repr, names))
        what = f"Template {wanted} was not" if len(names) == 1 else f"None of {wanted} was"
        folders = self.folders()
        if folders:
            searched = "; ".join(f"{folder} ({whose})" for folder, whose in folders)
            rv = f"{what} found. Searched: {searched}."
        else:
            rv = f"{what} found: the app has no template folder (template_folder=None)."
        # Templates put in a blueprint's folder without naming it are a
        # common cause: say which blueprints were not searched.
        skipped = [
            repr(name) for name, bp in self.app.blueprints.items() if bp.template_folder is None
        ]
        if skipped:
            rv += f" Blueprints without a template_folder are not searched: {', '.join(skipped)}."
        return rv

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        for folder, _ in self.folders():
            try:
                return jinja2.FileSystemLoader(folder).get_source(environment, template)
            except jinja2.TemplateNotFound:
                continue
        raise jinja2.TemplateNotFound(template, self.not_found_message([template]))

    def list_templates(self) -> list[str]:
        return sorted(
            {
                name
                for folder, _ in self.folders()
                for name in jinja2.FileSystemLoader(folder).list_templates()
            }
        )


class AppEnvironment(jinja2.Environment):
    """The app's Jinja environment: a template list not found says where it looked."""

    def select_template(
        self,
        names: t.Iterable[str | jinja2.Template],
        parent: str | None = None,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> jinja2.Template:
        try:
            return super().select_template(names, parent, globals)
        except jinja2.TemplatesNotFound as e:
            # jinja2's message names the templates only.
            missing = [name for name in e.templates if name is not None]
            if not missing or not isinstance(self.loader, AppLoader):
                raise
            message = self.loader.not_found_message(missing)
            raise jinja2.TemplatesNotFound(missing, message) from None


def create_environment(
    app: App,
    environment_class: t.Callable[..., jinja2.Environment] = AppEnvironment,
    **options: t.Any,
) -> jinja2.Environment:
    """Make *app*'s Jinja environment: autoescaping, its loader, reloading.

    :param environment_class: Called with the options to make it; an
        :class:`AppEnvironment` by default.
    :param options: Jinja options that replace the defaults (``loader``,
        ``autoescape``, ``auto_reload``) or add to them.
    """
    if "loader" not in options:
        options["loader"] = AppLoader(app)
    options.setdefault(
        "autoescape", jinja2.select_autoescape(AUTOESCAPE_EXTENSIONS, default_for_string=True)
    )
    options.setdefault("auto_reload", _auto_reload(app))
    env = environment_class(**options)
    env.context_class = RequestContext
    return env


def _auto_reload(app: App) -> bool:
    config = app.config
    setting = config["TEMPLATES_AUTO_RELOAD"]
    # perf: DEBUG read as app.debug does, without its descriptor's call.
    return bool(config["DEBUG"]) if setting is None else bool(setting)


def _context(request: Request, context: dict[str, t.Any]) -> dict[str, t.Any]:
    app = request.app
    rv: dict[str, t.Any] = {
        "request": request,
        "config": app.config,
    }
    # The processors as the registration steps returned them, once frozen.
    prepared = app.prepared
    processors = (
        prepared.context_processors if prepared else app.template_context_processors
    )
    for name in (None, *reversed(request.blueprints)):
        for processor in processors.get(name, ()):
            rv.update(processor(request))
    rv.update(context)
    return rv


def _environment(request: Request) -> jinja2.Environment:
    env = request.app.jinja_env
    # DEBUG may be turned on after the environment was made.
    env.auto_reload = _auto_reload(request.app)
    return env


@request_first
def render(
    request: Request,
    template_name_or_list: str | jinja2.Template | list[str | jinja2.Template],
    **context: t.Any,
) -> str:
    """Render a template from the app's (or a blueprint's) template folder.

    Besides *context*, the template sees ``request``, ``session``, ``g``,
    ``config``, ``url_for``, ``get_flashed_messages``, ``csrf_token`` and
    what the context processors return.

    :param request: The request being handled.
    :param template_name_or_list: A name, or a list of names to try in
        order.
    :raises jinja2.TemplateNotFound: If no such template exists; the
        message lists the folders searched.
    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or template_name_or_list is MISSING:
        raise request_first_error(render, request, template_name_or_list, **context)
    template = _environment(request).get_or_select_template(template_name_or_list)
    return template.render(_context(request, context))


@request_first
def render_string(request: Request, source: str, **context: t.Any) -> str:
    """Render the template *source*, autoescaped, with the same context as :func:`render`.

    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or source is MISSING:
        raise request_first_error(render_string, request, source, **context)
    template = _environment(request).from_string(source)
    return template.render(_context(request, context))


@request_first
def stream(
    request: Request,
    template_name_or_list: str | jinja2.Template | list[str | jinja2.Template],
    **context: t.Any,
) -> t.Iterator[str]:
    """Render a template piece by piece, as a view's streamed body.

    The same template and context as :func:`render`, but the view can
    return the iterator at once: Jinja renders the next piece as the
    server sends the last one, so a long page starts arriving early and is
    never held whole in memory. The template is loaded, and a missing one
    reported, when this is called, not when the body is sent. The session
    is saved before the body is sent: a streamed template can read it but
    not change it (flashed messages it shows are not taken off).

    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or template_name_or_list is MISSING:
        raise request_first_error(stream, request, template_name_or_list, **context)
    template = _environment(request).get_or_select_template(template_name_or_list)
    return _generate(request, template, context)


@request_first
def stream_string(request: Request, source: str, **context: t.Any) -> t.Iterator[str]:
    """Render the template *source* piece by piece; see :func:`stream`.

    :raises TypeError: If *request* is not a :class:`~microweb.Request`.
    """
    if not isinstance(request, Request) or source is MISSING:
        raise request_first_error(stream_string, request, source, **context)
    return _generate(request, _environment(request).from_string(source), context)


def _generate(
    request: Request, template: jinja2.Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    app = request.app
    if app.session_interface.get_cookie_name(app) in request.cookies:
        # The template may read the session while the body is sent, after
        # the headers went out: the response varies with the cookie now.
        # (What it writes to the session then, flashes taken included, is
        # not saved.)
        request.session.accessed = True
    return template.generate(_context(request, context))
