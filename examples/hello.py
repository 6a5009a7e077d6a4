"""The smallest microweb app: ``microweb --app examples/hello.py run``."""

from __future__ import annotations

from microweb import App, Request, url_for

app = App(__name__)


@app.route("/")
def index(request: Request) -> str:
    link = url_for(request, "hello", name="World")
    return f'<p>microweb is running. Try <a href="{link}">{link}</a>.</p>'


@app.route("/hello/<name>")
def hello(request: Request, name: str) -> str:
    return f"Hello, {name}!"


@app.get("/api/hello/<name>")
def api_hello(request: Request, name: str) -> dict[str, str]:
    return {"greeting": f"Hello, {name}!"}


if __name__ == "__main__":
    app.run(debug=True)
