from __future__ import annotations

import time

import pytest

from microweb import App, Blueprint, csrf_exempt, generate_csrf, render_string
from microweb.testing import TestClient


@pytest.fixture
def protected(app: App) -> App:
    app.config["CSRF_ENABLED"] = True

    @app.route("/form")
    def form(request):
        return generate_csrf(request)

    @app.route("/submit", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def submit(request):
        return f"done {request.method}"

    return app


def test_post_without_token_is_400(protected: App, client: TestClient) -> None:
    response = client.post("/submit", data={"a": "1"})
    assert response.status_code == 400
    assert "CSRF token is missing" in response.text


def test_token_in_form_or_header(protected: App, client: TestClient) -> None:
    token = client.get("/form").text
    assert client.post("/submit", data={"csrf_token": token}).text == "done POST"
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)("/submit", headers={"X-CSRFToken": token})
        assert response.status_code == 200, method


def test_one_token_per_request(protected: App) -> None:
    @protected.route("/page")
    def page(request):
        return render_string(request, "{{ csrf_token() }} {{ csrf_token() }}")

    first, second = protected.test_client().get("/page").text.split()
    assert first == second


def test_wrong_or_foreign_tokens(protected: App, client: TestClient) -> None:
    client.get("/form")
    assert client.post("/submit", data={"csrf_token": "forged"}).status_code == 400
    other = protected.test_client()
    foreign = other.get("/form").text
    response = client.post("/submit", data={"csrf_token": foreign})
    assert response.status_code == 400
    assert "does not match" in response.text


def test_expired_token(protected: App, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    protected.config["CSRF_TIME_LIMIT"] = 60
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)
    token = client.get("/form").text
    monkeypatch.setattr(time, "time", real_time)
    response = client.post("/submit", data={"csrf_token": token})
    assert response.status_code == 400
    assert "expired" in response.text


def test_safe_methods_need_no_token(protected: App, client: TestClient) -> None:
    assert client.get("/submit").text == "done GET"
    assert client.head("/submit").status_code == 200
    assert client.options("/submit").status_code == 200


def test_exempt_view_and_blueprint(protected: App, client: TestClient) -> None:
    api = Blueprint("api", __name__, url_prefix="/api")
    inner = Blueprint("inner", __name__, url_prefix="/inner")

    @api.post("/hook")
    def hook(request):
        return {"ok": True}

    @inner.post("/deep")
    def deep(request):
        return "deep"

    @protected.post("/webhook")
    @csrf_exempt
    def webhook(request):
        return "hooked"

    api.register_blueprint(inner)
    csrf_exempt(api)
    protected.register_blueprint(api)
    assert client.post("/api/hook", json={}).json == {"ok": True}
    assert client.post("/api/inner/deep").text == "deep"
    assert client.post("/webhook").text == "hooked"
    assert client.post("/submit").status_code == 400


def test_off_by_default(app: App, client: TestClient) -> None:
    @app.post("/submit")
    def submit(request):
        return "done"

    assert client.post("/submit").text == "done"


def test_json_error_when_asked(protected: App, client: TestClient) -> None:
    response = client.post("/submit", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["description"] == "The CSRF token is missing."


def test_needs_a_secret_key(protected: App, client: TestClient) -> None:
    protected.config["SECRET_KEY"] = None
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        client.get("/form")
