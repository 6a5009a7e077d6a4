"""Flask's signals: where each is sent, with what, and what it costs when nobody listens."""

from __future__ import annotations

import gc
import sys
import threading
import typing as t
from pathlib import Path

import pytest

from microweb import App
from microweb.compat import (
    Flask,
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    flash,
    got_request_exception,
    message_flashed,
    render_template,
    render_template_string,
    request,
    request_finished,
    request_started,
    request_tearing_down,
    signals,
    stream_template,
    template_rendered,
)
from microweb.compat.signals import ANY, Namespace, Signal

ALL = {
    "appcontext_pushed": appcontext_pushed,
    "request_started": request_started,
    "before_render_template": before_render_template,
    "template_rendered": template_rendered,
    "message_flashed": message_flashed,
    "request_finished": request_finished,
    "got_request_exception": got_request_exception,
    "request_tearing_down": request_tearing_down,
    "appcontext_tearing_down": appcontext_tearing_down,
    "appcontext_popped": appcontext_popped,
}


@pytest.fixture(autouse=True)
def no_receivers_left() -> t.Iterator[None]:
    yield
    left = {name: s.receivers for name, s in ALL.items() if s.receivers}
    for s in ALL.values():
        for receiver in list(s.receivers_for(ANY)):
            s.disconnect(receiver)
    assert not left, f"receivers left connected: {left}"
    assert signals.receivers_connected is False


@pytest.fixture
def flask_app(tmp_path: Path) -> Flask:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ word }} {{ extra }}</p>")
    app = Flask("signals_app", root_path=str(tmp_path))
    app.config.update(SECRET_KEY="test key")

    @app.context_processor
    def extra():
        return {"extra": "!"}

    return app


class Recorder:
    """Connects a receiver to each signal named and records ``(name, sender, kwargs)``."""

    def __init__(self, sender: t.Any = ANY, names: t.Iterable[str] = ALL) -> None:
        self.sender = sender
        self.names = list(names)
        self.events: list[tuple[str, t.Any, dict[str, t.Any]]] = []
        self._receivers: dict[str, t.Callable[..., None]] = {}

    def log(self, event: str) -> None:
        self.events.append((event, None, {}))

    def __enter__(self) -> Recorder:
        for name in self.names:

            def receive(sender: t.Any, _name: str = name, **kwargs: t.Any) -> None:
                self.events.append((_name, sender, kwargs))

            self._receivers[name] = receive
            ALL[name].connect(receive, self.sender)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, receive in self._receivers.items():
            ALL[name].disconnect(receive, self.sender)

    @property
    def names_sent(self) -> list[str]:
        return [name for name, _, _ in self.events]


