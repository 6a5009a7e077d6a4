"""``flask.testing``: a test client that can keep the last request bound, and the CLI runner."""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import typing as t


import werkzeug.test

from ..testing import CliRunner as FlaskCliRunner
from ..testing import TestClient, environ_builder, split_url
from .context import KEEP, RequestContext

if t.TYPE_CHECKING:
    from types import TracebackType

    from werkzeug.test import TestResponse

    from ..app import App
    from ..sessions import SessionMixin


class EnvironBuilder(werkzeug.test.EnvironBuilder):
    """werkzeug's ``EnvironBuilder`` with the URL made from *app*'s config, as the test client's.

    :param app: The app; ``SERVER_NAME``, ``APPLICATION_ROOT`` and
        ``PREFERRED_URL_SCHEME`` make the URL unless *base_url* is given.
    """

    def __init__(
        self,
        app: App,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        path, base_url = split_url(app, path, base_url, subdomain, url_scheme)
        #: The app the request is for.
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize *obj* with the app's JSON provider, when it has one."""
        provider = getattr(self.app, "json", None)
        if provider is None:
            return super().json_dumps(obj, **kwargs)
        return t.cast(str, provider.dumps(obj, **kwargs))


class FlaskClient(TestClient):
    """The test client; ``with client:`` keeps each call's request bound until the block ends.

    ::

        with client:
            client.get("/?q=1")
            assert request.args["q"] == "1"
    """

    preserve_context = False
    #: Werkzeug's user agent, as Flask's client sends.
    environ_base: dict[str, t.Any] = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": f"Werkzeug/{importlib.metadata.version('werkzeug')}",
    }

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # Each client's own: a test may change it.
        self.environ_base = dict(self.environ_base)
        self._kept: list[RequestContext] = []

    def open(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a request; see :meth:`microweb.testing.TestClient.open`.

        A builder or an environ passed in gets :attr:`environ_base` under
        its own values, as Flask's client does.
        """
        requests: list[t.Any] = []
        extra = {KEEP: requests} if self.preserve_context else {}
        made: werkzeug.test.EnvironBuilder | None = None
        if args and isinstance(args[0], werkzeug.test.EnvironBuilder):
            builder = copy.copy(args[0])
            builder.environ_base = {**self.environ_base, **(builder.environ_base or {}), **extra}
            args = (builder, *args[1:])
        elif args and isinstance(args[0], dict):
            # As a builder: werkzeug rebuilds an environ from its known keys
            # only, which would drop environ_base's.
            made = werkzeug.test.EnvironBuilder.from_environ(
                args[0], environ_base={**self.environ_base, **extra}
            )
            args = (made, *args[1:])
        elif extra:
            kwargs["environ_base"] = {**(kwargs.get("environ_base") or {}), **extra}
        while self._kept:
            self._kept.pop().pop()
        try:
            response = super().open(*args, **kwargs)
        finally:
            if made is not None:
                made.close()
        if requests and not self._kept:
            # (A redirect followed was opened inside this call and kept its
            # own request, the last one: that one stays bound.)
            context = RequestContext(self.application, requests[-1], teardown=False)
            context.push()
            self._kept.append(context)
        return response

    def __enter__(self) -> FlaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.preserve_context = False
        while self._kept:
            self._kept.pop().pop()

    @contextlib.contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[SessionMixin]:
        """Open the session the client's cookies hold, to read or change it in a test.

        Takes the arguments of :func:`microweb.testing.environ_builder`.
        """
        if self._cookies is None:
            raise TypeError(
                "Cookies are disabled. Create a client with 'use_cookies=True'."
            )
        app = self.application
        builder = environ_builder(app, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        self._add_cookies_to_wsgi(environ)
        request = app.request_class(environ, app)
        interface = app.session_interface
        session = interface.open_session(app, request)
        if session is None:
            raise RuntimeError("Session backend did not open a session.")
        yield session
        response = app.response_class()
        if interface.is_null_session(session):
            return
        interface.save_session(app, session, response)
        self._update_cookies_from_response(
            request.host.partition(":")[0],
            request.path,
            response.headers.getlist("Set-Cookie"),
        )


__all__ = ["EnvironBuilder", "FlaskCliRunner", "FlaskClient"]
