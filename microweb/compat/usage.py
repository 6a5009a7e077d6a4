"""What ``proxies="warn"`` records: each place in an app's code that reads hidden state.

An app created with ``App(__name__, proxies="warn")`` works as with
``proxies=True`` and also notes, for every read of a proxy (``request``,
``session``, ``g``, ``current_app``) and every Flask-named helper that
reads the current request (``url_for``, ``render_template``, ``flash``...),
the place in the app's own code that made it: file and line (a template's
own line for a template), the endpoint being handled, and how often. The
first read from a place is logged as a warning on ``app.logger``; later
ones are only counted. :meth:`App.proxy_usage <microweb.App.proxy_usage>`
returns the record, and ``microweb proxies`` prints it after running the
app's tests or a crawl of its pages, so a team can watch the number go
to zero as views move to the explicit style.

Setting the environment variable ``MICROWEB_PROXIES=warn`` turns every
app that enables proxies into a recording one: what ``microweb proxies
--pytest`` does around a test suite whose fixtures make the apps.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import sys
import threading
import types
import typing as t

import click
import jinja2
import werkzeug

from . import context
from .context import ADAPTER_FILENAME

if t.TYPE_CHECKING:
    from types import FrameType

    from ..app import App
    from ..wrappers import Request
    from .context import AppContext

#: The environment variable that makes every proxies-on app record.
ENVIRON_KEY = "MICROWEB_PROXIES"


class ProxyUse(t.NamedTuple):
    """One place that reads hidden state, as :meth:`App.proxy_usage` lists it."""

    #: What was read: ``"request"``, ``"g"``, ``"session"``,
    #: ``"current_app"``, or a helper such as ``"url_for()"``.
    name: str
    #: The file of the app's code (or template) that read it.
    filename: str
    #: The line in that file.
    lineno: int
    #: The endpoint of the request being handled, ``None`` in
    #: ``app.app_context()`` (CLI commands, scripts, tests).
    endpoint: str | None
    #: How many reads were made from this place.
    reads: int

    def where(self) -> str:
        """``file:line``, relative to the working folder when under it."""
        filename = self.filename
        try:
            relative = os.path.relpath(filename)
        except ValueError:  # another drive, on Windows
            relative = filename
        if not relative.startswith(os.pardir):
            filename = relative
        return f"{filename}:{self.lineno}"


_Key = tuple[str, str, int, "str | None"]


class Recorder:
    """The reads of one app; kept in ``app.extensions["microweb.proxy_usage"]``."""

    def __init__(self, app: App) -> None:
        self.app_name = app.name
        self.logger = app.logger
        self.counts: dict[_Key, int] = {}
        self._logged: set[tuple[str, str, int]] = set()
        self._lock = threading.Lock()

    def add(self, key: _Key) -> None:
        counts = self.counts
        if key in counts:
            counts[key] += 1  # a lost count under a race only undercounts
            return
        name, filename, lineno, endpoint = key
        with self._lock:
            counts[key] = counts.get(key, 0) + 1
            first = (name, filename, lineno) not in self._logged
            self._logged.add((name, filename, lineno))
        if first:
            during = f"endpoint {endpoint!r}" if endpoint else "an application context"
            self.logger.warning(
                "Hidden state: %s:%d reads %r (during %s). Pass the request to"
                " this code instead; `microweb proxies` lists every such place.",
                filename,
                lineno,
                name,
                during,
            )

    def uses(self) -> list[ProxyUse]:
        with self._lock:
            items = list(self.counts.items())
        return _sorted(ProxyUse(*key, count) for key, count in items)


# Every recorder made in this process, for `microweb proxies --pytest`,
# whose apps are made and dropped by the test suite's fixtures.
_all: list[Recorder] = []


def start_recording(app: App) -> Recorder:
    """Record *app*'s reads of hidden state from now on; return its recorder."""
    recorder: Recorder | None = app.extensions.get("microweb.proxy_usage")
    if recorder is None:
        recorder = app.extensions["microweb.proxy_usage"] = Recorder(app)
        _all.append(recorder)
    app.proxies = "warn"
    context.set_recorder(record)
    return recorder


