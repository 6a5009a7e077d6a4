"""``flask.testing``: a test client that can keep the last request bound, and the CLI runner."""

from __future__ import annotations

import contextlib
import typing as t

from werkzeug.test import EnvironBuilder as EnvironBuilder

from ..testing import CliRunner as FlaskCliRunner
from ..testing import TestClient, environ_builder
from .context import KEEP, RequestContext

if t.TYPE_CHECKING:
    from types import TracebackType

    from werkzeug.test import TestResponse

    from ..sessions import SessionMixin


class FlaskClient(TestClient):
    """The test client; ``with client:`` keeps each call's request bound until the block ends.

    ::

        with client:
            client.get("/?q=1")
            assert request.args["q"] == "1"
    """

    preserve_context = False

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: list[RequestContext] = []

    def open(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a request; see :meth:`microweb.testing.TestClient.open`."""
        if not self.preserve_context:
            return super().open(*args, **kwargs)
        while self._kept:
            self._kept.pop().pop()
        requests: list[t.Any] = []
        kwargs["environ_base"] = {**(kwargs.get("environ_base") or {}), KEEP: requests}
        response = super().open(*args, **kwargs)
        if requests:
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
        app = self.application
        builder = environ_builder(app, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        if self._cookies is not None:
            self._add_cookies_to_wsgi(environ)
        request = app.request_class(environ, app)
        interface = app.session_interface
        session = interface.open_session(app, request)
        if session is None:
            raise RuntimeError("Session backend did not open a session.")
        with RequestContext(app, request, teardown=False):
            yield session
        response = app.response_class()
        if interface.is_null_session(session):
            return
        interface.save_session(app, session, response)
        if self._cookies is not None:
            self._update_cookies_from_response(
                request.host.partition(":")[0],
                request.path,
                response.headers.getlist("Set-Cookie"),
            )


__all__ = ["EnvironBuilder", "FlaskCliRunner", "FlaskClient"]