def test_a_request_sends_each_signal_in_flasks_order(flask_app: Flask) -> None:
    app = flask_app
    seen: dict[str, t.Any] = {}

    with Recorder(app) as recorder:

        @app.before_request
        def before():
            recorder.log("before-hook")

        @app.route("/page/<word>")
        def page(word):
            recorder.log("view")
            flash("hello", "info")
            return render_template("page.html", word=word)

        @app.after_request
        def after(response):
            recorder.log("after-hook")
            response.headers["X-After"] = "1"
            return response

        @app.teardown_request
        def teardown(exc):
            recorder.log("teardown-hook")

        @app.teardown_appcontext
        def teardown_appcontext(exc):
            recorder.log("teardown-appcontext")

        def started(sender):
            # The request is bound and routed when request_started is sent.
            seen["endpoint"] = request.endpoint
            seen["view_args"] = request.view_args

        with request_started.connected_to(started, app):
            response = app.test_client().get("/page/hi")

    assert response.text == "<p>hi !</p>"
    assert recorder.names_sent == [
        "appcontext_pushed",
        "request_started",
        "before-hook",
        "view",
        "message_flashed",
        "before_render_template",
        "template_rendered",
        "after-hook",
        "request_finished",
        "teardown-hook",
        "request_tearing_down",
        "teardown-appcontext",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert seen == {"endpoint": "page", "view_args": {"word": "hi"}}
    events = {name: (sender, kwargs) for name, sender, kwargs in recorder.events}
    assert all(sender is app for name, sender, _ in recorder.events if name in ALL)
    assert events["message_flashed"][1] == {"message": "hello", "category": "info"}
    template, context = (events["template_rendered"][1][k] for k in ("template", "context"))
    assert template.name == "page.html"
    assert context["word"] == "hi"
    assert events["before_render_template"][1]["template"] is template
    finished = events["request_finished"][1]["response"]
    assert finished.headers["X-After"] == "1"  # after the after-hooks
    assert finished.get_data() == b"<p>hi !</p>"
    assert events["request_tearing_down"][1] == {"exc": None}
    assert events["appcontext_tearing_down"][1] == {"exc": None}
    assert events["appcontext_pushed"][1] == {} and events["appcontext_popped"][1] == {}


def test_before_render_template_may_change_the_context(flask_app: Flask) -> None:
    @flask_app.route("/")
    def index():
        return render_template("page.html", word="before")

    @flask_app.route("/string")
    def string():
        return render_template_string("{{ word }}", word="before")

    def change(sender, template, context):
        context["word"] = "after"

    client = flask_app.test_client()
    with before_render_template.connected_to(change, flask_app):
        assert client.get("/").text == "<p>after !</p>"
        assert client.get("/string").text == "after"
    assert client.get("/").text == "<p>before !</p>"


def test_a_streamed_template_is_rendered_when_its_last_piece_is_sent(flask_app: Flask) -> None:
    @flask_app.route("/")
    def index():
        return stream_template("page.html", word="streamed")

    with Recorder(flask_app, ["before_render_template", "template_rendered"]) as recorder:
        response = flask_app.test_client().get("/")
    assert response.text == "<p>streamed !</p>"
    assert recorder.names_sent == ["before_render_template", "template_rendered"]
    assert recorder.events[1][2]["template"].name == "page.html"


def test_templates_rendered_in_an_application_context(flask_app: Flask) -> None:
    names = ["appcontext_pushed", "template_rendered", "appcontext_popped"]
    with Recorder(flask_app, names) as recorder:
        with flask_app.app_context():
            assert render_template("page.html", word="x") == "<p>x !</p>"
    assert recorder.names_sent == names


def test_got_request_exception_comes_before_the_500_handler(flask_app: Flask) -> None:
    app = flask_app
    order: list[t.Any] = []

    @app.route("/")
    def index():
        raise ZeroDivisionError("boom")

    @app.errorhandler(500)
    def server_error(e):
        order.append("handler")
        return "handled", 500

    def record(sender, exception):
        order.append((sender, exception))

    with got_request_exception.connected_to(record, app):
        with Recorder(app, ["request_tearing_down", "appcontext_tearing_down"]) as recorder:
            response = app.test_client().get("/")
    assert (response.status_code, response.text) == (500, "handled")
    assert order[0][0] is app and isinstance(order[0][1], ZeroDivisionError)
    assert order[1] == "handler"
    # The teardown signals get the exception that ended the request.
    assert [type(kwargs["exc"]) for _, _, kwargs in recorder.events] == [ZeroDivisionError] * 2


def test_got_request_exception_is_sent_before_a_propagated_exception(flask_app: Flask) -> None:
    flask_app.testing = True
    flask_app.route("/")(lambda: 1 / 0)
    with Recorder(flask_app, ["got_request_exception", "request_tearing_down"]) as recorder:
        with pytest.raises(ZeroDivisionError):
            flask_app.test_client().get("/")
    assert recorder.names_sent == ["got_request_exception", "request_tearing_down"]
    assert isinstance(recorder.events[0][2]["exception"], ZeroDivisionError)


def test_a_handled_error_sends_no_got_request_exception(flask_app: Flask) -> None:
    @flask_app.route("/")
    def index():
        raise KeyError("x")

    flask_app.register_error_handler(KeyError, lambda e: ("missing", 404))
    with Recorder(flask_app, ["got_request_exception", "request_finished"]) as recorder:
        assert flask_app.test_client().get("/").status_code == 404
    assert recorder.names_sent == ["request_finished"]


def test_both_styles_in_an_app_with_proxies_on(app: App, style: str) -> None:
    # App(proxies=True), a plain str answer (the core's fast path) included.
    if style == "explicit":
        app.route("/")(lambda request: "hello")
    else:
        app.route("/")(lambda: "hello")
    with Recorder(app) as recorder:
        response = app.test_client().get("/")
    assert response.text == "hello"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert recorder.names_sent == [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert recorder.events[2][2]["response"].get_data() == b"hello"


def test_a_request_inside_an_application_context_pushes_none_of_its_own(flask_app: Flask) -> None:
    flask_app.route("/")(lambda: "ok")
    names = ["appcontext_pushed", "request_started", "appcontext_popped"]
    with Recorder(flask_app, names) as recorder:
        with flask_app.app_context():
            recorder.log("in")
            flask_app.test_client().get("/")
            recorder.log("out")
    assert recorder.names_sent == [
        "appcontext_pushed", "in", "request_started", "out", "appcontext_popped"
    ]


def test_test_request_context_sends_the_application_context_signals(flask_app: Flask) -> None:
    with Recorder(flask_app) as recorder:
        with flask_app.test_request_context("/"):
            recorder.log("in")
    assert recorder.names_sent == [
        "appcontext_pushed",
        "in",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]


def test_full_dispatch_request_in_a_test_request_context_ends_once(flask_app: Flask) -> None:
    flask_app.route("/")(lambda: "ok")
    with Recorder(flask_app) as recorder:
        with flask_app.test_request_context("/"):
            response = flask_app.full_dispatch_request()
            response.close()
            recorder.log("dispatched")
    assert response.get_data() == b"ok"
    assert recorder.names_sent == [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "dispatched",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]


def test_with_client_the_signals_follow_the_teardown_hooks_at_body_close(flask_app: Flask) -> None:
    flask_app.route("/")(lambda: "ok")
    with Recorder(flask_app, ["request_started", "appcontext_popped"]) as recorder:
        with flask_app.test_client() as client:
            client.get("/")
            assert request.path == "/"
            recorder.log("kept")
        recorder.log("left")
    assert recorder.names_sent == ["request_started", "appcontext_popped", "kept", "left"]


def test_a_receiver_for_one_app_does_not_hear_another(flask_app: Flask, tmp_path: Path) -> None:
    other = Flask("other", root_path=str(tmp_path))
    for a in (flask_app, other):
        a.route("/")(lambda: "ok")
    heard: list[t.Any] = []
    with request_started.connected_to(lambda sender: heard.append(("own", sender)), flask_app):
        with request_started.connected_to(lambda sender: heard.append(("any", sender))):
            other.test_client().get("/")
            flask_app.test_client().get("/")
    assert heard == [("any", other), ("any", flask_app), ("own", flask_app)]


def test_connected_to_disconnects_however_the_block_ends(flask_app: Flask) -> None:
    def receive(sender):
        pass

    with pytest.raises(RuntimeError):
        with request_started.connected_to(receive, flask_app):
            assert request_started.has_receivers_for(flask_app)
            assert signals.receivers_connected
            raise RuntimeError
    assert not request_started.has_receivers_for(flask_app)
    assert request_started.receivers == {}
    assert signals.receivers_connected is False


def test_weak_receivers_go_away_with_their_last_reference(flask_app: Flask) -> None:
    flask_app.route("/")(lambda: "ok")
    heard: list[str] = []

    def function(sender):
        heard.append("function")

    class Listener:
        def method(self, sender):
            heard.append("method")

    listener = Listener()
    request_started.connect(function, flask_app)
    request_started.connect(listener.method, flask_app)
    client = flask_app.test_client()
    client.get("/")
    assert heard == ["function", "method"]
    del function, listener
    gc.collect()
    assert request_started.receivers == {}
    assert signals.receivers_connected is False
    client.get("/")
    assert heard == ["function", "method"]


def test_a_strong_receiver_stays_until_disconnected() -> None:
    signal = Signal()
    heard: list[int] = []
    signal.connect(lambda sender: heard.append(sender), weak=False)
    gc.collect()
    signal.send(1)
    assert heard == [1]


def test_a_receiver_of_a_sender_that_went_away_is_forgotten(tmp_path: Path) -> None:
    gone = Flask("gone", root_path=str(tmp_path))

    def receive(sender):
        pass

    request_started.connect(receive, gone)
    assert request_started.has_receivers_for(gone)
    del gone
    gc.collect()
    assert request_started.receivers == {}
    assert signals.receivers_connected is False


def test_a_receivers_exception_propagates_and_stops_the_send(flask_app: Flask) -> None:
    # As with blinker: the error goes up through render_template and the view.
    flask_app.testing = True

    @flask_app.route("/")
    def index():
        return render_template("page.html", word="x")

    heard: list[str] = []

    def failing(sender, template, context):
        raise LookupError("receiver failed")

    def after(sender, template, context):
        heard.append("after")

    with template_rendered.connected_to(failing, flask_app):
        with template_rendered.connected_to(after, flask_app):
            with pytest.raises(LookupError, match="receiver failed"):
                flask_app.test_client().get("/")
    assert heard == []


def test_nothing_is_sent_while_no_receiver_is_connected(flask_app: Flask) -> None:
    # Not a call into the signals module in a whole request, hooks and
    # teardown included, nor anywhere while a receiver listens to another app.
    @flask_app.route("/")
    def index():
        flash("x")
        return render_template("page.html", word="x")

    flask_app.teardown_appcontext(lambda exc: None)
    client = flask_app.test_client()
    client.get("/")  # the first request freezes the app

    def signal_calls() -> list[str]:
        called: list[str] = []

        def profile(frame: t.Any, event: str, arg: object) -> None:
            if event == "call" and frame.f_code.co_filename == signals.__file__:
                called.append(frame.f_code.co_name)

        sys.setprofile(profile)
        try:
            assert client.get("/").status_code == 200
        finally:
            sys.setprofile(None)
        return called

    assert signals.receivers_connected is False
    assert signal_calls() == []


def test_sending_calls_only_receivers_for_the_sender() -> None:
    own = Namespace()
    saved = own.signal("model-saved", doc="A model was saved.")
    assert own.signal("model-saved") is saved
    assert saved.name == "model-saved" and saved.__doc__ == "A model was saved."

    class Model:
        pass

    a, b = Model(), Model()

    @saved.connect_via(a)
    def on_a(sender, **kwargs):
        return ("a", kwargs)

    def on_any(sender, **kwargs):
        return "any"

    saved.connect(on_any)
    assert saved.send(a, field=1) == [(on_any, "any"), (on_a, ("a", {"field": 1}))]
    assert saved.send(b) == [(on_any, "any")]
    assert saved.has_receivers_for(b)
    saved.disconnect(on_any)
    assert not saved.has_receivers_for(b) and saved.has_receivers_for(a)
    assert saved.send(b) == []
    saved.disconnect(on_a, a)
    assert saved.receivers == {}
    # An app's own signals do not make the request path send Flask's.
    saved.connect(on_any)
    assert signals.receivers_connected is False
    saved.disconnect(on_any)


def test_connect_and_disconnect_from_many_threads() -> None:
    signal = Signal()
    receivers = [lambda sender, n=n: n for n in range(64)]
    errors: list[BaseException] = []

    def churn(receiver: t.Callable[..., int]) -> None:
        try:
            for _ in range(200):
                signal.connect(receiver, weak=False)
                signal.send(None)
                signal.disconnect(receiver)
            signal.connect(receiver, weak=False)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=churn, args=(r,)) for r in receivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result for _, result in signal.send(None)) == list(range(64))
