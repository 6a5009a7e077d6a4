from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from microweb import App, Blueprint, Markup, render, render_string
from microweb.testing import TestClient


@pytest.fixture
def templates(app: App, tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


def test_render_with_context_and_autoescape(app: App, client: TestClient, templates: Path) -> None:
    (templates / "page.html").write_text("<p>{{ name }}</p>{{ safe }}")
    (templates / "page.txt").write_text("{{ name }}")

    @app.route("/html")
    def html(request):
        return render(request, "page.html", name="<script>x</script>", safe=Markup("<b>ok</b>"))

    @app.route("/txt")
    def txt(request):
        return render(request, "page.txt", name="<script>")

    assert client.get("/html").text == "<p>&lt;script&gt;x&lt;/script&gt;</p><b>ok</b>"
    assert client.get("/txt").text == "<script>"


def test_render_string_autoescapes(app: App) -> None:
    request = app.test_request("/")
    assert render_string(request, "{{ v }}", v="<i>") == "&lt;i&gt;"
    assert render_string(request, "{{ v|safe }}", v="<i>") == "<i>"


def test_names_in_every_template(app: App, client: TestClient) -> None:
    app.config["GREETING"] = "hello"

    @app.route("/u/<int:n>")
    def page(request, n):
        request.g.user = "ann"
        return render_string(
            request,
            "{{ request.path }}|{{ g.user }}|{{ config.GREETING }}|{{ url_for('page', n=2) }}",
        )

    assert client.get("/u/1").text == "/u/1|ann|hello|/u/2"


def test_filters_globals_tests(app: App) -> None:
    @app.template_filter()
    def shout(value):
        return value.upper()

    @app.template_filter("rev")
    def reverse(value):
        return value[::-1]

    @app.template_global()
    def answer():
        return 42

    @app.template_test("even")
    def is_even(n):
        return n % 2 == 0

    request = app.test_request("/")
    assert render_string(request, "{{ 'a'|shout }}{{ 'ab'|rev }}{{ answer() }}{{ 4 is even }}") == "Aba42True"


def test_context_processors(app: App, client: TestClient, templates: Path) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @app.context_processor
    def site(request):
        return {"site": "microweb", "who": request.path}

    @bp.context_processor
    def shop(request):
        return {"section": "shop"}

    @bp.route("/")
    def shop_index(request):
        return render_string(request, "{{ site }} {{ who }} {{ section|default('none') }}")

    @app.route("/")
    def index(request):
        return render_string(request, "{{ site }} {{ who }} {{ section|default('none') }}")

    @app.route("/override")
    def override(request):
        return render_string(request, "{{ site }}", site="explicit")

    app.register_blueprint(bp)
    assert client.get("/").text == "microweb / none"
    assert client.get("/shop/").text == "microweb /shop/ shop"
    assert client.get("/override").text == "explicit"


def test_blueprint_templates(app: App, client: TestClient, templates: Path, tmp_path: Path) -> None:
    bp_folder = tmp_path / "bp_templates"
    bp_folder.mkdir()
    (templates / "shared.html").write_text("app version")
    (templates / "base.html").write_text("[{% block body %}{% endblock %}]")
    (bp_folder / "shared.html").write_text("blueprint version")
    (bp_folder / "admin.html").write_text(
        "{% extends 'base.html' %}{% block body %}{% include 'part.html' %}"
        " {{ url_for('.index') }}{% endblock %}"
    )
    (bp_folder / "part.html").write_text("part")
    admin = Blueprint("admin", __name__, url_prefix="/admin", template_folder="bp_templates", root_path=str(tmp_path))

    @admin.app_template_filter()
    def double(value):
        return value * 2

    @admin.route("/")
    def index(request):
        return render(request, "admin.html")

    @admin.route("/shared")
    def shared(request):
        return render(request, "shared.html") + render_string(request, "{{ 'x'|double }}")

    app.register_blueprint(admin)
    assert client.get("/admin/").text == "[part /admin/]"
    assert client.get("/admin/shared").text == "app versionxx"
    assert "admin.html" in app.jinja_env.list_templates()


def test_session_in_templates_is_lazy(app: App, client: TestClient) -> None:
    @app.route("/set")
    def set_value(request):
        request.session["x"] = "y"
        return render_string(request, "{{ session.x }}")

    @app.route("/plain")
    def plain(request):
        html = render_string(request, "<p>{{ request.path }}</p>")
        assert "session" not in request.__dict__
        return html

    response = client.get("/set")
    assert response.text == "y"
    assert response.headers["Vary"] == "Cookie"
    plain_response = client.get("/plain")
    assert plain_response.text == "<p>/plain</p>"
    assert "Vary" not in plain_response.headers
    assert "Set-Cookie" not in plain_response.headers


def test_flashed_messages_in_templates(app: App, client: TestClient) -> None:
    from microweb import flash

    @app.route("/")
    def index(request):
        flash(request, "hi <there>")
        return render_string(request, "{% for m in get_flashed_messages() %}{{ m }}{% endfor %}")

    assert client.get("/").text == "hi &lt;there&gt;"


def test_templates_reload_in_debug(app: App, client: TestClient, templates: Path) -> None:
    page = templates / "page.html"
    page.write_text("one")

    @app.route("/")
    def index(request):
        return render(request, "page.html")

    assert client.get("/").text == "one"
    page.write_text("two")
    assert client.get("/").text == "one"  # cached outside debug mode
    app.config["DEBUG"] = True
    stat = page.stat()
    os.utime(page, (stat.st_atime, stat.st_mtime + 10))
    assert client.get("/").text == "two"


def test_missing_template(app: App, client: TestClient, templates: Path) -> None:
    @app.route("/")
    def index(request):
        return render(request, "nope.html")

    with pytest.raises(jinja2.TemplateNotFound):
        client.get("/")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/").status_code == 500


def test_template_not_found_lists_the_folders_searched(
    app: App, client: TestClient, templates: Path, tmp_path: Path
) -> None:
    admin = Blueprint("admin", __name__, template_folder="admin_templates", root_path=str(tmp_path))
    app.register_blueprint(admin)
    app.register_blueprint(Blueprint("api", __name__))
    request = app.test_request("/")
    searched = (
        f"Searched: {templates} (the app); {tmp_path / 'admin_templates'} (blueprint 'admin')."
        " Blueprints without a template_folder are not searched: 'api'."
    )

    with pytest.raises(jinja2.TemplateNotFound) as info:
        render(request, "nope.html")
    assert str(info.value) == f"Template 'nope.html' was not found. {searched}"
    assert info.value.name == "nope.html"

    with pytest.raises(jinja2.TemplatesNotFound) as many:
        render(request, ["a.html", "b.html"])
    assert str(many.value) == f"None of 'a.html', 'b.html' was found. {searched}"
    assert many.value.templates == ["a.html", "b.html"]

    with pytest.raises(jinja2.TemplatesNotFound, match="empty list"):
        render(request, [])

    (templates / "page.html").write_text("{% include 'part.html' %}")
    with pytest.raises(jinja2.TemplateNotFound, match="^Template 'part.html' was not found"):
        render(request, "page.html")


def test_template_not_found_without_template_folders(tmp_path: Path) -> None:
    app = App("bare", root_path=str(tmp_path), template_folder=None)
    with pytest.raises(jinja2.TemplateNotFound) as info:
        render(app.test_request("/"), "page.html")
    assert str(info.value) == (
        "Template 'page.html' was not found: the app has no template folder"
        " (template_folder=None)."
    )


def test_template_list_picks_the_first_that_exists(app: App, templates: Path) -> None:
    (templates / "fallback.html").write_text("fallback")
    assert render(app.test_request("/"), ["missing.html", "fallback.html"]) == "fallback"


def test_stream_renders_piece_by_piece_as_the_body_is_sent(
    app: App, client: TestClient, templates: Path
) -> None:
    from microweb import stream, stream_string

    made: list[int] = []

    def item(n: int) -> int:
        made.append(n)
        return n

    (templates / "items.html").write_text(
        "<h1>{{ title }}</h1>{% for n in numbers %}<p>{{ item(n) }}</p>{% endfor %}"
    )

    @app.route("/items")
    def items(request):
        return stream(request, "items.html", title="<Items>", numbers=range(3), item=item)

    @app.route("/string")
    def string(request):
        return stream_string(request, "{{ request.path }} {{ x }}", x="<b>")

    response = app.test_client().get("/items", buffered=False)
    chunks = iter(response.response)
    # Nothing of the loop is made until the server asks for it.
    assert made == []
    assert next(chunks) == b"<h1>"
    assert made == []
    rest = b"".join(chunks)
    response.close()
    assert made == [0, 1, 2]
    assert rest.decode() == "&lt;Items&gt;</h1><p>0</p><p>1</p><p>2</p>"
    assert client.get("/string").text == "/string &lt;b&gt;"
    with pytest.raises(TypeError, match="pass the request first"):
        stream("items.html")


def test_a_streamed_page_varies_with_the_session_cookie(app: App, client: TestClient) -> None:
    from microweb import stream_string

    app.config["SECRET_KEY"] = "test"

    @app.route("/login")
    def login(request):
        request.session["user"] = "ann"
        return "in"

    @app.route("/page")
    def page(request):
        return stream_string(request, "{{ session.user }}")

    anonymous = client.get("/page")
    assert (anonymous.text, anonymous.headers.get("Vary")) == ("", None)
    client.get("/login")
    signed_in = client.get("/page")
    # A shared cache must not give ann's page to another user.
    assert (signed_in.text, signed_in.headers.get("Vary")) == ("ann", "Cookie")
