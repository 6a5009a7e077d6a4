"""A proxy with nothing to stand for says why, and what to do instead."""

from __future__ import annotations

import pytest

from microweb import App
from microweb.compat import current_app, g, request, session


@pytest.mark.parametrize("name", ["request", "session", "g", "current_app"])
def test_outside_a_request(name: str) -> None:
    proxy = {"request": request, "session": session, "g": g, "current_app": current_app}[name]
    with pytest.raises(RuntimeError, match="Working outside of") as info:
        getattr(proxy, "anything")
    assert "with app." in str(info.value)
    assert "pass the request" in str(info.value)


def test_request_inside_an_application_context_without_a_request(app: App) -> None:
    with app.app_context():  # type: ignore[attr-defined]  # set by proxies=True
        with pytest.raises(RuntimeError, match="test_request_context"):
            request.path


def test_in_a_view_of_an_explicit_app(tmp_path: object) -> None:
    app = App("explicit_app")
    app.config["TESTING"] = True

    @app.route("/")
    def index(req):
        return request.path

    with pytest.raises(RuntimeError) as info:
        app.test_client().get("/")
    message = str(info.value)
    assert "<App 'explicit_app'> handles a request" in message
    assert "explicit style" in message
    assert "App('explicit_app', proxies=True)" in message
    assert "the request the view or hook receives" in message
