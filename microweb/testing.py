"""Testing: a test client, requests to call views with directly, a CLI runner."""

from __future__ import annotations

import typing as t
from collections.abc import Sequence
from urllib.parse import urlsplit

import click.testing
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request as _WerkzeugRequest

if t.TYPE_CHECKING:
    import click
    from werkzeug.test import TestResponse

    from .app import App
    from .wrappers import Request


def environ_builder(
    app: App,
    path: str = "/",
    base_url: str | None = None,
    subdomain: str | None = None,
    url_scheme: str | None = None,
    **kwargs: t.Any,
) -> EnvironBuilder:
    """Return a werkzeug ``EnvironBuilder`` whose URL fits *app*'s config.

    Without *base_url*, the host is ``SERVER_NAME`` (``localhost`` if
    unset), under ``APPLICATION_ROOT``, with ``PREFERRED_URL_SCHEME``.
    *path* may be a full URL, whose scheme and host then win.
    """
    path, base_url = split_url(app, path, base_url, subdomain, url_scheme)
    return EnvironBuilder(path, base_url, **kwargs)


def split_url(
    app: App,
    path: str,
    base_url: str | None = None,
    subdomain: str | None = None,
    url_scheme: str | None = None,
) -> tuple[str, str]:
    """Return the path and the base URL of a test request to *app*; see :func:`environ_builder`.

    :raises ValueError: If *subdomain* or *url_scheme* comes with *base_url*.
    """
    if base_url is not None:
        if subdomain is not None or url_scheme is not None:
            raise ValueError("Pass 'subdomain' or 'url_scheme' only without 'base_url'.")
        return path, base_url
    config = app.config
    host = config["SERVER_NAME"] or "localhost"
    if subdomain:
        host = f"{subdomain}.{host}"
    scheme = url_scheme or config["PREFERRED_URL_SCHEME"]
    root = config["APPLICATION_ROOT"].lstrip("/")
    url = urlsplit(path)
    base_url = f"{url.scheme or scheme}://{url.netloc or host}/{root}"
    return (f"{url.path}?{url.query}" if url.query else url.path), base_url


class TestClient(Client):
    """werkzeug's test client, with URLs made from the app's config.

    Cookies persist between requests. Responses have ``status_code``,
    ``headers``, ``text``, ``json`` and ``get_data()``.
    """

    application: App
    #: Not a test class, though pytest collects names that start with "Test".
    __test__ = False
    #: Put in every request's environ, as a browser on this machine would.
    environ_base: dict[str, t.Any] = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "microweb-test-client",
    }

    def open(
        self,
        *args: t.Any,
        buffered: bool = True,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request; takes the arguments of :func:`environ_builder`.

        The body is read and closed before this returns, so teardown hooks
        have run; pass ``buffered=False`` to test a streamed body.
        """
        if args and isinstance(args[0], (EnvironBuilder, dict, _WerkzeugRequest)):
            return super().open(
                *args, buffered=buffered, follow_redirects=follow_redirects, **kwargs
            )
        kwargs["environ_base"] = {**self.environ_base, **(kwargs.get("environ_base") or {})}
        builder = environ_builder(self.application, *args, **kwargs)
        try:
            return super().open(
                builder, buffered=buffered, follow_redirects=follow_redirects
            )
        finally:
            builder.close()


def make_test_request(
    app: App,
    path: str = "/",
    method: str = "GET",
    *,
    run_hooks: bool = False,
    **kwargs: t.Any,
) -> Request:
    """Return a request for *path*, routed as *app* routes it, to call a view with.

    ``view_args``, ``endpoint``, ``routing_exception`` and relative
    ``url_for`` are what they are while serving: the request goes through
    :meth:`Router.route <microweb.routing.Router.route>`, the one place
    the app routes requests (the app is prepared first, see
    :meth:`App.freeze <microweb.App.freeze>`).

    :param run_hooks: Run the endpoint's before-hooks first, so the view
        sees what they set on ``request.g``.
    :param kwargs: As for :func:`environ_builder` and werkzeug's
        :class:`~werkzeug.test.EnvironBuilder` (``json``, ``data``,
        ``headers``, ``query_string``, ``base_url``...).
    :raises RuntimeError: With *run_hooks*, if a before-hook answered the
        request, so that the view would not run; test what it answers
        with :meth:`App.preprocess_request <microweb.App.preprocess_request>`.
    """
    app.freeze()
    builder = environ_builder(app, path, method=method, **kwargs)
    try:
        request = app.request_class(builder.get_environ(), app)
    finally:
        builder.close()
    app.router.route(request)
    if run_hooks:
        rv = app.preprocess_request(request)
        if rv is not None:
            raise RuntimeError(
                f"A before-hook answered {method} {path} with {rv!r}, so the view"
                " would not run. Call app.preprocess_request(request) to test"
                " what a hook answers."
            )
    return request


class CliRunner(click.testing.CliRunner):
    """click's test runner, bound to an app: ``app.test_cli_runner()``.

    ::

        def test_init_db(app):
            result = app.test_cli_runner().invoke(args=["init-db"])
            assert "Initialized" in result.output

    :param app: The app that commands run with, as if ``--app`` named it.
    :param kwargs: As for click's :class:`~click.testing.CliRunner`.
    """

    def __init__(self, app: App, **kwargs: t.Any) -> None:
        #: The app every command runs with.
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]  # cli is optional here
        self,
        cli: click.Command | None = None,
        args: str | Sequence[str] | None = None,
        **kwargs: t.Any,
    ) -> click.testing.Result:
        """Run *cli* with *args* and return its result; nothing is raised.

        :param cli: The command; by default the ``microweb`` command, so
            ``args=["routes"]`` and the app's own commands work. Any
            command may use :func:`~microweb.cli.with_app`.
        :param args: The arguments, a list or one shell-quoted string.
        :param kwargs: As for click's ``CliRunner.invoke``: ``input``,
            ``env``, ``catch_exceptions``...
        """
        # The command line sits beside the test tools; loaded when used.
        from .cli import ScriptInfo
        from .cli import cli as microweb_cli

        if cli is None:
            cli = microweb_cli
            kwargs.setdefault("prog_name", "microweb")
        kwargs.setdefault("obj", ScriptInfo(app=self.app))
        return super().invoke(cli, args, **kwargs)
