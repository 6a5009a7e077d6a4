from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from microweb import App, Blueprint, send_file, send_from_directory, url_for


@pytest.fixture
def static_app(tmp_path: Path) -> App:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("body { color: red; }")
    (tmp_path / "static" / "sub").mkdir()
    (tmp_path / "static" / "sub" / "data.json").write_text('{"a": 1}')
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    app = App("static_app", root_path=str(tmp_path))
    app.config["TESTING"] = True
    return app


def test_static_file_served_with_cache_headers(static_app: App) -> None:
    response = static_app.test_client().get("/static/style.css")
    assert response.status_code == 200
    assert response.text == "body { color: red; }"
    assert response.mimetype == "text/css"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert response.headers["Content-Length"] == "20"
    assert "max-age" not in response.headers.get("Cache-Control", "")


def test_static_subfolder_and_guessed_mimetype(static_app: App) -> None:
    response = static_app.test_client().get("/static/sub/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"a": 1}


def test_missing_static_file_is_404(static_app: App) -> None:
    assert static_app.test_client().get("/static/nope.css").status_code == 404


def test_conditional_get_gives_304(static_app: App) -> None:
    client = static_app.test_client()
    first = client.get("/static/style.css")
    etag = first.headers["ETag"]
    again = client.get("/static/style.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    since = client.get(
        "/static/style.css", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_range_request_gives_206(static_app: App) -> None:
    response = static_app.test_client().get("/static/style.css", headers={"Range": "bytes=0-3"})
    assert response.status_code == 206
    assert response.get_data() == b"body"
    assert response.headers["Content-Range"] == "bytes 0-3/20"


def test_unsatisfiable_range_gives_416(static_app: App) -> None:
    response = static_app.test_client().get(
        "/static/style.css", headers={"Range": "bytes=100-200"}
    )
    assert response.status_code == 416


def test_send_file_max_age_default(static_app: App) -> None:
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 600
    response = static_app.test_client().get("/static/style.css")
    assert "max-age=600" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/sub/../../secret.txt",
        "/static/..\\secret.txt",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/%00secret.txt",
    ],
)
def test_path_traversal_is_404(static_app: App, path: str) -> None:
    response = static_app.test_client().get(path)
    assert response.status_code in (404, 308)
    assert b"TOP SECRET" not in response.get_data()
    assert b"root:" not in response.get_data()


def test_url_for_static(static_app: App) -> None:
    @static_app.route("/")
    def index(request):
        return url_for(request, "static", filename="style.css")

    assert static_app.test_client().get("/").text == "/static/style.css"


def test_custom_static_url_path(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.txt").write_text("A")
    app = App("custom_static", root_path=str(tmp_path), static_folder="assets", static_url_path="/s")
    client = app.test_client()
    assert client.get("/s/a.txt").text == "A"
    assert client.get("/assets/a.txt").status_code == 404


def test_no_static_folder_means_no_static_route(tmp_path: Path) -> None:
    app = App("no_static", root_path=str(tmp_path), static_folder=None)
    assert "static" not in {rule.endpoint for rule in app.url_map.iter_rules()}
    assert app.test_client().get("/static/x").status_code == 404


def test_blueprint_static_folder(static_app: App, tmp_path: Path) -> None:
    (tmp_path / "admin_static").mkdir()
    (tmp_path / "admin_static" / "admin.js").write_text("alert(1)")
    admin = Blueprint(
        "admin",
        __name__,
        url_prefix="/admin",
        static_folder="admin_static",
        static_url_path="/assets",
        root_path=str(tmp_path),
    )

    @admin.route("/")
    def index(request):
        return url_for(request, ".static", filename="admin.js")

    static_app.register_blueprint(admin)
    client = static_app.test_client()
    assert client.get("/admin/").text == "/admin/assets/admin.js"
    response = client.get("/admin/assets/admin.js")
    assert response.status_code == 200
    assert response.text == "alert(1)"
    assert client.get("/admin/assets/../../secret.txt").status_code == 404


def test_send_file_path_and_attachment(static_app: App) -> None:
    @static_app.route("/download")
    def download(request):
        return send_file(request, "static/style.css", as_attachment=True, download_name="s.css")

    response = static_app.test_client().get("/download")
    assert response.status_code == 200
    assert response.text == "body { color: red; }"
    assert response.headers["Content-Disposition"] == "attachment; filename=s.css"


def test_send_file_object(static_app: App) -> None:
    @static_app.route("/report")
    def report(request):
        return send_file(request, io.BytesIO(b"a,b\n1,2\n"), mimetype="text/csv")

    response = static_app.test_client().get("/report")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data() == b"a,b\n1,2\n"


def test_send_from_directory_refuses_to_leave(static_app: App, tmp_path: Path) -> None:
    @static_app.route("/files/<path:name>")
    def files(request, name):
        return send_from_directory(request, str(tmp_path / "static"), name)

    client = static_app.test_client()
    assert client.get("/files/style.css").status_code == 200
    assert client.get("/files/../secret.txt").status_code == 404
    assert client.get("/files/%2E%2E/secret.txt").status_code == 404
    assert client.get("/files/sub/../../secret.txt").status_code == 404


def test_send_file_max_age_default_as_a_timedelta(static_app: App) -> None:
    # Flask's setting may be a timedelta; it is sent as whole seconds.
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(hours=1)

    @static_app.get("/file")
    def file(request):  # type: ignore[no-untyped-def]
        return send_file(request, "static/style.css")

    client = static_app.test_client()
    for path in ("/static/style.css", "/file"):
        response = client.get(path)
        assert response.status_code == 200
        assert "max-age=3600" in response.headers["Cache-Control"]
