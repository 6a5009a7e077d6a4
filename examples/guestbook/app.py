"""A small guestbook: templates, a session, flashed messages and CSRF.

Serve it with ``python -m microweb --app examples/guestbook/app.py run``.
"""

from __future__ import annotations

import os
import secrets

from microweb import App, Request, Response, flash, redirect, render, url_for

app = App(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("GUESTBOOK_SECRET_KEY") or secrets.token_hex(32),
    CSRF_ENABLED=True,
    MAX_CONTENT_LENGTH=64 * 1024,
)

#: The entries, newest first. A real app would use a database.
ENTRIES: list[dict[str, str]] = []


@app.get("/")
def index(request: Request) -> str:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return render(request, "index.html", entries=ENTRIES)


@app.post("/sign")
def sign(request: Request) -> Response:
    name = request.form.get("name", "").strip()[:80]
    message = request.form.get("message", "").strip()[:500]
    if not name or not message:
        flash(request, "Please give your name and a message.", "error")
    else:
        ENTRIES.insert(0, {"name": name, "message": message})
        request.session["name"] = name
        flash(request, f"Thank you for signing, {name}!")
    return redirect(url_for(request, "index"))


@app.get("/api/entries")
def api_entries(request: Request) -> list[dict[str, str]]:
    return ENTRIES


if __name__ == "__main__":
    app.run(debug=True)