def usage(app: App) -> list[ProxyUse]:
    """Return what *app* recorded, sorted by file, line and what was read."""
    recorder: Recorder | None = app.extensions.get("microweb.proxy_usage")
    return recorder.uses() if recorder is not None else []


def usage_of_all() -> list[ProxyUse]:
    """Return what every recording app of this process recorded, merged."""
    merged: dict[_Key, int] = {}
    for recorder in _all:
        for use in recorder.uses():
            key = (use.name, use.filename, use.lineno, use.endpoint)
            merged[key] = merged.get(key, 0) + use.reads
    return _sorted(ProxyUse(*key, count) for key, count in merged.items())


def _sorted(uses: t.Iterable[ProxyUse]) -> list[ProxyUse]:
    # By place; None (an application context) sorts before any endpoint.
    return sorted(uses, key=lambda u: (u.filename, u.lineno, u.name, u.endpoint or ""))


# Finding the place: the innermost frame outside the libraries.

# The microweb package: this file is microweb/compat/usage.py.
_MICROWEB = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_WERKZEUG_LOCAL = os.path.join(os.path.dirname(os.path.abspath(werkzeug.__file__)), "local.py")
_LIBRARIES = (
    _MICROWEB,
    os.path.dirname(os.path.abspath(werkzeug.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(jinja2.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(click.__file__)) + os.sep,
)


#: The framework's own ways into a request or context: a read reached
#: through one of these before any of the app's code is the framework's
#: own (a teardown_appcontext function looking up its request), not the
#: app's.
_ENTRIES = frozenset(
    {"__call__", "wsgi_app", "dispatch", "finish_request", "push", "pop", "__enter__", "__exit__"}
)


def record(value: Request | AppContext, proxy: str) -> None:
    """Note a read of *proxy* (the context lookup's name) made while *value* is bound."""
    recorder: Recorder | None = value.app.extensions.get("microweb.proxy_usage")
    if recorder is None:
        return
    frame: FrameType | None = sys._getframe(2)
    name = proxy
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        if not filename.startswith(_LIBRARIES) and not filename.startswith(ADAPTER_FILENAME):
            break
        if filename.startswith(_MICROWEB):
            if code.co_name in _ENTRIES:
                return  # the framework's own read
            # A Flask-named helper called by the app's code: url_for(),
            # or stream_with_context() for its inner function.
            # (co_qualname is Python 3.11's; 3.10 names the inner function.)
            helper = getattr(code, "co_qualname", code.co_name).split(".", 1)[0]
            if helper in _public_helpers():
                name = f"{helper}()"
        frame = frame.f_back
    if frame is None:
        return
    lineno = frame.f_lineno
    template = frame.f_globals.get("__jinja_template__")
    if template is not None:
        lineno = template.get_corresponding_lineno(lineno)
    endpoint = getattr(value, "endpoint", None)
    recorder.add((name, frame.f_code.co_filename, lineno, endpoint))


@functools.lru_cache(maxsize=None)
def _public_helpers() -> frozenset[str]:
    """The functions ``microweb.compat`` offers under Flask's names."""
    from .. import compat

    # type(), not isinstance(): the proxies among them would look up.
    return frozenset(
        name
        for name, value in vars(compat).items()
        if not name.startswith("_") and type(value) is types.FunctionType
    )


def format_usage(uses: t.Sequence[ProxyUse]) -> str:
    """Return *uses* as the table ``microweb proxies`` prints."""
    if not uses:
        return "No hidden-state reads recorded: every view ran in the explicit style."
    places = len({(u.filename, u.lineno) for u in uses})
    reads = sum(u.reads for u in uses)
    rows = [("reads", "what", "where", "endpoint")]
    rows += [
        (str(u.reads), u.name, u.where(), u.endpoint or "(app context)") for u in uses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
        for row in rows
    ]
    lines.append(
        f"{reads} hidden-state read{'s' if reads != 1 else ''} from {places}"
        f" place{'s' if places != 1 else ''} in the app's code."
    )
    return "\n".join(lines)


# The `microweb proxies` command.


@click.command("proxies", context_settings={"ignore_unknown_options": True})
@click.option(
    "--pytest",
    "use_pytest",
    is_flag=True,
    help="Run the test suite with pytest (the arguments that follow go to"
    " pytest), every app its fixtures make recording.",
)
@click.option(
    "--crawl/--no-crawl",
    default=None,
    help="Request the app's pages with the test client: every GET route"
    " without arguments, and the links its pages give; the app runs as"
    " configured, on its own database. The default without --pytest.",
)
@click.option("--max-pages", default=200, show_default=True, help="Pages to crawl at most.")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out reads from files that match, such as 'tests/*' for the"
    " test suite's own reads (paths as printed). Repeatable.",
)
@click.option(
    "--strict", is_flag=True, help="Exit with status 1 if any hidden-state read is recorded."
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def proxies_command(
    ctx: click.Context,
    use_pytest: bool,
    crawl: bool | None,
    max_pages: int,
    exclude: tuple[str, ...],
    strict: bool,
    pytest_args: tuple[str, ...],
) -> None:
    """List the places in the app's code that read hidden state.

    Each read of a proxy (request, session, g, current_app) or of a
    Flask-named helper that reads the current request, by file and line,
    endpoint and count, recorded while the app's test suite runs
    (--pytest [PYTEST_ARGS]...) or while its pages are crawled (the
    default). Reads in the test suite's own code count too; leave them out
    with --exclude 'tests/*'. Run it as views move to the explicit style
    and watch the list go to zero; --strict makes a CI step fail until it
    is.
    """
    from ..cli import ScriptInfo

    use_pytest = use_pytest or bool(pytest_args)
    if crawl is None:
        crawl = not use_pytest
    status = 0
    if use_pytest:
        import pytest

        before = os.environ.get(ENVIRON_KEY)
        os.environ[ENVIRON_KEY] = "warn"
        try:
            status = int(pytest.main(list(pytest_args)))
        finally:
            if before is None:
                del os.environ[ENVIRON_KEY]
            else:
                os.environ[ENVIRON_KEY] = before
        click.echo()
    if crawl:
        app = ctx.ensure_object(ScriptInfo).load_app()
        if not app.proxies:
            click.echo(
                f"{app!r} runs in the explicit style (proxies are off):"
                " it reads no hidden state."
            )
            raise click.exceptions.Exit(status)
        start_recording(app)
        click.echo(crawl_app(app, max_pages))
    # With --pytest, every app the suite made; else the crawled app's.
    uses = usage_of_all() if use_pytest else usage(app)
    uses = [
        use for use in uses if not any(fnmatch.fnmatch(use.where(), f"{glob}:*") for glob in exclude)
    ]
    click.echo(format_usage(uses))
    if status == 0 and strict and uses:
        status = 1
    raise click.exceptions.Exit(status)


def crawl_app(app: App, max_pages: int = 200) -> str:
    """GET the app's pages with its test client, following its links; return a summary.

    Starts from every GET route that takes no arguments (the static
    route aside) and follows the links (``<a href>``, ``<form
    method=get action>``) of each HTML page to paths of the same app.
    """
    from html.parser import HTMLParser
    from urllib.parse import urljoin, urlsplit

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "a" and values.get("href"):
                self.found.append(t.cast(str, values["href"]))
            elif tag == "form" and (values.get("method") or "get").lower() == "get":
                self.found.append(values.get("action") or "")

    queue = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments
        and "GET" in (rule.methods or ())
        and rule.endpoint != "static"
        and not rule.build_only
    ]
    queue.sort()
    seen = set(queue)
    statuses: dict[int, int] = {}
    client = app.test_client()
    pages = 0
    while queue and pages < max_pages:
        path = queue.pop(0)
        response = client.get(path)
        pages += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.mimetype != "text/html":
            continue
        parser = Links()
        parser.feed(response.text)
        for link in parser.found:
            url = urlsplit(urljoin("http://localhost" + path, link))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc != "localhost" or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    counts = ", ".join(f"{n}× {code}" for code, n in sorted(statuses.items()))
    return f"Crawled {pages} page{'s' if pages != 1 else ''} of {app!r} ({counts})."
